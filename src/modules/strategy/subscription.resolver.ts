import { Arg, Ctx, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { PortfolioChangeKind } from '../../common/enums';
import { notFound } from '../../common/errors';
import { requireUser, type Context } from '../../context';
import { coalescing } from '../../infra/pubsub';
import { TOPICS } from '../../infra/queues';
import type { Loaders } from '../../loaders';
import { BatchRunType } from '../batch/batch.types';
import { M2MCandleType } from '../market-data/market-data.types';
import { PortfolioChange, StrategyType_ } from './strategy.types';

type Data = SubscribeResolverData<unknown, Record<string, string>, Context>;
interface MetricsBatch {
  ids: string[];
  loaders?: Loaders;
}
interface MetricsItem {
  strategyId: string;
  batch: MetricsBatch;
}
let sequence = 0;

async function ownPortfolio({ args, context }: Data): Promise<string> {
  const p = await context.app.portfolios.get(requireUser(context), args.portfolioId);
  if (!p) throw notFound('Portfolio', 'portfolioId');
  return p.id;
}

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => StrategyType_, {
    subscribe: async (d: Data) =>
      coalescing(
        d.context.app.pubSub.subscribe(TOPICS.strategyMetrics(await ownPortfolio(d))),
        (e: MetricsItem) => e.strategyId,
        undefined,
        (e) => {
          const batch: MetricsBatch = { ids: (e as { strategyIds: string[] }).strategyIds };
          return batch.ids.map((strategyId) => ({ strategyId, batch }));
        },
      ),
  })
  async strategyMetricsUpdated(
    @Root() e: MetricsItem,
    @Arg('portfolioId', () => ID) _portfolioId: string,
    @Ctx() ctx: Context,
  ) {
    // The strategies of one recomputation share loaders: their rows, metrics and legs come in one statement each.
    if (!e.batch.loaders) {
      e.batch.loaders = ctx.app.createLoaders();
      const { loaders, ids } = e.batch;
      await Promise.all([
        loaders.strategy.loadMany(ids),
        loaders.metrics.loadMany(ids),
        loaders.legsByStrategy.loadMany(ids),
      ]);
    }
    ctx.loaders = e.batch.loaders;
    return ctx.loaders.strategy.load(e.strategyId);
  }

  @Subscription(() => PortfolioChange, {
    // Structural changes are never coalesced; the bound only drops the oldest of a runaway backlog.
    // After an outage of the event connection, a RESYNC change says that events may have been missed.
    subscribe: async (d: Data) => {
      const portfolioId = await ownPortfolio(d);
      const source = d.context.app.pubSub.subscribe(TOPICS.portfolioChanged(portfolioId));
      return coalescing(source, () => String(++sequence), undefined, undefined, {
        events: d.context.app.resync,
        item: () => ({ portfolioId, kind: PortfolioChangeKind.RESYNC, strategyIds: [], at: new Date().toISOString() }),
      });
    },
  })
  portfolioChanged(@Root() e: PortfolioChange & { at: string }, @Arg('portfolioId', () => ID) _portfolioId: string) {
    return { ...e, at: new Date(e.at) };
  }

  @Subscription(() => M2MCandleType, {
    subscribe: async ({ args, context }: Data) => {
      const s = await context.app.strategies.get(requireUser(context), args.strategyId);
      if (!s) throw notFound('Strategy', 'strategyId');
      return coalescing(
        context.app.pubSub.subscribe(TOPICS.m2m(s.id)),
        (e) => (e as { bucketStart: string }).bucketStart,
      );
    },
  })
  m2mUpdated(@Root() e: { bucketStart: string }, @Arg('strategyId', () => ID) _strategyId: string) {
    return { ...e, bucketStart: new Date(e.bucketStart) };
  }

  @Subscription(() => BatchRunType, {
    subscribe: async ({ args, context }: Data) => {
      const run = await context.app.batches.get(requireUser(context), args.id);
      if (!run) throw notFound('Batch run', 'id');
      return coalescing(context.app.pubSub.subscribe(TOPICS.batchRun(run.id)), () => run.id);
    },
  })
  batchRunProgress(@Root() e: { id: string }, @Arg('id', () => ID) _id: string, @Ctx() ctx: Context) {
    return ctx.app.batches.get(requireUser(ctx), e.id);
  }
}
