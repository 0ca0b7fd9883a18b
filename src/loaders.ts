import type { DataSource } from 'typeorm';
import type { Config } from './config';
import { createBatchLoaders } from './modules/batch/batch.loaders';
import { createHistoryLoaders } from './modules/history/history.loaders';
import type { LegCache } from './modules/leg/leg.cache';
import { createLegLoaders } from './modules/leg/leg.loaders';
import { createMarketDataLoaders } from './modules/market-data/market-data.loaders';
import { PriceSnapshot, valuationInstant } from './modules/market-data/price-snapshot';
import { createNodeLoaders } from './modules/node/node.loaders';
import { createPortfolioLoaders } from './modules/portfolio/portfolio.loaders';
import { createStrategyLoaders } from './modules/strategy/strategy.loaders';
import { createTagLoaders } from './modules/tag/tag.loaders';

/** What a request's loaders read with: the process's DataSource, configuration and legs cache (App has them). */
export interface LoaderDeps {
  ds: DataSource;
  cfg: Config;
  legCache: LegCache;
}

/**
 * A request's DataLoaders (created per request, as Twenty's createLoaders()): each feature's own, from its
 * `<feature>.loaders.ts`, one statement per level. `snapshot` is the prices and the one instant (`now`) every
 * valuation of this request is made at (see PriceSnapshot).
 */
export function createLoaders({ ds, cfg, legCache }: LoaderDeps) {
  const snapshot = new PriceSnapshot(cfg, valuationInstant());
  const legs = createLegLoaders(ds, legCache, snapshot);
  return {
    ...legs,
    ...createStrategyLoaders(ds, legCache, legs.legsByStrategy),
    ...createTagLoaders(ds),
    ...createPortfolioLoaders(ds),
    ...createMarketDataLoaders(ds),
    ...createBatchLoaders(ds),
    ...createNodeLoaders(ds),
    history: createHistoryLoaders(ds, snapshot.now),
    snapshot,
    now: snapshot.now,
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
