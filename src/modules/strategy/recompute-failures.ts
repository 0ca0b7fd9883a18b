import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { read } from '../../data-source';
import { strategiesFailing, strategyRecomputeFailures } from '../../infra/metrics';
import { logger } from '../../logger';

/** First retry after a failure, doubled per consecutive failure up to the maximum. */
export const RECOMPUTE_BACKOFF = { firstMs: 2000, maxMs: 5 * 60 * 1000 };

export interface RecomputeFailure {
  failures: number;
  failedAt: number;
  retryAt: number;
  error: string;
}

/**
 * Strategies whose recomputation failed (a value that does not fit a column, a bug): recorded in Redis, shared by
 * every worker, so that one strategy fails alone. Until its retry time, the sweeper does not hand it back and jobs
 * skip it, unless its owner changed it since (then it is tried at once); each failure is logged and counted.
 */
export class RecomputeFailures {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get key(): string {
    return `${this.prefix}:recompute-failures`;
  }

  async record(failed: { strategyId: string; error: string }[], now = Date.now()): Promise<void> {
    if (!failed.length) return;
    const before = await this.get(failed.map((f) => f.strategyId));
    const entries: Record<string, string> = {};
    for (const f of failed) {
      const failures = (before.get(f.strategyId)?.failures ?? 0) + 1;
      const retryAt = now + Math.min(RECOMPUTE_BACKOFF.maxMs, RECOMPUTE_BACKOFF.firstMs * 2 ** (failures - 1));
      const record: RecomputeFailure = { failures, failedAt: now, retryAt, error: f.error.slice(0, 500) };
      entries[f.strategyId] = JSON.stringify(record);
      logger.error(
        { strategyId: f.strategyId, failures, retryInMs: retryAt - now, err: f.error },
        'strategy recomputation failed',
      );
    }
    strategyRecomputeFailures.inc(failed.length);
    await this.redis.hset(this.key, entries);
  }

  async clear(strategyIds: string[]): Promise<void> {
    if (strategyIds.length) await this.redis.hdel(this.key, ...strategyIds);
  }

  async get(strategyIds: string[]): Promise<Map<string, RecomputeFailure>> {
    const out = new Map<string, RecomputeFailure>();
    if (!strategyIds.length) return out;
    const values = await this.redis.hmget(this.key, ...strategyIds);
    values.forEach((v, i) => {
      if (v) out.set(strategyIds[i], JSON.parse(v) as RecomputeFailure);
    });
    return out;
  }

  /** The ids to compute now: those not waiting for a retry, or changed by their owner since they failed. */
  async due(ds: DataSource, strategyIds: string[], now = Date.now()): Promise<string[]> {
    const failures = await this.get(strategyIds);
    const waiting = [...failures].filter(([, f]) => f.retryAt > now).map(([id]) => id);
    if (!waiting.length) return strategyIds;
    const rows = await read<{ id: string; updated_at: Date }>(
      ds,
      `SELECT id, updated_at FROM strategies WHERE id = ANY($1)`,
      [waiting],
    );
    const changed = new Set(rows.filter((r) => r.updated_at.getTime() > failures.get(r.id)!.failedAt).map((r) => r.id));
    const skip = new Set(waiting.filter((id) => !changed.has(id)));
    return strategyIds.filter((id) => !skip.has(id));
  }

  /** Refreshes the gauge of failing strategies (the sweeper calls it). */
  async observe(): Promise<void> {
    strategiesFailing.set(await this.redis.hlen(this.key));
  }
}
