import Decimal from 'decimal.js';
import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { badInput, forbidden, limitExceeded } from '../../common/errors';
import type { AuthUser } from '../../context';
import { parseOccSymbol } from '../../domain/occ';
import { DomainError } from '../../domain/errors';
import { logger } from '../../logger';
import type { RecomputeProducer } from '../../infra/queues';

export interface PriceTick { symbol: string; price: Decimal; at?: Date | null }
export const MAX_PRICES_PER_CALL = 5000;
const SYMBOL = /^[A-Z0-9._ -]{1,64}$/;

export class MarketDataService {
  constructor(private readonly ds: DataSource, private readonly redis: Redis, private readonly producer: RecomputeProducer) {}

  /**
   * Stores the ticks (history + latest in PostgreSQL, latest in Redis), marks every active strategy holding
   * the symbols or options on them stale in the same transaction, then enqueues their recomputation in chunks.
   */
  async publish(user: AuthUser, ticks: PriceTick[]): Promise<number> {
    if (!user.isAdmin) throw forbidden();
    if (ticks.length > MAX_PRICES_PER_CALL) throw limitExceeded(`At most ${MAX_PRICES_PER_CALL} prices per call`, 'prices');
    const rows = ticks.map((t, i) => {
      let symbol = t.symbol.trim().toUpperCase();
      try {
        symbol = parseOccSymbol(symbol)?.symbol ?? symbol;
      } catch (e) {
        if (e instanceof DomainError) throw badInput(`prices[${i}]: ${e.message}`, 'symbol');
        throw e;
      }
      if (!SYMBOL.test(symbol)) throw badInput(`prices[${i}]: invalid symbol ${JSON.stringify(t.symbol)}`, 'symbol');
      if (t.price.isNegative()) throw badInput(`prices[${i}]: price must be ≥ 0`, 'price');
      return { symbol, price: t.price.toString(), at: (t.at ?? new Date()).toISOString() };
    });
    if (!rows.length) return 0;
    const symbols = [...new Set(rows.map((r) => r.symbol))];
    const affected: string[] = await this.ds.transaction(async (m) => {
      const json = JSON.stringify(rows);
      await m.query(`INSERT INTO prices (symbol, price, at) SELECT symbol, price, at FROM jsonb_to_recordset($1::jsonb) AS x(symbol text, price numeric, at timestamptz)`, [json]);
      // The latest tick per symbol wins; an older tick arriving late never overwrites a newer price.
      await m.query(
        `INSERT INTO market_data (symbol, last_price, price_at)
         SELECT DISTINCT ON (symbol) symbol, price, at FROM jsonb_to_recordset($1::jsonb) AS x(symbol text, price numeric, at timestamptz) ORDER BY symbol, at DESC
         ON CONFLICT (symbol) DO UPDATE SET last_price = EXCLUDED.last_price, price_at = EXCLUDED.price_at
         WHERE market_data.price_at IS NULL OR market_data.price_at <= EXCLUDED.price_at`, [json]);
      // TypeORM answers an UPDATE with [rows, rowCount].
      const [hit]: [{ id: string }[], number] = await m.query(
        `WITH hit AS (SELECT id FROM strategies WHERE status = 'ACTIVE' AND id IN (SELECT strategy_id FROM legs WHERE symbol = ANY($1) OR underlying_symbol = ANY($1))
                      ORDER BY id FOR NO KEY UPDATE)
         UPDATE strategies s SET stale = true, row_version = row_version + 1 FROM hit WHERE s.id = hit.id
         RETURNING s.id`, [symbols]);
      return hit.map((h) => h.id);
    });
    try {
      const latest = new Map(rows.map((r) => [r.symbol, r.price]));
      await this.redis.hset('prices:latest', Object.fromEntries(latest));
    } catch (e) {
      logger.warn({ err: (e as Error).message }, 'latest prices not cached in Redis');
    }
    await this.producer.enqueue(affected);
    return rows.length;
  }
}
