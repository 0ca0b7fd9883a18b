import DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import { requireUser, type Context } from '../../context';
import type { DataSource } from 'typeorm';
import { read } from '../../data-source';
import type { ValuationTotals } from '../../domain/valuation';
import { byId, children, Loader } from '../../infra/loader';
import { rowsOf } from '../../infra/rows';
import type { LegCache } from '../leg/leg.cache';
import type { LegView } from '../leg/leg.rows';
import { StrategyVersionEntity } from './strategy.entity';
import { strategyPrefetch, type Scope } from './strategy.queries';
import { storedMetricsRows, strategyRows, type StoredMetrics } from './strategy.rows';
import type { StrategyFilter } from './strategy.types';

/**
 * A request's strategy loaders. `sums` is a strategy's figures in this response: the sum of its legs' valuations
 * (the same leg views the response shows, from `legsByStrategy`), what Strategy.metrics and the totals report — the
 * one place where a strategy's legs are summed on the read path.
 */
export function createStrategyLoaders(
  ds: DataSource,
  cache: LegCache,
  legsByStrategy: DataLoader<string, Readonly<LegView>[]>,
) {
  const strategies = strategyRows(ds);
  /** Lineage in one direction: the ancestors or the descendants of each key. */
  const lineage = (dir: 'ancestors' | 'descendants') =>
    children(
      async (keys) => {
        const [mine, other] = dir === 'ancestors' ? ['descendant_id', 'ancestor_id'] : ['ancestor_id', 'descendant_id'];
        const rows = await read<Record<string, unknown> & { key: string }>(
          ds,
          `SELECT l.${mine} AS key, ${strategies.select('s')}
           FROM strategy_lineage l JOIN strategies s ON s.id = l.${other}
           WHERE l.${mine} = ANY($1) ORDER BY s.created_at, s.id`,
          [keys],
        );
        return rows.map((r) => ({ key: r.key, strategy: strategies.from(r) }));
      },
      (r) => r.key,
    );
  return {
    strategy: byId(async (keys) =>
      (await read(ds, `SELECT ${strategies.select('s')} FROM strategies s WHERE s.id = ANY($1)`, [keys])).map((r) =>
        strategies.from(r),
      ),
    ),
    metrics: new Loader<StoredMetrics | null>(async (keys) => {
      const metrics = storedMetricsRows(ds);
      const rows = await read(
        ds,
        `SELECT ${metrics.select('m')} FROM strategy_metrics m WHERE m.strategy_id = ANY($1)`,
        [keys],
      );
      const byId = new Map(rows.map((r) => [r.strategy_id as string, metrics.from(r)]));
      return keys.map((k) => byId.get(k) ?? null);
    }),
    versions: children(
      async (keys) => {
        const versions = rowsOf(ds, StrategyVersionEntity);
        const rows = await read(
          ds,
          `SELECT ${versions.select('v')} FROM strategy_versions v WHERE v.strategy_id = ANY($1) ORDER BY v.version`,
          [keys],
        );
        return rows.map((r) => versions.from(r));
      },
      (v) => v.strategyId,
    ),
    ancestors: lineage('ancestors'),
    descendants: lineage('descendants'),
    sums: new DataLoader<string, Readonly<ValuationTotals>>(async (ids) =>
      (await legsByStrategy.loadMany(ids)).map((legs, i) =>
        legs instanceof Error ? legs : cache.strategySums(ids[i], legs),
      ),
    ),
  };
}

/**
 * A strategies connection for a resolver: the read (StrategyQueries.connection, which returns data) with what the
 * query selects under `edges.node`, then the request's loaders primed with what came with the page, so the nested
 * fields answer from them.
 */
export async function strategyConnection(
  ctx: Context,
  scope: Scope,
  filter: StrategyFilter | null,
  first: number,
  after: string | null,
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>,
) {
  const { loaders } = ctx;
  const page = await ctx.app.queries.connection(
    requireUser(ctx),
    scope,
    filter,
    first,
    after,
    strategyPrefetch(info, loaders.snapshot),
  );
  for (const e of page.edges) loaders.strategy.prime(e.node.id, e.node);
  for (const [id, m] of page.metrics ?? []) loaders.metrics.prime(id, m);
  for (const [id, legs] of page.legs ?? []) loaders.legsByStrategy.prime(id, legs);
  for (const [id, tags] of page.tags ?? []) loaders.tagsByStrategy.prime(id, tags);
  return { edges: page.edges, pageInfo: page.pageInfo, totalCount: page.totalCount };
}
