import Decimal from 'decimal.js';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { badInput } from '../../common/errors';
import { DateScalar, DecimalScalar } from '../../common/scalars';
import { realizedPnl } from '../../domain/valuation';
import { requireUser, type Context } from '../../context';
import type { LegView } from '../leg/leg.rows';
import { ImportStarted } from '../batch/batch.types';
import { LegType } from '../leg/leg.types';
import { normaliseSymbol } from '../market-data/market-data.service';
import type { PortfolioEntity } from '../portfolio/portfolio.entity';
import { PortfolioType } from '../portfolio/portfolio.types';
import type { StrategyEntity } from '../strategy/strategy.entity';
import { PortfolioTotals, StrategyMetricsType, StrategyType_ } from '../strategy/strategy.types';
import { DailyBarType, PerformanceStatsType, PnlDayType, TradeStatsType } from './history.types';

function checkRange(from: string | null, to: string | null): void {
  if (from && to && from > to) throw badInput('from must not be after to', 'from');
}

const FROM = { nullable: true, description: 'first day (inclusive); default: the first entry' } as const;
const TO = { nullable: true, description: 'last day (inclusive); default: today' } as const;

@Resolver(() => LegType)
export class LegHistoryResolver {
  @FieldResolver(() => DecimalScalar, {
    description: 'the price the leg is valued at now (priceSource says where it came from); the exit price once CLOSED',
  })
  markPrice(@Root() l: LegView): Decimal {
    return l.price;
  }

  @FieldResolver(() => DecimalScalar, {
    description: 'sign × quantity × multiplier × (exitPrice − entryPrice) once CLOSED; 0 while OPEN',
  })
  realizedPnl(@Root() l: LegView): Decimal {
    return realizedPnl(l);
  }

  @FieldResolver(() => DecimalScalar, {
    nullable: true,
    description:
      "OPEN legs: market value now minus market value at the previous trading day's close (legs opened since: " +
      'minus cost basis); null when that close is unknown and for CLOSED legs',
  })
  dayPnl(@Root() l: LegView, @Ctx() ctx: Context): Promise<Decimal | null> {
    return ctx.app.history.dayPnl(ctx.loaders, l);
  }
}

@Resolver(() => StrategyMetricsType)
export class MetricsHistoryResolver {
  @FieldResolver(() => DecimalScalar, { description: "sum over the strategy's CLOSED legs" })
  async realizedPnl(@Root() m: { strategyId: string }, @Ctx() ctx: Context): Promise<Decimal> {
    return ctx.app.history.realizedOf(await ctx.loaders.legsByStrategy.load(m.strategyId));
  }

  @FieldResolver(() => DecimalScalar, { description: 'unrealizedPnl + realizedPnl' })
  async totalPnl(@Root() m: { strategyId: string; unrealizedPnl: Decimal }, @Ctx() ctx: Context): Promise<Decimal> {
    return m.unrealizedPnl.plus(ctx.app.history.realizedOf(await ctx.loaders.legsByStrategy.load(m.strategyId)));
  }

  @FieldResolver(() => DecimalScalar, {
    nullable: true,
    description: 'sum of dayPnl over the OPEN legs; null when no leg has a previous close',
  })
  async dayPnl(@Root() m: { strategyId: string }, @Ctx() ctx: Context): Promise<Decimal | null> {
    return ctx.app.history.sumDayPnl(ctx.loaders, await ctx.loaders.legsByStrategy.load(m.strategyId));
  }
}

@Resolver(() => PortfolioTotals)
export class TotalsHistoryResolver {
  @FieldResolver(() => DecimalScalar, {
    description: "realized P&L of the CLOSED legs (a portfolio's: of every closed leg, closed strategies too)",
  })
  realizedPnl(@Root() t: PortfolioTotals, @Ctx() ctx: Context): Promise<Decimal> | Decimal {
    return t.portfolioId
      ? ctx.app.history.realizedOfPortfolio(ctx.loaders, t.portfolioId)
      : ctx.app.history.realizedOf(t.legs ?? []);
  }

  @FieldResolver(() => DecimalScalar, { description: 'unrealizedPnl + realizedPnl' })
  async totalPnl(@Root() t: PortfolioTotals, @Ctx() ctx: Context): Promise<Decimal> {
    return t.unrealizedPnl.plus(await this.realizedPnl(t, ctx));
  }

  @FieldResolver(() => DecimalScalar, {
    nullable: true,
    description: 'sum of dayPnl over the OPEN legs; null when no leg has a previous close',
  })
  dayPnl(@Root() t: PortfolioTotals, @Ctx() ctx: Context): Promise<Decimal | null> {
    return ctx.app.history.sumDayPnl(ctx.loaders, t.legs ?? []);
  }
}

@Resolver(() => StrategyType_)
export class StrategyHistoryResolver {
  @FieldResolver(() => [PnlDayType], {
    description:
      "daily P&L history of the strategy's legs (also the days they were held in other strategies), " +
      'one row per trading day with a close',
  })
  timeline(
    @Root() s: StrategyEntity,
    @Ctx() ctx: Context,
    @Arg('from', () => DateScalar, FROM) from: string | null,
    @Arg('to', () => DateScalar, TO) to: string | null,
  ) {
    checkRange(from, to);
    return ctx.app.history.strategyTimeline(ctx.loaders, s.id, from, to);
  }

