import { Field, ID, ObjectType } from 'type-graphql';
import { NodeInterface } from '../../common/node';

@ObjectType('Portfolio', { simpleResolvers: true, implements: NodeInterface })
export class PortfolioType {
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
  @Field(() => Date) createdAt: Date;
}
