import { createHash } from 'node:crypto';
import { Pool, types, type PoolConfig, type QueryResultRow } from 'pg';
import parsePostgresDate from 'postgres-date';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { SnakeNamingStrategy } from './common/naming';
import { UserEntity } from './modules/auth/user.entity';
import { BatchRunEntity, PortfolioSnapshotEntity, StrategyDailyPnlEntity } from './modules/batch/batch.entity';
import { LegEntity } from './modules/leg/leg.entity';
import {
  DailyBarEntity,
  M2MCandleEntity,
  MarketDataEntity,
  PriceEntity,
} from './modules/market-data/market-data.entity';
import { PortfolioEntity } from './modules/portfolio/portfolio.entity';
import {
  StrategyEntity,
  StrategyLineageEntity,
  StrategyMetricsEntity,
  StrategyVersionEntity,
} from './modules/strategy/strategy.entity';
import { StrategyTagEntity, TagEntity } from './modules/tag/tag.entity';
import { MIGRATIONS } from '../migrations';

// Calendar dates stay "YYYY-MM-DD" text end to end (node-pg would turn them into local-midnight Dates).
types.setTypeParser(types.builtins.DATE, (v) => v);

/** The digit at `i` of `t` (NaN-free: callers check the layout first). */
const digit = (t: string, i: number) => t.charCodeAt(i) - 48;
const two = (t: string, i: number) => digit(t, i) * 10 + digit(t, i + 1);
const isDigit = (t: string, i: number) => {
  const c = t.charCodeAt(i);
  return c >= 48 && c <= 57;
};
/** Where "YYYY-MM-DD HH:MM:SS" has its digits. */
const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/**
 * Parses PostgreSQL's ISO output of a timestamptz ("2026-11-21 22:23:46.164123+00", offsets in hours or hours and
 * minutes, years 1000–9999) by character positions and Date.UTC; anything else (BC years, infinity, offsets with
 * seconds, other layouts) goes to postgres-date, node-pg's own parser. Sub-millisecond digits are truncated, as there.
 */
export function parseTimestamptz(text: string): Date {
  const n = text.length;
  if (
    n < 22 ||
    text[4] !== '-' ||
    text[7] !== '-' ||
    text[10] !== ' ' ||
    text[13] !== ':' ||
    text[16] !== ':' ||
    text[0] === '0'
  )
    return parsePostgresDate(text) as Date;
  let i = 19;
  let ms = 0;
  if (text[i] === '.') {
    let scale = 100;
    for (i++; i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57; i++) {
      ms += digit(text, i) * scale;
      scale /= 10;
    }
    ms = Math.floor(ms);
  }
  const sign = text[i];
  const rest = n - i; // "+HH" or "+HH:MM"
  if ((sign !== '+' && sign !== '-') || (rest !== 3 && !(rest === 6 && text[i + 3] === ':')))
    return parsePostgresDate(text) as Date;
  for (const k of DIGIT_POSITIONS) if (!isDigit(text, k)) return parsePostgresDate(text) as Date;
  if (
    !isDigit(text, i + 1) ||
    !isDigit(text, i + 2) ||
    (rest === 6 && (!isDigit(text, i + 4) || !isDigit(text, i + 5)))
  )
    return parsePostgresDate(text) as Date;
  const offset = (two(text, i + 1) * 60 + (rest === 6 ? two(text, i + 4) : 0)) * (sign === '-' ? -1 : 1);
  const year = two(text, 0) * 100 + two(text, 2);
  return new Date(
    Date.UTC(year, two(text, 5) - 1, two(text, 8), two(text, 11), two(text, 14) - offset, two(text, 17), ms),
  );
}

// Timestamps with time zone: a fast path for PostgreSQL's usual output, postgres-date for everything else.
types.setTypeParser(types.builtins.TIMESTAMPTZ, parseTimestamptz);

