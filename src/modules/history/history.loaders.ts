import DataLoader from 'dataloader';
import Decimal from 'decimal.js';
import type { DataSource } from 'typeorm';
import { read } from '../../data-source';
import { previousCloseDay } from '../../domain/trading-calendar';

/** Realized P&L of a legs row `l` in SQL (0 while OPEN): sign × quantity × multiplier × (exit − entry). */
export const REALIZED_SQL = `CASE WHEN l.status = 'CLOSED'
  THEN (CASE WHEN l.position_type IN ('SHORT', 'SC', 'SP') THEN -1 ELSE 1 END)
  * l.quantity * l.multiplier * (l.exit_price - l.entry_price) ELSE 0 END`;

/** A request's history loaders: previous closes (for day P&L) and each portfolio's realized P&L. */
export function createHistoryLoaders(ds: DataSource, now: Date) {
  let previousDay: string | undefined;
  /** The previous trading day of the request's instant (worked out on first use: most requests need none). */
  const dayBefore = () => (previousDay ??= previousCloseDay(now));
  return {
    get previousDay(): string {
      return dayBefore();
    },
    // The last close on or before the previous trading day, per symbol: one statement per request.
    previousClose: new DataLoader<string, Decimal | null>(async (symbols) => {
      const rows = await read<{ symbol: string; close: string }>(
        ds,
        `SELECT DISTINCT ON (symbol) symbol, close::text FROM daily_bars
         WHERE symbol = ANY($1) AND date <= $2 ORDER BY symbol, date DESC`,
        [symbols, dayBefore()],
      );
      const m = new Map(rows.map((r) => [r.symbol, new Decimal(r.close)]));
      return symbols.map((s) => m.get(s) ?? null);
    }),
    realizedOfPortfolio: new DataLoader<string, Decimal>(async (ids) => {
      const rows = await read<{ portfolio_id: string; realized: string }>(
        ds,
        `SELECT l.portfolio_id, sum(${REALIZED_SQL})::text AS realized FROM legs l
         WHERE l.portfolio_id = ANY($1) AND l.status = 'CLOSED' GROUP BY l.portfolio_id`,
        [ids],
      );
      const m = new Map(rows.map((r) => [r.portfolio_id, new Decimal(r.realized)]));
      return ids.map((id) => m.get(id) ?? new Decimal(0));
    }),
  };
}
