import type { Queue } from 'bullmq';
import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { badInput, forbidden, limitExceeded, notFound } from '../../common/errors';
import { isUuid } from '../../common/tx';
import { isTradingDay } from '../../domain/trading-calendar';
import type { AuthUser } from '../../context';
import { publishSafely } from '../../infra/pubsub';
import { TOPICS, type BatchJob } from '../../infra/queues';
import type { UnitOfWork } from '../../infra/unit-of-work';
import { logger } from '../../logger';
import { read } from '../../data-source';
import { readOwnedPortfolio } from '../portfolio/portfolio.service';
import { BatchRunEntity, BatchRunKind, BatchRunStatus } from './batch.entity';
import { batchRunRows } from './batch.loaders';

export const MAX_IMPORT_BYTES = 1_000_000;
/** A price import is bounded by the request body (2 MiB, about 45,000 rows): larger histories go in several calls. */
export const MAX_PRICE_IMPORT_BYTES = 2 * 1024 * 1024;
const todayUtc = () => new Date().toISOString().slice(0, 10);

/** Creating, finding and reporting batch runs; the work itself happens in the worker (BatchProcessor). */
export class BatchService {
  constructor(
    private readonly ds: DataSource,
    private readonly uow: UnitOfWork,
    private readonly queue: Queue<BatchJob>,
    private readonly redis: Redis,
  ) {}

  /** A user sees their own runs; DAILY runs (no owner) are visible to admins. Anything else is NOT_FOUND. */
  async get(user: AuthUser, id: string): Promise<BatchRunEntity | null> {
    if (!isUuid(id)) return null;
    const runs = batchRunRows(this.ds);
    const [r] = await read(this.ds, `SELECT ${runs.select('r')} FROM batch_runs r WHERE r.id = $1`, [id]);
    const run = r ? runs.from(r) : null;
    if (!run || (run.userId ? run.userId !== user.id : !user.isAdmin)) return null;
    return run;
  }

  /**
   * currentBatchRun: the queued or running run of `kind`, else the latest; admins see every run, other users their
   * own (imports and recomputations).
   */
  async current(user: AuthUser, kind: BatchRunKind): Promise<BatchRunEntity | null> {
    const runs = batchRunRows(this.ds);
    const [r] = await read(
      this.ds,
      `SELECT ${runs.select('r')} FROM batch_runs r
       WHERE r.kind = $1${user.isAdmin ? '' : ' AND r.user_id = $2'}
       ORDER BY CASE WHEN r.status IN ('QUEUED', 'RUNNING') THEN 0 ELSE 1 END, r.created_at DESC, r.id DESC
       LIMIT 1`,
      user.isAdmin ? [kind] : [kind, user.id],
    );
    return r ? runs.from(r) : null;
  }

  async mustGet(user: AuthUser, id: string): Promise<BatchRunEntity> {
    return (await this.get(user, id)) ?? Promise.reject(notFound('Batch run', 'id'));
  }

  /** startBatchRun: admins only; a second start while one is queued or running returns that one unless forced. */
  async start(user: AuthUser, kind: BatchRunKind, force: boolean): Promise<BatchRunEntity> {
    if (!user.isAdmin) throw forbidden();
    if (kind === BatchRunKind.IMPORT || kind === BatchRunKind.PRICE_IMPORT)
      throw badInput('Imports start with importPositions or importPrices', 'kind');
    return this.startGlobal(kind, force, user.id);
  }

