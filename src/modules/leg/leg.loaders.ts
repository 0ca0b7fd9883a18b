import type { DataSource } from 'typeorm';
import { read } from '../../data-source';
import { byId, children } from '../../infra/loader';
import type { PriceSnapshot } from '../market-data/price-snapshot';
import type { LegCache } from './leg.cache';
import { LEG_KEY_COLUMNS, LEG_ORDER, LEG_PRICE_JOINS, type LegKeyRow, type LegView } from './leg.rows';

/**
 * Legs with their valuation: the latest prices of each leg's symbol and underlying come in the same statement,
 * so marketValue, P&L and greeks are plain properties (no further query, promise or resolver per leg).
 * One statement when every row is known to `cache`; a second one reads the rows that are not. Valued in `snapshot`
 * (a request's own, see PriceSnapshot).
 */
export async function loadLegViews(
  ds: DataSource,
  cache: LegCache,
  column: 'l.strategy_id' | 'l.id',
  keys: readonly string[],
  snapshot: PriceSnapshot,
): Promise<Readonly<LegView>[]> {
  const rows = await read<LegKeyRow>(
    ds,
    `SELECT ${LEG_KEY_COLUMNS} FROM legs l ${LEG_PRICE_JOINS} WHERE ${column} = ANY($1) ORDER BY ${LEG_ORDER}`,
    [keys],
  );
  return cache.views(ds, rows, snapshot);
}

/** A request's leg loaders: by strategy and by id, valued in the request's snapshot. */
export function createLegLoaders(ds: DataSource, cache: LegCache, snapshot: PriceSnapshot) {
  return {
    legsByStrategy: children(
      (keys) => loadLegViews(ds, cache, 'l.strategy_id', keys, snapshot),
      (l) => l.strategyId,
    ),
    leg: byId((keys) => loadLegViews(ds, cache, 'l.id', keys, snapshot)),
  };
}
