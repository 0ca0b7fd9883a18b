import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { selects } from '../../common/lookahead';
import { isUuid } from '../../common/tx';
import { notFound } from '../../common/errors';
import { DateScalar } from '../../common/scalars';
import { LegExitInput } from '../history/history.types';
import { STRATEGY_TEMPLATES } from '../../domain/templates';
import { StrategyType } from '../../domain/types';
import { openLegs } from '../../domain/valuation';
import { requireUser, type Context } from '../../context';
import type { ValuationTotals } from '../../domain/valuation';
import type { StoredMetrics } from './strategy.rows';
import { LegType } from '../leg/leg.types';
import { M2MCandleType } from '../market-data/market-data.types';
import { PortfolioType } from '../portfolio/portfolio.types';
import { TagType } from '../tag/tag.types';
import type { StrategyEntity } from './strategy.entity';
import {
  CombineInput,
  StrategyDetectionType,
  StrategyMetricsType,
  StrategyTemplateType,
  StrategyType_,
  StrategyVersionType,
} from './strategy.types';

/** Strategy.metrics: the worker's stored analysis with this response's figures (null before the first computation). */
function metricsView(s: StrategyEntity, m: StoredMetrics | null, t: Readonly<ValuationTotals>) {
  // Written out (a spread of the entity made a slow dictionary-mode object per strategy).
  return (
    m && {
      strategyId: m.strategyId,
      marketValue: t.marketValue,
      costBasis: t.costBasis,
      unrealizedPnl: t.unrealizedPnl,
      netDelta: t.netDelta,
      netGamma: t.netGamma,
      netTheta: t.netTheta,
      netVega: t.netVega,
      payoff: m.payoff,
      calculatedAt: m.calculatedAt,
      stale: s.stale,
    }
  );
}

@Resolver(() => StrategyType_)
export class StrategyResolver {
  @Query(() => StrategyType_, { nullable: true })
  async strategy(@Arg('id', () => ID) id: string, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    const user = requireUser(ctx);
    const { loaders } = ctx;
    // What the selection needs comes in one round trip: the stored metrics in the strategy's own statement, and the
    // legs' read started beside it (used only through this strategy, so only once it is known to be the user's).
    const metrics = selects(info, ['metrics']);
    if (isUuid(id) && (metrics || selects(info, ['legs']) || selects(info, ['legCount'])))
      loaders.legsByStrategy.load(id).catch(() => undefined);
    const found = await ctx.app.queries.one(user, id, metrics);
    if (!found) return null;
    loaders.strategy.prime(id, found.strategy);
    if (metrics) loaders.metrics.prime(id, found.metrics);
    return found.strategy;
  }

  @Query(() => [StrategyTemplateType])
  strategyTemplates(@Ctx() ctx: Context) {
    requireUser(ctx);
    return STRATEGY_TEMPLATES;
  }

  @Query(() => [StrategyDetectionType])
  detectStrategies(@Arg('portfolioId', () => ID) portfolioId: string, @Ctx() ctx: Context) {
    return ctx.app.strategies.detect(requireUser(ctx), portfolioId);
  }

  @Mutation(() => StrategyType_)
  createStrategy(
    @Arg('portfolioId', () => ID) portfolioId: string,
    @Arg('name', () => String) name: string,
    @Arg('type', () => StrategyType) type: StrategyType,
    @Arg('legIds', () => [ID]) legIds: string[],
    @Ctx() ctx: Context,
  ) {
    return ctx.app.strategies.createStrategy(requireUser(ctx), portfolioId, name, type, legIds);
  }

  @Mutation(() => StrategyType_)
  updateStrategy(
    @Arg('id', () => ID) id: string,
    @Arg('name', () => String, { nullable: true }) name: string | null,
    @Arg('type', () => StrategyType, { nullable: true }) type: StrategyType | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.app.strategies.update(requireUser(ctx), id, name, type);
  }

  @Mutation(() => StrategyType_, {
    description: 'closes every OPEN leg (at its exit price in exitPrices, else at its mark) and the strategy',
  })
  closeStrategy(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: Context,
    @Arg('exitPrices', () => [LegExitInput], {
      nullable: true,
      description: 'exit prices of some or all OPEN legs; the others close at their markPrice',
    })
    exitPrices: LegExitInput[] | null,
    @Arg('exitDate', () => DateScalar, {
      nullable: true,
      description: 'default: today (UTC); not before any entryDate, not in the future',
    })
    exitDate: string | null,
  ) {
    return ctx.app.legs.closeStrategy(requireUser(ctx), id, exitPrices, exitDate);
  }

  @Mutation(() => StrategyType_)
  combineLegs(@Arg('input', () => CombineInput) input: CombineInput, @Ctx() ctx: Context) {
    return ctx.app.strategies.combine(requireUser(ctx), input);
  }

  @Mutation(() => [StrategyType_])
  splitStrategy(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.app.strategies.split(requireUser(ctx), id);
  }

