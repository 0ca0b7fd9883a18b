import type { Job } from 'bullmq';
import type { App } from '../src/app';
import type { RecomputeJob } from '../src/infra/queues';
import type { RecomputeResult } from '../src/modules/strategy/metrics.service';
import { recomputations } from '../src/infra/metrics';

/** Strategies that keep changing while computed get this many immediate retries; the sweeper takes the rest. */
const CATCH_UP_ROUNDS = 3;

/**
 * Thin: reload by id, compute, store, publish; repeat for strategies that changed while being computed. A strategy
 * that cannot be computed fails alone: when a batch fails, its strategies are computed one by one, and those that
 * still fail are recorded (retried with backoff, logged, counted in /metrics) while the others are stored.
 */
export class RecomputeStrategyProcessor {
  constructor(private readonly app: App) {}

  async process(job: Job<RecomputeJob>): Promise<number> {
    let ids = await this.app.recomputeFailures.due(this.app.ds, job.data.strategyIds);
    let done = 0;
    for (let round = 0; ids.length && round < CATCH_UP_ROUNDS; round++) {
      const result = await this.recompute(ids);
      await this.app.publishMetrics(result);
      await this.app.recomputeFailures.record(result.failed);
      await this.app.recomputeFailures.clear(result.updated.map((u) => u.strategyId));
      done += result.updated.length;
      ids = result.changedMeanwhile;
    }
    recomputations.inc(done);
    return done;
  }

  private async recompute(ids: string[]): Promise<RecomputeResult> {
    try {
      return await this.app.metrics.recompute(ids);
    } catch (e) {
      if (ids.length === 1) {
        const failed = [{ strategyId: ids[0], error: (e as Error).message }];
        return { updated: [], changedMeanwhile: [], candles: [], failed };
      }
      const parts: RecomputeResult[] = [];
      for (const id of ids) parts.push(await this.recompute([id]));
      return {
        updated: parts.flatMap((p) => p.updated),
        changedMeanwhile: parts.flatMap((p) => p.changedMeanwhile),
        candles: parts.flatMap((p) => p.candles),
        failed: parts.flatMap((p) => p.failed),
      };
    }
  }
}