  /** Also used by the weekday 23:30 UTC schedule. */
  async startGlobal(kind: BatchRunKind, force: boolean, startedBy: string | null): Promise<BatchRunEntity> {
    // The check for a running run and the insert happen under one advisory lock per kind: two starts at
    // the same moment cannot both create a run.
    const run = await this.uow.run(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('batch_run:' || $1))`, [kind]);
      const repo = m.getRepository(BatchRunEntity);
      if (!force) {
        const running = await repo
          .createQueryBuilder('r')
          .where(
            `r.kind = :kind AND r.user_id IS NULL AND r.portfolio_id IS NULL AND r.status IN ('QUEUED', 'RUNNING')`,
            { kind },
          )
          .orderBy('r.created_at', 'DESC')
          .getOne();
        if (running) return { run: running, fresh: false };
      }
      const runDate = todayUtc();
      if (kind === BatchRunKind.DAILY && !force && !isTradingDay(runDate)) {
        return {
          run: await repo.save(
            repo.create({
              kind,
              status: BatchRunStatus.SKIPPED,
              userId: null,
              portfolioId: null,
              errors: [],
              runDate,
              message: `${runDate} is not an NYSE trading day (weekend or holiday); use force to run anyway`,
              finishedAt: new Date(),
            }),
          ),
          fresh: false,
        };
      }
      return {
        run: await repo.save(
          repo.create({
            kind,
            status: BatchRunStatus.QUEUED,
            userId: null,
            portfolioId: null,
            errors: [],
            runDate,
            input: { startedBy, force },
          }),
        ),
        fresh: true,
      };
    });
    return run.fresh ? this.enqueue(run.run) : run.run;
  }

  async recomputePortfolio(user: AuthUser, portfolioId: string): Promise<BatchRunEntity> {
    await readOwnedPortfolio(this.ds, user, portfolioId);
    const repo = this.ds.getRepository(BatchRunEntity);
    return this.enqueue(
      await repo.save(
        repo.create({
          kind: BatchRunKind.RECOMPUTE_ALL,
          status: BatchRunStatus.QUEUED,
          userId: user.id,
          portfolioId,
          errors: [],
        }),
      ),
    );
  }

  async importPositions(user: AuthUser, portfolioId: string, csv: string): Promise<BatchRunEntity> {
    await readOwnedPortfolio(this.ds, user, portfolioId);
    if (Buffer.byteLength(csv) > MAX_IMPORT_BYTES)
      throw limitExceeded(`csv must be at most ${MAX_IMPORT_BYTES} bytes`, 'csv');
    if (!csv.trim()) throw badInput('csv is empty', 'csv');
    const repo = this.ds.getRepository(BatchRunEntity);
    // The CSV is stored with the run so the job payload carries only the id.
    return this.enqueue(
      await repo.save(
        repo.create({
          kind: BatchRunKind.IMPORT,
          status: BatchRunStatus.QUEUED,
          userId: user.id,
          portfolioId,
          errors: [],
          input: { csv },
        }),
      ),
    );
  }

  /** importPrices (admins): the CSV is stored with the run, which belongs to the admin who started it. */
  async importPrices(user: AuthUser, csv: string): Promise<BatchRunEntity> {
    if (!user.isAdmin) throw forbidden();
    if (Buffer.byteLength(csv) > MAX_PRICE_IMPORT_BYTES)
      throw limitExceeded(`csv must be at most ${MAX_PRICE_IMPORT_BYTES} bytes`, 'csv');
    if (!csv.trim()) throw badInput('csv is empty', 'csv');
    const repo = this.ds.getRepository(BatchRunEntity);
    return this.enqueue(
      await repo.save(
        repo.create({
          kind: BatchRunKind.PRICE_IMPORT,
          status: BatchRunStatus.QUEUED,
          userId: user.id,
          portfolioId: null,
          errors: [],
          input: { csv },
        }),
      ),
    );
  }

  private async enqueue(run: BatchRunEntity): Promise<BatchRunEntity> {
    try {
      await this.queue.add(
        run.kind,
        { runId: run.id },
        { jobId: run.id, attempts: 3, backoff: { type: 'exponential', delay: 1000 } },
      );
    } catch (e) {
      logger.warn(
        { err: (e as Error).message, runId: run.id },
        'batch run not enqueued; the sweeper retries queued runs',
      );
    }
    return run;
  }

  /** Progress: stored, then published to batchRunProgress subscribers. */
  async progress(run: BatchRunEntity, patch: Partial<Omit<BatchRunEntity, 'input'>>): Promise<BatchRunEntity> {
    Object.assign(run, patch);
    await this.ds.getRepository(BatchRunEntity).update({ id: run.id }, patch);
    await publishSafely(this.redis, TOPICS.batchRun(run.id), { id: run.id });
    return run;
  }

  /** Queued runs whose job never reached Redis (it was down), for the sweeper. */
  async orphanedRunIds(): Promise<string[]> {
    const rows = await read<{ id: string }>(
      this.ds,
      `SELECT id FROM batch_runs WHERE status = 'QUEUED' AND created_at < now() - interval '10 seconds'`,
      [],
    );
    return rows.map((r) => r.id);
  }
}

export function progressOf(run: BatchRunEntity): number {
  if (run.status === BatchRunStatus.COMPLETED || run.status === BatchRunStatus.SKIPPED) return 1;
  return run.total > 0 ? Math.min(1, (run.completed + run.failed) / run.total) : 0;
}
