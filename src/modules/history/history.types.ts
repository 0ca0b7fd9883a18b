import Decimal from 'decimal.js';
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateScalar, DecimalScalar } from '../../common/scalars';

@ObjectType('PnlDay', {
  simpleResolvers: true,
  description: "One trading day of a P&L history, computed from the legs' daily closes",
})
export class PnlDayType {
  @Field(() => DateScalar, { description: "a trading day with a close of one of the legs' symbols (or an exit)" })
  date: string;
  @Field(() => DecimalScalar, { description: "market value of the legs open at that day's close" })
  marketValue: Decimal;
  @Field(() => DecimalScalar, { description: 'marketValue minus the cost basis of those legs' }) unrealizedPnl: Decimal;
  @Field(() => DecimalScalar, {
    description: 'realized P&L of the legs exited up to and including that day (cumulative)',
  })
  realizedPnl: Decimal;
  @Field(() => DecimalScalar, { description: 'unrealizedPnl + realizedPnl' }) totalPnl: Decimal;
  @Field(() => DecimalScalar, {
    description: "totalPnl minus the previous day's totalPnl (the first day of the history: minus 0)",
  })
  dailyPnl: Decimal;
}

@ObjectType('PerformanceStats', {
  simpleResolvers: true,
  description:
    "Figures of the daily returns of a timeline (dailyPnl ÷ the previous day's capital), " +
    '252 days a year, risk-free rate 0',
})
export class PerformanceStatsType {
  @Field(() => Int, { description: 'daily observations the figures are computed from' }) days: number;
  @Field(() => Float, { nullable: true, description: 'compounded return, a fraction; null with fewer than 2 days' })
  returnPct: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'annualised mean ÷ sample standard deviation; null with fewer than 2 days',
  })
  sharpeRatio: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'annualised mean ÷ downside deviation; null with fewer than 2 days',
  })
  sortinoRatio: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'annualised return ÷ maxDrawdown; null with fewer than 2 days or no drawdown',
  })
  calmarRatio: number | null;
  @Field(() => Float, { nullable: true, description: 'largest fall of the compounded curve, a positive fraction' })
  maxDrawdown: number | null;
  @Field(() => Float, { nullable: true, description: 'annualised sample standard deviation of daily returns' })
  volatility: number | null;
  @Field(() => Float, { nullable: true, description: 'historical one-day value at risk at 95 %, a positive fraction' })
  var95: number | null;
  @Field(() => Float, { nullable: true, description: 'share of observations with a positive dailyPnl' }) winRate:
    number | null;
}

@ObjectType('TradeStats', { simpleResolvers: true, description: 'Strategies fully closed in a period (trades)' })
export class TradeStatsType {
  @Field(() => Int, { description: 'strategies fully closed in the period (closing date = their last exitDate)' })
  closedCount: number;
  @Field(() => Int, { description: 'of them, those with a positive total P&L' }) winningCount: number;
  @Field(() => Int, { description: 'of them, those with a negative total P&L' }) losingCount: number;
  @Field(() => DecimalScalar, { description: 'their realized P&L summed' }) realizedPnl: Decimal;
  @Field(() => Float, {
    nullable: true,
    description: 'mean calendar days from the earliest entryDate to the closing date; null without trades',
  })
  averageHoldingDays: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'gross realized profit ÷ gross realized loss; null without a loss',
  })
  profitFactor: number | null;
}

@ObjectType('DailyBar', {
  simpleResolvers: true,
  description: "A symbol's trading day: the open, high, low and last price (close)",
})
export class DailyBarType {
  @Field(() => String, { description: 'ticker or compact OCC symbol' }) symbol: string;
  @Field(() => DateScalar, { description: 'NYSE trading day (New York date)' }) date: string;
  @Field(() => DecimalScalar, { description: 'first price of the day' }) open: Decimal;
  @Field(() => DecimalScalar, { description: 'highest price of the day' }) high: Decimal;
  @Field(() => DecimalScalar, { description: 'lowest price of the day' }) low: Decimal;
  @Field(() => DecimalScalar, { description: 'last price of the day' }) close: Decimal;
  @Field(() => DecimalScalar, { nullable: true, description: 'traded volume when imported with one; null otherwise' })
  volume: Decimal | null;
}

@InputType('LegExitInput', { description: 'The exit price of one OPEN leg of the strategy being closed' })
export class LegExitInput {
  @Field(() => ID, { description: 'an OPEN leg of the strategy' }) legId: string;
  @Field(() => DecimalScalar, { description: 'price per share or per contract, ≥ 0' }) exitPrice: Decimal;
}
