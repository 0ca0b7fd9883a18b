import { Worker } from 'bullmq';
import type { App } from '../src/app';
import { QUEUES, workerConnection, type BatchJob, type RecomputeJob } from '../src/infra/queues';
import { jobDuration, queueDepth } from '../src/infra/metrics';
import { logger } from '../src/logger';
import { BatchRunProcessor, DAILY_SCHEDULE } from './batch-run.processor';
import { RecomputeStrategyProcessor } from './recompute.processor';

export const SWEEP_INTERVAL_MS = 2000;

export interface RunningWorker {
  close(): Promise<void>;
}

/**
 * One worker: the recompute and batch queues, the daily schedule, and the sweeper that re-enqueues strategies
 * still stale in PostgreSQL (e.g. committed while Redis was down). Any number may run side by side.
 */
export async function startWorker(
  app: App,
  opts: { concurrency?: number; sweepMs?: number } = {},
): Promise<RunningWorker> {
  const recompute = new RecomputeStrategyProcessor(app);
  const batch = new BatchRunProcessor(app);
  const timed =
    <T>(queue: string, jobId: string | undefined, fn: () => Promise<T>) =>
    async () => {
      const end = jobDuration.startTimer({ queue });
      try {
        return await fn();
      } finally {
        logger.debug({ queue, jobId, ms: Math.round(end() * 1e4) / 10 }, 'job done');
      }
    };
  // BullMQ does not close connections it was given: they are kept here and closed on shutdown.
  const connections = [workerConnection(app.redisUrl), workerConnection(app.redisUrl)];
  const workers = [
    new Worker<RecomputeJob>(
      QUEUES.recompute,
      (job) => timed(QUEUES.recompute, job.id, () => recompute.process(job))(),
      {
        connection: connections[0],
        prefix: app.cfg.QUEUE_PREFIX,
        concurrency: opts.concurrency ?? 4,
        stalledInterval: 5000,
        maxStalledCount: 3,
      },
    ),
    new Worker<BatchJob>(QUEUES.batch, (job) => timed(QUEUES.batch, job.id, () => batch.process(job))(), {
      connection: connections[1],
      prefix: app.cfg.QUEUE_PREFIX,
      concurrency: 1,
      lockDuration: 60000,
    }),
  ];
  for (const w of workers) {
    w.on('failed', (job, err) =>
      logger.warn({ jobId: job?.id, queue: w.name, attempts: job?.attemptsMade, err: err.message }, 'job failed'),
    );
    w.on('error', (err) => logger.debug({ queue: w.name, err: err.message }, 'worker connection error'));
  }
  // The schedule lives in Redis: registered at start and again whenever the connection comes back (a Redis that
  // restarted without persistence, or was replaced, has lost it).
  const { id, pattern, tz } = DAILY_SCHEDULE;
  const schedule = () =>
    app.batchQueue
      .upsertJobScheduler(id, { pattern, tz }, { name: 'daily', data: { scheduled: true } as never })
      .then(() => logger.debug('daily schedule registered'))
      .catch((e) => logger.warn({ err: (e as Error).message }, 'daily schedule not registered (Redis down?)'));
  let connected = app.redis.status === 'ready';
  const onReady = () => {
    if (connected) return;
    connected = true;
    void schedule();
  };
  const onLost = () => {
    connected = false;
  };
  app.redis.on('ready', onReady);
  app.redis.on('close', onLost);
  await schedule();

  let sweeping = false;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      const stale = await app.recomputeFailures.due(app.ds, await app.metrics.staleIds());
      if (stale.length) await app.producer.enqueue(stale);
      await app.recomputeFailures.observe();
      for (const runId of await app.batches.orphanedRunIds()) {
        await app.batchQueue.add('run', { runId }, { jobId: runId }).catch(() => undefined);
      }
      queueDepth.set({ queue: QUEUES.recompute }, await app.producer.queue.getWaitingCount());
    } catch (e) {
      logger.debug({ err: (e as Error).message }, 'sweep skipped');
    } finally {
      sweeping = false;
    }
  };
  const timer = setInterval(sweep, opts.sweepMs ?? SWEEP_INTERVAL_MS);
  void sweep();
  return {
    close: async () => {
      clearInterval(timer);
      app.redis.off('ready', onReady);
      app.redis.off('close', onLost);
      // Stop taking work, let the current jobs finish, then close the connections.
      await Promise.all(workers.map((w) => w.close()));
      connections.forEach((c) => c.disconnect());
    },
  };
}