  @FieldResolver(() => PerformanceStatsType, { description: 'figures of the whole timeline' })
  async performance(@Root() s: StrategyEntity, @Ctx() ctx: Context) {
    return ctx.app.history.performanceOf(await ctx.app.history.strategyTimeline(ctx.loaders, s.id, null, null));
  }
}

@Resolver(() => PortfolioType)
export class PortfolioHistoryResolver {
  @FieldResolver(() => [PnlDayType], {
    description: 'daily P&L history: the sum of its strategies (open legs of active ones and every closed leg)',
  })
  timeline(
    @Root() p: PortfolioEntity,
    @Ctx() ctx: Context,
    @Arg('from', () => DateScalar, FROM) from: string | null,
    @Arg('to', () => DateScalar, TO) to: string | null,
  ) {
    checkRange(from, to);
    return ctx.app.history.portfolioTimeline(p.id, from, to);
  }

  @FieldResolver(() => PerformanceStatsType, { description: 'figures of the timeline within [from, to]' })
  async performance(
    @Root() p: PortfolioEntity,
    @Ctx() ctx: Context,
    @Arg('from', () => DateScalar, FROM) from: string | null,
    @Arg('to', () => DateScalar, TO) to: string | null,
  ) {
    checkRange(from, to);
    return ctx.app.history.performanceOf(await ctx.app.history.portfolioTimeline(p.id, from, to));
  }

  @FieldResolver(() => TradeStatsType, { description: 'strategies fully closed within [from, to]' })
  trades(
    @Root() p: PortfolioEntity,
    @Ctx() ctx: Context,
    @Arg('from', () => DateScalar, { nullable: true, description: 'first closing date (inclusive)' })
    from: string | null,
    @Arg('to', () => DateScalar, { nullable: true, description: 'last closing date (inclusive)' }) to: string | null,
  ) {
    checkRange(from, to);
    return ctx.app.history.trades(p.id, from, to);
  }
}

@Resolver()
export class LifecycleResolver {
  @Query(() => [DailyBarType], { description: 'daily bars of a symbol, oldest first' })
  priceHistory(
    @Arg('symbol', () => String, { description: 'ticker or OCC symbol (either form)' }) symbol: string,
    @Ctx() ctx: Context,
    @Arg('from', () => DateScalar, { nullable: true, description: 'first day (inclusive)' }) from: string | null,
    @Arg('to', () => DateScalar, { nullable: true, description: 'last day (inclusive)' }) to: string | null,
  ) {
    requireUser(ctx);
    checkRange(from, to);
    return ctx.app.history.priceHistory(normaliseSymbol(symbol, 'symbol'), from, to);
  }

  @Mutation(() => LegType, {
    description:
      'closes an OPEN leg, or part of it (the closed part becomes its own CLOSED leg); returns the CLOSED leg',
  })
  async closeLeg(
    @Arg('id', () => ID, { description: 'an OPEN leg' }) id: string,
    @Ctx() ctx: Context,
    @Arg('exitPrice', () => DecimalScalar, { nullable: true, description: 'default: its markPrice now' })
    exitPrice: Decimal | null,
    @Arg('quantity', () => DecimalScalar, {
      nullable: true,
      description: 'positive, at most the open quantity; default: all of it',
    })
    quantity: Decimal | null,
    @Arg('exitDate', () => DateScalar, {
      nullable: true,
      description: 'default: today (UTC); not before entryDate, not in the future',
    })
    exitDate: string | null,
  ) {
    const closed = await ctx.app.legs.closeLeg(requireUser(ctx), id, { price: exitPrice, quantity, date: exitDate });
    return ctx.loaders.leg.load(closed.id);
  }

  @Mutation(() => StrategyType_, {
    description: 'closes an option leg (or part of it) and opens newSymbol in the same strategy, in one transaction',
  })
  rollLeg(
    @Arg('id', () => ID, { description: 'an OPEN option leg' }) id: string,
    @Arg('newSymbol', () => String, { description: 'OCC option symbol, not expired' }) newSymbol: string,
    @Arg('entryPrice', () => DecimalScalar, { description: 'entry price of the new leg, ≥ 0' }) entryPrice: Decimal,
    @Ctx() ctx: Context,
    @Arg('exitPrice', () => DecimalScalar, { nullable: true, description: 'default: the markPrice of the rolled leg' })
    exitPrice: Decimal | null,
    @Arg('quantity', () => DecimalScalar, { nullable: true, description: 'how much to roll; default: all of it' })
    quantity: Decimal | null,
  ) {
    return ctx.app.legs.rollLeg(requireUser(ctx), id, { newSymbol, entryPrice, exitPrice, quantity });
  }

  @Mutation(() => ImportStarted, {
    description:
      'admins: daily bars from CSV (symbol,date,open,high,low,close[,volume]); progress through batchRunProgress',
  })
  async importPrices(
    @Arg('csv', () => String, { description: 'RFC 4180 CSV with a header row' }) csv: string,
    @Ctx() ctx: Context,
  ) {
    return { run: await ctx.app.batches.importPrices(requireUser(ctx), csv) };
  }
}