  @Mutation(() => StrategyType_)
  addLeg(@Arg('strategyId', () => ID) strategyId: string, @Arg('legId', () => ID) legId: string, @Ctx() ctx: Context) {
    return ctx.app.strategies.addLeg(requireUser(ctx), strategyId, legId);
  }

  @Mutation(() => StrategyType_, { description: 'the removed leg gets its own STANDALONE strategy' })
  removeLeg(
    @Arg('strategyId', () => ID) strategyId: string,
    @Arg('legId', () => ID) legId: string,
    @Ctx() ctx: Context,
  ) {
    return ctx.app.strategies.removeLeg(requireUser(ctx), strategyId, legId);
  }

  @Mutation(() => [StrategyType_])
  applyDetections(@Arg('portfolioId', () => ID) portfolioId: string, @Ctx() ctx: Context) {
    return ctx.app.strategies.applyDetections(requireUser(ctx), portfolioId);
  }

  // ---- fields --------------------------------------------------------------------------------------------

  @FieldResolver(() => PortfolioType)
  async portfolio(@Root() s: StrategyEntity, @Ctx() ctx: Context) {
    return (await ctx.loaders.portfolio.load(s.portfolioId)) ?? notFound('Portfolio');
  }

  // The fields below answer at once from what the request's loaders hold (a prefetched page), else through them.

  @FieldResolver(() => Boolean, { description: 'true when it has more than one OPEN leg' })
  isSynthetic(@Root() s: StrategyEntity, @Ctx() ctx: Context) {
    const legs = ctx.loaders.legsByStrategy.peek(s.id);
    return legs ? openLegs(legs).length > 1 : ctx.loaders.legsByStrategy.load(s.id).then((l) => openLegs(l).length > 1);
  }

  @FieldResolver(() => Int, { description: 'number of legs, CLOSED ones included (as in legs)' })
  legCount(@Root() s: StrategyEntity, @Ctx() ctx: Context) {
    const legs = ctx.loaders.legsByStrategy.peek(s.id);
    return legs ? legs.length : ctx.loaders.legsByStrategy.load(s.id).then((l) => l.length);
  }

  @FieldResolver(() => [LegType], { description: 'the OPEN legs ordered by legOrder, then the CLOSED ones' })
  legs(@Root() s: StrategyEntity, @Ctx() ctx: Context) {
    return ctx.loaders.legsByStrategy.peek(s.id) ?? ctx.loaders.legsByStrategy.load(s.id);
  }

  @FieldResolver(() => [TagType], { description: "ordered by the tag's displayOrder" })
  tags(@Root() s: StrategyEntity, @Ctx() ctx: Context) {
    const links = ctx.loaders.tagsByStrategy.peek(s.id);
    return links ? links.map((r) => r.tag) : ctx.loaders.tagsByStrategy.load(s.id).then((l) => l.map((r) => r.tag));
  }

  @FieldResolver(() => StrategyMetricsType, { nullable: true, description: 'null until the first computation' })
  metrics(@Root() s: StrategyEntity, @Ctx() ctx: Context) {
    // Money and greeks are the sums of the legs in this response (one snapshot per read); payoff and calculatedAt are
    // the worker's last computation, and `stale` says whether a newer one is pending.
    const m = ctx.loaders.metrics.peek(s.id);
    const legs = ctx.loaders.legsByStrategy.peek(s.id);
    if (m !== undefined && legs) return metricsView(s, m, ctx.app.legCache.strategySums(s.id, legs));
    return Promise.all([ctx.loaders.metrics.load(s.id), ctx.loaders.sums.load(s.id)]).then(([stored, t]) =>
      metricsView(s, stored, t),
    );
  }

  @FieldResolver(() => [M2MCandleType])
  m2m(
    @Root() s: StrategyEntity,
    @Ctx() ctx: Context,
    @Arg('from', () => Date, { nullable: true }) from: Date | null,
    @Arg('to', () => Date, { nullable: true }) to: Date | null,
  ) {
    return ctx.app.candles.list(s.id, from, to);
  }

  @FieldResolver(() => [StrategyVersionType])
  async versions(@Root() s: StrategyEntity, @Ctx() ctx: Context) {
    return (await ctx.loaders.versions.load(s.id)).map((v) => ({
      ...v,
      details: v.details == null ? null : JSON.stringify(v.details),
    }));
  }

  @FieldResolver(() => [StrategyType_], { description: 'strategies this one was combined or split from' })
  async ancestors(@Root() s: StrategyEntity, @Ctx() ctx: Context) {
    return (await ctx.loaders.ancestors.load(s.id)).map((r) => r.strategy);
  }

  @FieldResolver(() => [StrategyType_])
  async descendants(@Root() s: StrategyEntity, @Ctx() ctx: Context) {
    return (await ctx.loaders.descendants.load(s.id)).map((r) => r.strategy);
  }
}

@Resolver(() => StrategyDetectionType)
export class StrategyDetectionResolver {
  @FieldResolver(() => [LegType])
  legs(@Root() d: { legIds: string[] }, @Ctx() ctx: Context) {
    return ctx.loaders.leg.loadMany(d.legIds);
  }
}
