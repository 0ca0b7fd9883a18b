import type { Job } from 'bullmq';
import type { App } from '../src/app';
import type { BatchJob } from '../src/infra/queues';
import { BatchProcessor } from '../src/modules/batch/batch.processor';
import { BatchRunKind } from '../src/modules/batch/batch.entity';

export const DAILY_SCHEDULE = { id: 'daily-batch', pattern: '30 23 * * 1-5', tz: 'UTC' } as const;

/** Thin: a scheduled tick creates the DAILY run; a run id is executed by the BatchProcessor. */
export class BatchRunProcessor {
  private readonly runner: BatchProcessor;
  constructor(private readonly app: App) {
    this.runner = new BatchProcessor(app, app.batches);
  }

  async process(job: Job<BatchJob | { scheduled: true }>): Promise<void> {
    if ('scheduled' in job.data) {
      // startGlobal skips weekends/holidays and returns a run already in progress.
      await this.app.batches.startGlobal(BatchRunKind.DAILY, false, null);
      return;
    }
    await this.runner.run(job.data.runId);
  }
}
