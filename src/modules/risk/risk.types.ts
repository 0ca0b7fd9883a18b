import Decimal from 'decimal.js';
import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DecimalScalar } from '../../common/scalars';
import { StrategyType } from '../../domain/types';
import { LegType } from '../leg/leg.types';
import { PayoffAnalysisType, StrategyType_ } from '../strategy/strategy.types';

export enum DataQualityFlag {
  COMPLETE = 'COMPLETE',
  PARTIAL = 'PARTIAL',
  INSUFFICIENT = 'INSUFFICIENT',
}
registerEnumType(DataQualityFlag, {
  name: 'DataQualityFlag',
  description: 'How completely the open legs are priced from the market',
  valuesConfig: {
    COMPLETE: { description: 'every open non-PRIVATE leg has a MARKET price' },
    PARTIAL: { description: 'some open non-PRIVATE legs are priced by the model or at entry' },
    INSUFFICIENT: { description: 'no open non-PRIVATE leg has a MARKET price (or there is no open leg)' },
  },
});

@ObjectType('DataQuality', {
  simpleResolvers: true,
  description: 'How the open legs are priced and how much history exists',
})
export class DataQualityType {
  @Field(() => DataQualityFlag, { description: 'COMPLETE, PARTIAL or INSUFFICIENT market pricing of the open legs' })
  flag: DataQualityFlag;
  @Field(() => String, {
    description: 'what is missing and what it affects (payoff, greeks, performance), in sentences a user can act on',
  })
  message: string;
  @Field(() => Int, { description: 'open legs' }) legCount: number;
  @Field(() => Int, { description: 'open non-PRIVATE legs priced at the latest published price (MARKET)' })
  marketPricedLegs: number;
  @Field(() => Int, { description: 'open option legs priced by Black-Scholes from the underlying (MODEL)' })
  modelPricedLegs: number;
  @Field(() => Int, { description: 'open non-PRIVATE legs valued at their entry price (ENTRY): no price known' })
  entryPricedLegs: number;
  @Field(() => Int, { description: 'open PRIVATE legs (no market data; valued at the last known or entry price)' })
  privateLegs: number;
  @Field(() => Int, {
    description:
      "days of the strategy's timeline: trading days with a daily close of its legs' symbols since the earliest entry",
  })
  historyDays: number;
}

@InputType('ScenarioInput', {
  description: 'A what-if: every underlying moved, implied volatility shifted, the clock moved forward',
})
export class ScenarioInput {
  @Field(() => Float, {
    nullable: true,
    defaultValue: 0,
    description: 'move of every underlying in percent (−10 = down 10 %); above −100, at most 10,000',
  })
  priceChangePct?: number | null;
  @Field(() => Float, {
    nullable: true,
    defaultValue: 0,
    description: 'implied volatility shift in points (+5 = 0.30 → 0.35), −100 to 500; the result is floored at 1 point',
  })
  volChangePts?: number | null;
  @Field(() => Int, {
    nullable: true,
    defaultValue: 0,
    description: 'calendar days from now, 0 to 3,650; options expired by then are worth their intrinsic value',
  })
  daysForward?: number | null;
  @Field(() => String, {
    nullable: true,
    description: 'a name for the result (at most 100 characters); default e.g. "-10% / +5 vol / +7d"',
  })
  label?: string | null;
}

@ObjectType('ScenarioResult', { simpleResolvers: true, description: 'The open legs valued under one scenario' })
export class ScenarioResultType {
  @Field(() => String, { description: 'the input\'s label, else e.g. "-10% / +5 vol / +7d"' }) label: string;
  @Field(() => Float, { description: 'move of every underlying, in percent' }) priceChangePct: number;
  @Field(() => Float, { description: 'implied volatility shift, in points' }) volChangePts: number;
  @Field(() => Int, { description: 'calendar days forward' }) daysForward: number;
  @Field(() => DecimalScalar, {
    description: 'market value of the open legs under the scenario (options by Black-Scholes)',
  })
  marketValue: Decimal;
  @Field(() => DecimalScalar, {
    description: 'change of value against now, valued by the same model (0 for a scenario of zeros)',
  })
  pnl: Decimal;
  @Field(() => Float, { description: 'net delta under the scenario, in share-equivalents' }) netDelta: number;
  @Field(() => Float, { description: 'net gamma under the scenario, in share-equivalents per unit of price' })
  netGamma: number;
  @Field(() => Float, { description: 'net theta under the scenario, in currency per calendar day' }) netTheta: number;
  @Field(() => Float, { description: 'net vega under the scenario, in currency per volatility point' }) netVega: number;
}

@ObjectType('StrategyScenario', { simpleResolvers: true, description: "A strategy's P&L under a stress scenario" })
export class StrategyScenarioType {
  @Field(() => StrategyType_, { description: 'the strategy' }) strategy: unknown;
  @Field(() => DecimalScalar, { description: 'its P&L under the scenario (negative: a loss)' }) pnl: Decimal;
}

@ObjectType('StressResult', { simpleResolvers: true, description: 'One stress scenario applied to a whole portfolio' })
export class StressResultType {
  @Field(() => ScenarioResultType, { description: "the portfolio's open legs under the scenario" })
  scenario: ScenarioResultType;
  @Field(() => [StrategyScenarioType], {
    description: 'the (at most) five strategies losing most under it, worst first; strategies that gain are not listed',
  })
  worstStrategies: StrategyScenarioType[];
}

@ObjectType('StrategyPreview', {
  simpleResolvers: true,
  description: 'What combineLegs would make of a selection of legs; nothing is written',
})
export class StrategyPreviewType {
  @Field(() => StrategyType, {
    description: 'the type combineLegs would detect (CUSTOM when no known pattern matches)',
  })
  type: StrategyType;
  @Field(() => String, { description: 'the name combineLegs would give the strategy' }) suggestedName: string;
  @Field(() => [LegType], { description: 'the selected legs, in the order given' }) legs: unknown[];
  @Field(() => PayoffAnalysisType, {
    nullable: true,
    description: 'payoff of the legs together; null as for a strategy (several underlyings, PRIVATE legs)',
  })
  payoff: unknown | null;
  @Field(() => Float, {
    description: "confidence of the detected type: the pattern's (0.7–0.95), 1 for a single leg, 0 for CUSTOM",
  })
  confidence: number;
}
