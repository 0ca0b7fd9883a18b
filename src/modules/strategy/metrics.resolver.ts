import Decimal from 'decimal.js';
import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { toDecimal } from '../../common/columns';
import { badInput } from '../../common/errors';
import { analyzePayoff } from '../../domain/payoff';
import type { Context } from '../../context';
import { envOfLegs } from '../leg/leg.rows';
import type { PayoffSource } from '../risk/risk.service';
import type { StrategyMetricsEntity } from './strategy.entity';
import { PayoffAnalysisType, PayoffPoint, StrategyMetricsType } from './strategy.types';

/** A payoff: a strategy's stored one (its legs loaded by id) or a preview's, which carries its legs. */
export type PayoffRoot = PayoffSource & {
  maxProfit: Decimal | null;
  maxLoss: Decimal | null;
  breakEvenPoints: Decimal[];
};

@Resolver(() => StrategyMetricsType)
export class StrategyMetricsResolver {
  @FieldResolver(() => PayoffAnalysisType, {
    nullable: true,
    description: 'null for multi-underlying strategies and for PRIVATE legs',
  })
  payoff(@Root() m: StrategyMetricsEntity): PayoffRoot | null {
    return (
      m.payoff && {
        strategyId: m.strategyId,
        maxProfit: toDecimal(m.payoff.maxProfit),
        maxLoss: toDecimal(m.payoff.maxLoss),
        breakEvenPoints: m.payoff.breakEvenPoints.map((b) => new Decimal(b)),
      }
    );
  }
}

@Resolver(() => PayoffAnalysisType)
export class PayoffResolver {
  /** The curve is not stored: it is evaluated on demand from the legs and the latest prices. */
  @FieldResolver(() => [PayoffPoint])
  async curve(
    @Root() p: PayoffRoot,
    @Ctx() ctx: Context,
    @Arg('points', () => Int, { nullable: true, defaultValue: 50 }) points: number,
  ) {
    if (points < 2 || points > 1000) throw badInput('points must be between 2 and 1000', 'points');
    const legs = await ctx.app.risk.payoffLegs(ctx.loaders, p);
    return analyzePayoff(legs, envOfLegs(ctx.app.cfg, legs, ctx.loaders.now))?.curve(points) ?? [];
  }
}
