import Decimal from 'decimal.js';
import { Arg, Ctx, FieldResolver, Float, ID, Mutation, Resolver, Root } from 'type-graphql';
import { notFound } from '../../common/errors';
import { DecimalScalar } from '../../common/scalars';
import { PriceSource } from '../../domain/types';
import { requireUser, type Context } from '../../context';
import { StrategyType_ } from '../strategy/strategy.types';
import type { LegEntity } from './leg.entity';
import { CreatePositionInput, CreatePositionPayload, GreeksType, LegType } from './leg.types';

@Resolver(() => LegType)
export class LegResolver {
  @Mutation(() => CreatePositionPayload)
  createPosition(@Arg('input', () => CreatePositionInput) input: CreatePositionInput, @Ctx() ctx: Context) {
    return ctx.app.legs.createPosition(requireUser(ctx), input);
  }

  @Mutation(() => LegType)
  updateLeg(
    @Arg('id', () => ID) id: string,
    @Arg('quantity', () => DecimalScalar, { nullable: true }) quantity: Decimal | null,
    @Arg('entryPrice', () => DecimalScalar, { nullable: true }) entryPrice: Decimal | null,
    @Arg('impliedVolatility', () => Float, { nullable: true }) impliedVolatility: number | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.app.legs.updateLeg(requireUser(ctx), id, { quantity, entryPrice, impliedVolatility });
  }

  @Mutation(() => Boolean)
  deleteLeg(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.app.legs.deleteLeg(requireUser(ctx), id);
  }

  @FieldResolver(() => StrategyType_)
  async strategy(@Root() l: LegEntity, @Ctx() ctx: Context) {
    return (await ctx.loaders.strategy.load(l.strategyId)) ?? notFound('Strategy');
  }

  @FieldResolver(() => DecimalScalar, { nullable: true, description: 'latest published price of the symbol' })
  async lastPrice(@Root() l: LegEntity, @Ctx() ctx: Context) {
    return (await ctx.loaders.marketData.load(l.symbol))?.lastPrice ?? null;
  }

  @FieldResolver(() => PriceSource)
  async priceSource(@Root() l: LegEntity, @Ctx() ctx: Context) {
    return (await ctx.loaders.legValue.load(l)).priceSource;
  }

  @FieldResolver(() => DecimalScalar)
  async marketValue(@Root() l: LegEntity, @Ctx() ctx: Context) {
    return (await ctx.loaders.legValue.load(l)).marketValue;
  }

  @FieldResolver(() => DecimalScalar)
  async costBasis(@Root() l: LegEntity, @Ctx() ctx: Context) {
    return (await ctx.loaders.legValue.load(l)).costBasis;
  }

  @FieldResolver(() => DecimalScalar)
  async unrealizedPnl(@Root() l: LegEntity, @Ctx() ctx: Context) {
    return (await ctx.loaders.legValue.load(l)).unrealizedPnl;
  }

  @FieldResolver(() => GreeksType, { nullable: true, description: 'null for PRIVATE legs or when no underlying price is known' })
  async greeks(@Root() l: LegEntity, @Ctx() ctx: Context) {
    return (await ctx.loaders.legValue.load(l)).greeks;
  }
}
