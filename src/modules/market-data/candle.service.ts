import type { DataSource } from 'typeorm';
import { M2MCandleEntity } from './market-data.entity';

export class CandleService {
  constructor(private readonly ds: DataSource) {}

  /** Minute candles of a strategy (already owner-checked by the caller), oldest first; the last 24 h by default. */
  list(strategyId: string, from: Date | null, to: Date | null): Promise<M2MCandleEntity[]> {
    const q = this.ds
      .getRepository(M2MCandleEntity)
      .createQueryBuilder('c')
      .where('c.strategy_id = :strategyId', { strategyId })
      .andWhere('c.bucket_start >= :from', { from: from ?? new Date(Date.now() - 24 * 3600 * 1000) });
    if (to) q.andWhere('c.bucket_start <= :to', { to });
    return q.orderBy('c.bucket_start').limit(10000).getMany();
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
