import type { DataSource } from 'typeorm';
import { read } from '../../data-source';
import { rowsOf } from '../../infra/rows';
import { M2MCandleEntity } from './market-data.entity';

export class CandleService {
  constructor(private readonly ds: DataSource) {}

  /** Minute candles of a strategy (already owner-checked by the caller), oldest first; the last 24 h by default. */
  async list(strategyId: string, from: Date | null, to: Date | null): Promise<M2MCandleEntity[]> {
    const candles = rowsOf(this.ds, M2MCandleEntity);
    const params: unknown[] = [strategyId, from ?? new Date(Date.now() - 24 * 3600 * 1000)];
    if (to) params.push(to);
    const rows = await read(
      this.ds,
      `SELECT ${candles.select('c')} FROM m2m_candles c
       WHERE c.strategy_id = $1 AND c.bucket_start >= $2${to ? ' AND c.bucket_start <= $3' : ''}
       ORDER BY c.bucket_start LIMIT 10000`,
      params,
    );
    return rows.map((r) => candles.from(r));
  }

  /** Drops candles older than the retention (M2M_RETENTION_DAYS). */
  async prune(days: number): Promise<number> {
    const [, n]: [unknown[], number] = await this.ds.query(
      `DELETE FROM m2m_candles WHERE bucket_start < now() - make_interval(days => $1)`,
      [days],
    );
    return n;
  }
}
