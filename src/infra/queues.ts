import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import Redis, { type RedisOptions } from 'ioredis';
import { logger } from '../logger';

/** Queue and topic names live here and nowhere else. */
export const QUEUES = { recompute: 'recompute', batch: 'batch' } as const;
export const TOPICS = {
  strategyMetrics: (portfolioId: string) => `strategyMetricsUpdated:${portfolioId}`,
  portfolioChanged: (portfolioId: string) => `portfolioChanged:${portfolioId}`,
  m2m: (strategyId: string) => `m2mUpdated:${strategyId}`,
  batchRun: (runId: string) => `batchRunProgress:${runId}`,
} as const;

/** Strategies per recompute job: a price tick on many strategies becomes a few jobs, not one per strategy. */
export const RECOMPUTE_CHUNK = 250;

export interface RecomputeJob {
  strategyIds: string[];
}
export interface BatchJob {
  runId: string;
}

/** BullMQ needs maxRetriesPerRequest: null on worker connections (blocking commands). */
export function workerConnection(url: string): Redis {
  const r = new Redis(url, { maxRetriesPerRequest: null });
  r.on('error', (e) => logger.debug({ err: e.message }, 'redis worker connection error'));
  return r;
}

/**
 * Producers fail fast when Redis is down (no offline queue): the change is already committed and marked
 * stale in PostgreSQL, and the sweeper enqueues it once Redis is back.
 */
export function producerConnection(url: string, extra: RedisOptions = {}): Redis {
  const r = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, ...extra });
  r.on('error', (e) => logger.debug({ err: e.message }, 'redis producer connection error'));
  return r;
}

export class RecomputeProducer {
  readonly queue: Queue<RecomputeJob>;
  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue<RecomputeJob>(QUEUES.recompute, {
      connection,
      prefix,
      defaultJobOptions: {
        attempts: 5,
        backoff: { type: 'exponential', delay: 200 },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 5000, age: 7 * 24 * 3600 },
      },
    });
    this.queue.on('error', (e) => logger.debug({ err: e.message }, 'recompute queue error'));
  }

  /**
   * Enqueues recomputations; a pending job for the same strategy set absorbs a burst (deduplication id).
   * Returns false when Redis is unreachable: the strategies stay stale and the sweeper retries.
   */
  async enqueue(strategyIds: string[]): Promise<boolean> {
    const unique = [...new Set(strategyIds)].sort();
    if (!unique.length) return true;
    const jobs = [];
    for (let i = 0; i < unique.length; i += RECOMPUTE_CHUNK) {
      const chunk = unique.slice(i, i + RECOMPUTE_CHUNK);
      const id = chunk.length === 1 ? chunk[0] : createHash('sha1').update(chunk.join(',')).digest('hex');
      jobs.push({ name: 'recompute', data: { strategyIds: chunk }, opts: { deduplication: { id } } });
    }
    try {
      await this.queue.addBulk(jobs);
      return true;
    } catch (e) {
      logger.warn(
        { err: (e as Error).message, strategies: unique.length },
        'enqueue failed; strategies stay stale for the sweeper',
      );
      return false;
    }
  }
}
