import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Info, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { DateScalar } from '../../common/scalars';
import { GroupBy } from '../../common/enums';
import { requireUser, type Context } from '../../context';
import { strategyConnection } from '../strategy/strategy.loaders';
import { PortfolioSnapshotType } from '../batch/batch.types';
import { StrategyConnection, StrategyFilter, StrategyGroup, PortfolioTotals } from '../strategy/strategy.types';
import type { PortfolioEntity } from './portfolio.entity';
import { PortfolioType } from './portfolio.types';

@Resolver(() => PortfolioType)
export class PortfolioResolver {
  @Query(() => [PortfolioType])
  portfolios(@Ctx() ctx: Context) {
    return ctx.app.portfolios.list(requireUser(ctx));
  }

  @Query(() => PortfolioType, { nullable: true })
  portfolio(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.app.portfolios.get(requireUser(ctx), id);
  }

  @Mutation(() => PortfolioType)
  createPortfolio(@Arg('name', () => String) name: string, @Ctx() ctx: Context) {
    return ctx.app.portfolios.create(requireUser(ctx), name);
  }

  @Mutation(() => PortfolioType)
  renamePortfolio(@Arg('id', () => ID) id: string, @Arg('name', () => String) name: string, @Ctx() ctx: Context) {
    return ctx.app.portfolios.rename(requireUser(ctx), id, name);
  }

  @Mutation(() => Boolean)
  deletePortfolio(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.app.portfolios.delete(requireUser(ctx), id);
  }

  @FieldResolver(() => StrategyConnection)
  strategies(
    @Root() p: PortfolioEntity,
    @Ctx() ctx: Context,
    @Arg('filter', () => StrategyFilter, { nullable: true }) filter: StrategyFilter | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 100 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Info() info: GraphQLResolveInfo,
  ) {
    return strategyConnection(ctx, { portfolioId: p.id }, filter, first, after, info);
  }

  @FieldResolver(() => [StrategyGroup])
  groupedStrategies(
    @Root() p: PortfolioEntity,
    @Ctx() ctx: Context,
    @Arg('by', () => GroupBy) by: GroupBy,
    @Arg('filter', () => StrategyFilter, { nullable: true }) filter: StrategyFilter | null,
  ) {
    return ctx.app.queries.grouped(requireUser(ctx), ctx.loaders, p.id, by, filter);
  }

  @FieldResolver(() => PortfolioTotals)
  totals(@Root() p: PortfolioEntity, @Ctx() ctx: Context) {
    return ctx.app.queries.portfolioTotals(requireUser(ctx), ctx.loaders, p.id);
  }

  @FieldResolver(() => [PortfolioSnapshotType])
  snapshots(
    @Root() p: PortfolioEntity,
    @Ctx() ctx: Context,
    @Arg('from', () => DateScalar, { nullable: true }) from: string | null,
    @Arg('to', () => DateScalar, { nullable: true }) to: string | null,
  ) {
    return ctx.app.queries.snapshots(p.id, from, to);
  }
}
