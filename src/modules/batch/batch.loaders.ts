import type { DataSource } from 'typeorm';
import { read } from '../../data-source';
import { byId } from '../../infra/loader';
import { rowsOf } from '../../infra/rows';
import { BatchRunEntity } from './batch.entity';

/** A request's batch loader: a batch run by id. */
export function createBatchLoaders(ds: DataSource) {
  const runs = rowsOf(ds, BatchRunEntity);
  return {
    batchRun: byId(async (keys) =>
      (await read(ds, `SELECT ${runs.select('r')} FROM batch_runs r WHERE r.id = ANY($1)`, [keys])).map((r) =>
        runs.from(r),
      ),
    ),
  };
}
