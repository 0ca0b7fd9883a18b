import type { DataSource } from 'typeorm';
import { read } from '../../data-source';
import { byId } from '../../infra/loader';
import { rowsOf } from '../../infra/rows';
import { BatchRunEntity } from './batch.entity';

/** How a read selects a batch_runs row and makes it a BatchRunEntity (from the entity's columns, see rowsOf). */
export const batchRunRows = (ds: DataSource) => rowsOf(ds, BatchRunEntity);

/** A request's batch loader: a batch run by id. */
export function createBatchLoaders(ds: DataSource) {
  const runs = batchRunRows(ds);
  return {
    batchRun: byId(async (keys) =>
      (await read(ds, `SELECT ${runs.select('r')} FROM batch_runs r WHERE r.id = ANY($1)`, [keys])).map((r) =>
        runs.from(r),
      ),
    ),
  };
}
