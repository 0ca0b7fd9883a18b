import Decimal from 'decimal.js';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DecimalScalar } from '../../common/scalars';

@ObjectType('M2MCandle', { simpleResolvers: true })
export class M2MCandleType {
  @Field(() => ID) strategyId: string;
  @Field(() => Date, { description: 'start of the minute' }) bucketStart: Date;
  @Field(() => DecimalScalar) open: Decimal;
  @Field(() => DecimalScalar) high: Decimal;
  @Field(() => DecimalScalar) low: Decimal;
  @Field(() => DecimalScalar) close: Decimal;
}

@InputType('PriceInput')
export class PriceInput {
  @Field(() => String) symbol: string;
  @Field(() => DecimalScalar) price: Decimal;
  @Field(() => Date, { nullable: true }) at?: Date | null;
}
