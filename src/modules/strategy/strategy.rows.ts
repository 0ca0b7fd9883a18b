import type { DataSource } from 'typeorm';
import { rowsOf } from '../../infra/rows';
import { StrategyEntity, StrategyMetricsEntity } from './strategy.entity';

/** How a read selects a strategies row and makes it a StrategyEntity (from the entity's columns, see rowsOf). */
export const strategyRows = (ds: DataSource) => rowsOf(ds, StrategyEntity);

/**
 * What a read takes from strategy_metrics: the worker's payoff analysis and when it made it. The figures a read shows
 * (market value, P&L, greeks) are the sums of its own legs (the `sums` loader), not the stored ones.
 */
export type StoredMetrics = Pick<StrategyMetricsEntity, 'strategyId' | 'payoff' | 'calculatedAt'>;
export const storedMetricsRows = (ds: DataSource) =>
  rowsOf(ds, StrategyMetricsEntity, ['strategyId', 'payoff', 'calculatedAt']);
