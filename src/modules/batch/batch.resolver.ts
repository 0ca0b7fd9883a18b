import { Arg, Ctx, FieldResolver, Float, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireUser, type Context } from '../../context';
import { BatchRunEntity, BatchRunKind } from './batch.entity';
import { progressOf } from './batch.service';
import { BatchRunType, ImportStarted, StrategyPerformanceType } from './batch.types';

@Resolver(() => BatchRunType)
export class BatchResolver {
  @Query(() => BatchRunType, { nullable: true })
  batchRun(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.app.batches.get(requireUser(ctx), id);
  }

  @Query(() => [StrategyPerformanceType])
  performanceByStrategyType(@Arg('portfolioId', () => ID) portfolioId: string, @Ctx() ctx: Context) {
    return ctx.app.performance.byStrategyType(requireUser(ctx), portfolioId);
  }

  @Query(() => [StrategyPerformanceType])
  performanceByTag(@Arg('portfolioId', () => ID) portfolioId: string, @Ctx() ctx: Context) {
    return ctx.app.performance.byTag(requireUser(ctx), portfolioId);
  }

  @Mutation(() => ImportStarted)
  async importPositions(
    @Arg('portfolioId', () => ID) portfolioId: string,
    @Arg('csv', () => String) csv: string,
    @Ctx() ctx: Context,
  ) {
    return { run: await ctx.app.batches.importPositions(requireUser(ctx), portfolioId, csv) };
  }

  @Mutation(() => BatchRunType)
  recomputeMetrics(@Arg('portfolioId', () => ID) portfolioId: string, @Ctx() ctx: Context) {
    return ctx.app.batches.recomputePortfolio(requireUser(ctx), portfolioId);
  }

  @Mutation(() => BatchRunType)
  startBatchRun(
    @Arg('kind', () => BatchRunKind) kind: BatchRunKind,
    @Ctx() ctx: Context,
    @Arg('force', () => Boolean, { nullable: true, defaultValue: false }) force: boolean,
  ) {
    return ctx.app.batches.start(requireUser(ctx), kind, force);
  }

  @FieldResolver(() => Float, { description: '0..1' })
  progress(@Root() run: BatchRunEntity) {
    return progressOf(run);
  }
}
