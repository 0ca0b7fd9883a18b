import Decimal from 'decimal.js';
import type Redis from 'ioredis';
import { badInput, forbidden, limitExceeded } from '../../common/errors';
import type { AuthUser } from '../../context';
import { parseOccSymbol } from '../../domain/occ';
import { isTradingDay, newYorkDate } from '../../domain/trading-calendar';
import { DomainError } from '../../domain/errors';
import { logger } from '../../logger';
import type { UnitOfWork } from '../../infra/unit-of-work';

export interface PriceTick {
  symbol: string;
  price: Decimal;
  at?: Date | null;
}
export const MAX_PRICES_PER_CALL = 5000;
const SYMBOL = /^[A-Z0-9._ -]{1,64}$/;

/** A symbol as prices are stored under it: trimmed, upper-cased, OCC in the compact form; DomainError when invalid. */
export function parseSymbol(raw: string): string {
  let symbol = raw.trim().toUpperCase();
  symbol = parseOccSymbol(symbol)?.symbol ?? symbol;
  if (!SYMBOL.test(symbol)) throw new DomainError(`invalid symbol ${JSON.stringify(raw)}`, 'symbol');
  return symbol;
}

/** parseSymbol with BAD_USER_INPUT on `field`. */
export function normaliseSymbol(raw: string, field: string): string {
  try {
    return parseSymbol(raw);
  } catch (e) {
    if (e instanceof DomainError) throw badInput(e.message, field);
    throw e;
  }
}

/**
 * Upserts the daily bars of prices (symbol, price, at) in one statement: each price belongs to the NYSE trading day
 * of its New York date (other days have no bar); the first price of a new day opens it, high and low widen, and the
 * latest price by time is the close (an older tick arriving late does not replace it).
 */
export const UPSERT_BARS_SQL = `INSERT INTO daily_bars (symbol, date, open, high, low, close, close_at)
  SELECT symbol, date, (array_agg(price ORDER BY at))[1], max(price), min(price),
         (array_agg(price ORDER BY at DESC))[1], max(at)
  FROM jsonb_to_recordset($1::jsonb) AS x(symbol text, date date, price numeric, at timestamptz) GROUP BY symbol, date
  ORDER BY symbol, date
  ON CONFLICT (symbol, date) DO UPDATE SET
    high = greatest(daily_bars.high, EXCLUDED.high), low = least(daily_bars.low, EXCLUDED.low),
    close = CASE WHEN daily_bars.close_at IS NULL OR EXCLUDED.close_at >= daily_bars.close_at
                 THEN EXCLUDED.close ELSE daily_bars.close END,
    close_at = greatest(daily_bars.close_at, EXCLUDED.close_at)`;

/** The prices that make daily bars: those dated on a trading day (New York), with that date. */
export function barTicks(
  rows: readonly { symbol: string; price: string; at: string }[],
): { symbol: string; date: string; price: string; at: string }[] {
  const out = [];
  for (const r of rows) {
    const date = newYorkDate(new Date(r.at));
    if (isTradingDay(date)) out.push({ ...r, date });
  }
  return out;
}

export class MarketDataService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly redis: Redis,
  ) {}

  /**
   * Stores the ticks (history + latest in PostgreSQL, latest in Redis), marks every active strategy holding
   * the symbols or options on them stale in the same transaction; their recomputation is enqueued (in chunks) after
   * the commit.
   */
  async publish(user: AuthUser, ticks: PriceTick[]): Promise<number> {
    if (!user.isAdmin) throw forbidden();
    if (ticks.length > MAX_PRICES_PER_CALL)
      throw limitExceeded(`At most ${MAX_PRICES_PER_CALL} prices per call`, 'prices');
    const rows = ticks.map((t, i) => {
      let symbol: string;
      try {
        symbol = parseSymbol(t.symbol);
      } catch (e) {
        if (e instanceof DomainError) throw badInput(`prices[${i}]: ${e.message}`, 'symbol');
        throw e;
      }
      if (t.price.isNegative()) throw badInput(`prices[${i}]: price must be ≥ 0`, 'price');
      return { symbol, price: t.price.toString(), at: (t.at ?? new Date()).toISOString() };
    });
    if (!rows.length) return 0;
    const symbols = [...new Set(rows.map((r) => r.symbol))];
    await this.uow.run(async (m, c) => {
      const json = JSON.stringify(rows);
      await m.query(
        `INSERT INTO prices (symbol, price, at)
         SELECT symbol, price, at FROM jsonb_to_recordset($1::jsonb) AS x(symbol text, price numeric, at timestamptz)`,
        [json],
      );
      // The latest tick per symbol wins; an older tick arriving late never overwrites a newer price.
      await m.query(
        `INSERT INTO market_data (symbol, last_price, price_at)
         SELECT DISTINCT ON (symbol) symbol, price, at
         FROM jsonb_to_recordset($1::jsonb) AS x(symbol text, price numeric, at timestamptz) ORDER BY symbol, at DESC
         ON CONFLICT (symbol) DO UPDATE SET last_price = EXCLUDED.last_price, price_at = EXCLUDED.price_at
         WHERE market_data.price_at IS NULL OR market_data.price_at <= EXCLUDED.price_at`,
        [json],
      );
      const bars = barTicks(rows);
      if (bars.length) await m.query(UPSERT_BARS_SQL, [JSON.stringify(bars)]);
      // TypeORM answers an UPDATE with [rows, rowCount].
      const [hit]: [{ id: string }[], number] = await m.query(
        `WITH hit AS (SELECT id FROM strategies
                      WHERE status = 'ACTIVE' AND id IN (SELECT strategy_id FROM legs
                        WHERE status = 'OPEN' AND (symbol = ANY($1) OR underlying_symbol = ANY($1)))
                      ORDER BY id FOR NO KEY UPDATE)
         UPDATE strategies s SET stale = true, row_version = row_version + 1 FROM hit WHERE s.id = hit.id
         RETURNING s.id`,
        [symbols],
      );
      hit.forEach((h) => c.recompute.add(h.id));
    });
    try {
      const latest = new Map(rows.map((r) => [r.symbol, r.price]));
      await this.redis.hset('prices:latest', Object.fromEntries(latest));
    } catch (e) {
      logger.warn({ err: (e as Error).message }, 'latest prices not cached in Redis');
    }
    return rows.length;
  }
}
