import Decimal from 'decimal.js';
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateScalar, DecimalScalar } from '../../common/scalars';
import { InvestmentClass, LegStatus, OptionType, PositionType, PriceSource } from '../../domain/types';
import { StrategyType_ } from '../strategy/strategy.types';
import { NodeInterface } from '../../common/node';

@ObjectType('Greeks', { simpleResolvers: true })
export class GreeksType {
  @Field(() => Float) delta: number;
  @Field(() => Float) gamma: number;
  @Field(() => Float) theta: number;
  @Field(() => Float) vega: number;
  @Field(() => Float) rho: number;
}

@ObjectType('Leg', { simpleResolvers: true, implements: NodeInterface })
export class LegType {
  @Field(() => ID) id: string;
  @Field(() => String, { description: 'stock ticker or OCC option symbol' }) symbol: string;
  @Field(() => PositionType) positionType: PositionType;
  @Field(() => DecimalScalar, { description: 'always positive: shares, or contracts' }) quantity: Decimal;
  @Field(() => Int, { description: '100 for options, 1 otherwise' }) multiplier: number;
  @Field(() => InvestmentClass) investmentClass: InvestmentClass;
  @Field(() => String) underlyingSymbol: string;
  @Field(() => OptionType, { nullable: true }) optionType: OptionType | null;
  @Field(() => DecimalScalar, { nullable: true }) strikePrice: Decimal | null;
  @Field(() => DateScalar, { nullable: true }) expirationDate: string | null;
  @Field(() => Float, { nullable: true }) impliedVolatility: number | null;
  @Field(() => DecimalScalar) entryPrice: Decimal;
  @Field(() => DateScalar) entryDate: string;
  @Field(() => DecimalScalar, { nullable: true, description: 'latest published price of the symbol' })
  lastPrice: Decimal | null;
  @Field(() => PriceSource) priceSource: PriceSource;
  @Field(() => DecimalScalar) marketValue: Decimal;
  @Field(() => DecimalScalar) costBasis: Decimal;
  @Field(() => DecimalScalar) unrealizedPnl: Decimal;
  @Field(() => GreeksType, {
    nullable: true,
    description: 'null for PRIVATE legs or when no underlying price is known',
  })
  greeks: GreeksType | null;
  @Field(() => Int) legOrder: number;
  @Field(() => LegStatus, {
    description: 'OPEN until closed; a CLOSED leg is frozen (marketValue, costBasis and unrealizedPnl 0, no greeks)',
  })
  status: LegStatus;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'price per share or contract it was closed at; null while OPEN',
  })
  exitPrice: Decimal | null;
  @Field(() => DateScalar, { nullable: true, description: 'day it was closed; null while OPEN' }) exitDate:
    string | null;
}

@InputType('CreatePositionInput')
export class CreatePositionInput {
  @Field(() => ID) portfolioId: string;
  @Field(() => String, { description: 'ticker or OCC symbol (compact "AAPL240119C00150000" or padded 21-char form)' })
  symbol: string;
  @Field(() => DecimalScalar, {
    description: 'signed is accepted: negative means short; stored positive with positionType',
  })
  quantity: Decimal;
  @Field(() => PositionType, { nullable: true, description: 'inferred from symbol and sign when omitted' })
  positionType?: PositionType | null;
  @Field(() => DecimalScalar) entryPrice: Decimal;
  @Field(() => DateScalar, { nullable: true }) entryDate?: string | null;
  @Field(() => Float, { nullable: true }) impliedVolatility?: number | null;
  @Field(() => InvestmentClass, { nullable: true }) investmentClass?: InvestmentClass | null;
  @Field(() => ID, { nullable: true, description: 'join this strategy; when null a STANDALONE strategy is created' })
  strategyId?: string | null;
}

@ObjectType('CreatePositionPayload', { simpleResolvers: true })
export class CreatePositionPayload {
  @Field(() => LegType) leg: unknown;
  @Field(() => StrategyType_) strategy: unknown;
}