export const ENTITIES = [
  UserEntity,
  PortfolioEntity,
  StrategyEntity,
  StrategyVersionEntity,
  StrategyLineageEntity,
  StrategyMetricsEntity,
  LegEntity,
  TagEntity,
  StrategyTagEntity,
  MarketDataEntity,
  PriceEntity,
  M2MCandleEntity,
  DailyBarEntity,
  BatchRunEntity,
  PortfolioSnapshotEntity,
  StrategyDailyPnlEntity,
];

/** Statement names by SQL text (a hash of the text, so every process names a statement alike). */
const statementNames = new Map<string, string>();

/**
 * The one DataSource shape used by the API, the workers, the migration command and the tests: TypeORM's, for writes
 * (repositories and entity managers inside a unit of work), plus a `pg` pool of its own for reads (`read()`), with
 * the same URL and size. Reads are the hot path: TypeORM's query runner costs more than the statement itself for a
 * few hundred rows, so they go to node-postgres directly, through its public API.
 */
export class AppDataSource extends DataSource {
  readonly readPool: Pool;

  constructor(
    options: PostgresConnectionOptions,
    private readonly sqlLogger?: (sql: string) => void,
  ) {
    super(options);
    // The same server settings as TypeORM's pool; allowExitOnIdle: an idle pool keeps no finished command alive.
    // An idle connection is kept 60 s (node-postgres closes it after 10): each connection has parsed and planned the
    // read statements it ran, and a new one must do so again, which after a lull of 10–60 s cost ~7% of the
    // options book's throughput for the next 1,500 reads (README, Benchmarks).
    this.readPool = new Pool({
      ...(options.extra as PoolConfig),
      connectionString: options.url,
      max: options.poolSize,
      idleTimeoutMillis: 60_000,
      allowExitOnIdle: true,
    });
    // An idle connection that fails (the server restarted) is dropped by the pool; nothing to do but not crash.
    this.readPool.on('error', () => undefined);
  }

  /** Rows of one read statement (bind parameters only). Errors are node-postgres's, with their SQLSTATE `code`. */
  read<T>(sql: string, params: unknown[]): Promise<T[]> {
    this.sqlLogger?.(sql);
    // A named statement: each pooled connection parses and plans the text once, then only binds and executes it.
    let name = statementNames.get(sql);
    if (!name) statementNames.set(sql, (name = `r${createHash('sha1').update(sql).digest('base64url')}`));
    return this.readPool.query<T & QueryResultRow>({ name, text: sql, values: params }).then((r) => r.rows);
  }

  override async destroy(): Promise<void> {
    await super.destroy();
    await this.readPool.end();
  }
}

/**
 * A read statement's rows: the one way the read path asks the database (loaders, read-side queries, history and
 * risk). `ds` must come from createDataSource. Database errors keep their SQLSTATE; `databaseError`
 * (src/common/errors.ts) maps them for every transport.
 */
export function read<T = Record<string, unknown>>(ds: DataSource, sql: string, params: unknown[]): Promise<T[]> {
  if (!(ds instanceof AppDataSource)) throw new Error('read() needs a DataSource made by createDataSource()');
  return ds.read<T>(sql, params);
}

/** The one DataSource shape used by the API, the workers, the migration command and the tests. */
export function createDataSource(
  url: string,
  opts: { logger?: (sql: string) => void; poolSize?: number } = {},
): AppDataSource {
  return new AppDataSource(
    {
      type: 'postgres',
      url,
      entities: ENTITIES,
      migrations: MIGRATIONS,
      namingStrategy: new SnakeNamingStrategy(),
      synchronize: false,
      uuidExtension: 'pgcrypto',
      installExtensions: false,
      migrationsRun: false,
      poolSize: opts.poolSize ?? 10,
      // Short OLTP queries: JIT compilation would cost more than it saves (tens of ms on a 10,000-row filter).
      extra: { options: '-c jit=off' },
      logging: opts.logger ? ['query'] : false,
      logger: opts.logger
        ? {
            logQuery: (q) => opts.logger!(q),
            logQueryError: () => undefined,
            logQuerySlow: () => undefined,
            logSchemaBuild: () => undefined,
            logMigration: () => undefined,
            log: () => undefined,
          }
        : undefined,
    },
    opts.logger,
  );
}
