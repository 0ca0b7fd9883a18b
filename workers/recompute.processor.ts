import type { Job } from 'bullmq';
import type { App } from '../src/app';
import type { RecomputeJob } from '../src/infra/queues';
import { recomputations } from '../src/infra/metrics';

/** Strategies that keep changing while computed get this many immediate retries; the sweeper takes the rest. */
const CATCH_UP_ROUNDS = 3;

/** Thin: reload by id, compute, store, publish; repeat for strategies that changed while being computed. */
export class RecomputeStrategyProcessor {
  constructor(private readonly app: App) {}

  async process(job: Job<RecomputeJob>): Promise<number> {
    let ids = job.data.strategyIds;
    let done = 0;
    for (let round = 0; ids.length && round < CATCH_UP_ROUNDS; round++) {
      const result = await this.app.metrics.recompute(ids);
      await this.app.publishMetrics(result);
      done += result.updated.length;
      ids = result.changedMeanwhile;
    }
    recomputations.inc(done);
    return done;
  }
}
