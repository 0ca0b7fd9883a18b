import Decimal from 'decimal.js';
import { Arg, Ctx, FieldResolver, Float, ID, Mutation, Resolver, Root } from 'type-graphql';
import { notFound } from '../../common/errors';
import { DecimalScalar } from '../../common/scalars';
import { requireUser, type Context } from '../../context';
import { StrategyType_ } from '../strategy/strategy.types';
import type { LegEntity } from './leg.entity';
import { CreatePositionInput, CreatePositionPayload, LegType } from './leg.types';

@Resolver(() => LegType)
export class LegResolver {
  @Mutation(() => CreatePositionPayload)
  async createPosition(@Arg('input', () => CreatePositionInput) input: CreatePositionInput, @Ctx() ctx: Context) {
    const { leg, strategy } = await ctx.app.legs.createPosition(requireUser(ctx), input);
    return { leg: await ctx.loaders.leg.load(leg.id), strategy };
  }

  @Mutation(() => LegType)
  async updateLeg(
    @Arg('id', () => ID) id: string,
    @Arg('quantity', () => DecimalScalar, { nullable: true }) quantity: Decimal | null,
    @Arg('entryPrice', () => DecimalScalar, { nullable: true }) entryPrice: Decimal | null,
    @Arg('impliedVolatility', () => Float, { nullable: true }) impliedVolatility: number | null,
    @Ctx() ctx: Context,
  ) {
    const leg = await ctx.app.legs.updateLeg(requireUser(ctx), id, { quantity, entryPrice, impliedVolatility });
    return ctx.loaders.leg.load(leg.id);
  }

  @Mutation(() => Boolean)
  deleteLeg(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.app.legs.deleteLeg(requireUser(ctx), id);
  }

  @FieldResolver(() => StrategyType_)
  async strategy(@Root() l: LegEntity, @Ctx() ctx: Context) {
    return (await ctx.loaders.strategy.load(l.strategyId)) ?? notFound('Strategy');
  }
}
