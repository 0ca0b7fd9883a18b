import { Arg, Ctx, FieldResolver, Float, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { DecimalScalar } from '../../common/scalars';
import { requireUser, type Context } from '../../context';
import type { PortfolioEntity } from '../portfolio/portfolio.entity';
import { PortfolioType } from '../portfolio/portfolio.types';
import type { PayoffRoot } from '../strategy/metrics.resolver';
import type { StrategyEntity } from '../strategy/strategy.entity';
import { PayoffAnalysisType, PayoffPoint, StrategyType_ } from '../strategy/strategy.types';
import {
  DataQualityType,
  ScenarioInput,
  ScenarioResultType,
  StrategyPreviewType,
  StressResultType,
} from './risk.types';

@Resolver(() => StrategyType_)
export class StrategyRiskResolver {
  @FieldResolver(() => DataQualityType, {
    description:
      'how the open legs are priced and how much history exists; explains a null payoff or null performance figures',
  })
  dataQuality(@Root() s: StrategyEntity, @Ctx() ctx: Context) {
    return ctx.app.risk.dataQuality(ctx.loaders, s);
  }

  @FieldResolver(() => ScenarioResultType, { description: 'the open legs valued under one what-if scenario' })
  scenario(
    @Root() s: StrategyEntity,
    @Ctx() ctx: Context,
    @Arg('input', () => ScenarioInput, {
      description: 'price move, volatility shift, days forward and an optional label',
    })
    input: ScenarioInput,
  ) {
    return ctx.app.risk.scenario(ctx.loaders, s, input);
  }

  @FieldResolver(() => [ScenarioResultType], {
    description:
      'one result per (price change, vol change) pair, price changes outer, in the order given; at most 200 pairs',
  })
  scenarioGrid(
    @Root() s: StrategyEntity,
    @Ctx() ctx: Context,
    @Arg('priceChangesPct', () => [Float], { description: 'moves of every underlying, in percent' })
    priceChangesPct: number[],
    @Arg('volChangesPts', () => [Float], {
      nullable: true,
      defaultValue: [0],
      description: 'implied volatility shifts, in points',
    })
    volChangesPts: number[] | null,
    @Arg('daysForward', () => Int, {
      nullable: true,
      defaultValue: 0,
      description: 'calendar days forward, 0 to 3,650, for every pair',
    })
    daysForward: number | null,
  ) {
    return ctx.app.risk.scenarioGrid(ctx.loaders, s, priceChangesPct, volChangesPts, daysForward);
  }
}

@Resolver(() => PortfolioType)
export class PortfolioRiskResolver {
  @FieldResolver(() => [StressResultType], {
    description:
      "the active strategies' open legs under each scenario, with the five worst strategies; at most 50 scenarios",
  })
  stressTest(
    @Root() p: PortfolioEntity,
    @Ctx() ctx: Context,
    @Arg('scenarios', () => [ScenarioInput], {
      nullable: true,
      description:
        'omitted: the standard set: -20 %, -10 %, -5 %, +5 %, +10 %, +20 %, vol +10, vol -10, crash (-20 % / vol +15)',
    })
    scenarios: ScenarioInput[] | null,
  ) {
    return ctx.app.risk.stressTest(requireUser(ctx), ctx.loaders, p, scenarios);
  }

  @FieldResolver(() => Float, {
    nullable: true,
    description:
      'Σ delta × underlying price × beta ÷ benchmark price over the open legs, in benchmark shares; ' +
      'null when the benchmark has no price or an underlying has no price or fewer than 20 common daily closes',
  })
  betaWeightedDelta(
    @Root() p: PortfolioEntity,
    @Ctx() ctx: Context,
    @Arg('benchmark', () => String, { nullable: true, defaultValue: 'SPY', description: 'benchmark ticker' })
    benchmark: string | null,
  ) {
    return ctx.app.risk.betaWeightedDelta(requireUser(ctx), ctx.loaders, p, benchmark);
  }
}

@Resolver(() => PayoffAnalysisType)
export class PayoffRiskResolver {
  @FieldResolver(() => [PayoffPoint], {
    description:
      "value now (or daysForward on, with the vol shift) by Black-Scholes on curve's price grid, " +
      'P&L against the entry prices',
  })
  tZeroCurve(
    @Root() p: PayoffRoot,
    @Ctx() ctx: Context,
    @Arg('points', () => Int, {
      nullable: true,
      defaultValue: 50,
      description: 'evenly spaced prices, 2 to 1000 (strikes and break-evens are added)',
    })
    points: number | null,
    @Arg('daysForward', () => Int, {
      nullable: true,
      defaultValue: 0,
      description: 'calendar days from now, 0 to 3,650',
    })
    daysForward: number | null,
    @Arg('volChangePts', () => Float, {
      nullable: true,
      defaultValue: 0,
      description: 'implied volatility shift in points, -100 to 500',
    })
    volChangePts: number | null,
  ) {
    return ctx.app.risk.tZeroCurve(ctx.loaders, p, points ?? 50, daysForward, volChangePts);
  }

  @FieldResolver(() => Float, {
    nullable: true,
    description:
      'probability (0–1) that the payoff at the earliest expiry is positive, the underlying lognormal with the ' +
      "option legs' mean implied volatility; null without options or an underlying price",
  })
  async probabilityOfProfit(@Root() p: PayoffRoot, @Ctx() ctx: Context) {
    return (await ctx.app.risk.expiryFigures(ctx.loaders, p))?.pop ?? null;
  }

  @FieldResolver(() => DecimalScalar, {
    nullable: true,
    description:
      'one standard deviation of the underlying up to the earliest expiry (spot × vol × √T); ' +
      'null without options or an underlying price',
  })
  async expectedMove(@Root() p: PayoffRoot, @Ctx() ctx: Context) {
    return (await ctx.app.risk.expiryFigures(ctx.loaders, p))?.move ?? null;
  }
}

@Resolver(() => StrategyPreviewType)
export class StrategyPreviewResolver {
  @Query(() => StrategyPreviewType, {
    description:
      "what combineLegs would make of these legs (the caller's open legs of one portfolio): " +
      'type, name and payoff; writes nothing',
  })
  previewStrategy(
    @Arg('legIds', () => [ID], { description: 'the legs to combine' }) legIds: string[],
    @Ctx() ctx: Context,
  ) {
    return ctx.app.risk.preview(requireUser(ctx), ctx.loaders, legIds);
  }
}
