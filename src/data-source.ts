import { createHash } from 'node:crypto';
import { types } from 'pg';
import parsePostgresDate from 'postgres-date';
import { DataSource } from 'typeorm';
import { SnakeNamingStrategy } from './common/naming';
import { UserEntity } from './modules/auth/user.entity';
import { BatchRunEntity, PortfolioSnapshotEntity, StrategyDailyPnlEntity } from './modules/batch/batch.entity';
import { LegEntity } from './modules/leg/leg.entity';
import { M2MCandleEntity, MarketDataEntity, PriceEntity } from './modules/market-data/market-data.entity';
import { PortfolioEntity } from './modules/portfolio/portfolio.entity';
import { StrategyEntity, StrategyLineageEntity, StrategyMetricsEntity, StrategyVersionEntity } from './modules/strategy/strategy.entity';
import { StrategyTagEntity, TagEntity } from './modules/tag/tag.entity';
import { MIGRATIONS } from '../migrations';

// Calendar dates stay "YYYY-MM-DD" text end to end (node-pg would turn them into local-midnight Dates).
types.setTypeParser(types.builtins.DATE, (v) => v);

const TIMESTAMPTZ = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?([+-])(\d\d)(?::(\d\d))?$/;

/**
 * Parses PostgreSQL's ISO output of a timestamptz ("2026-11-21 22:23:46.164123+00", offsets in hours or hours and
 * minutes, years 1000–9999) with one regular expression and Date.UTC; anything else (BC years, infinity, offsets
 * with seconds) goes to postgres-date, node-pg's own parser. Sub-millisecond digits are truncated, as there.
 */
export function parseTimestamptz(text: string): Date {
  const m = TIMESTAMPTZ.exec(text);
  if (!m || m[1] < '1000') return parsePostgresDate(text) as Date;
  const ms = m[7] ? Number((m[7] + '00').slice(0, 3)) : 0;
  const offset = (Number(m[9]) * 60 + (m[10] ? Number(m[10]) : 0)) * (m[8] === '-' ? -1 : 1);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]) - offset, Number(m[6]), ms));
}

// Timestamps with time zone: a fast path for PostgreSQL's usual output, postgres-date for everything else.
types.setTypeParser(types.builtins.TIMESTAMPTZ, parseTimestamptz);

export const ENTITIES = [
  UserEntity, PortfolioEntity, StrategyEntity, StrategyVersionEntity, StrategyLineageEntity, StrategyMetricsEntity,
  LegEntity, TagEntity, StrategyTagEntity, MarketDataEntity, PriceEntity, M2MCandleEntity,
  BatchRunEntity, PortfolioSnapshotEntity, StrategyDailyPnlEntity,
];

const readLoggers = new WeakMap<DataSource, (sql: string) => void>();

/**
 * A read straight on the driver's pg pool: the hot loaders skip TypeORM's query runner, which costs more than
 * the query itself for a few hundred rows. Statements are still reported to the DataSource's query logger.
 */
const statementNames = new Map<string, string>();


export function read<T = Record<string, any>>(ds: DataSource, sql: string, params: unknown[]): Promise<T[]> {
  readLoggers.get(ds)?.(sql);
  // A named statement: each pooled connection parses and plans the text once, then only binds and executes it.
  let name = statementNames.get(sql);
  if (!name) statementNames.set(sql, (name = `r${createHash('sha1').update(sql).digest('base64url')}`));
  return (ds.driver as unknown as { master: { query(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: T[] }> } }).master
    .query({ name, text: sql, values: params }).then((r) => r.rows);
}

/** The one DataSource shape used by the API, the workers, the migration command and the tests. */
export function createDataSource(url: string, opts: { logger?: (sql: string) => void; poolSize?: number } = {}): DataSource {
  const ds = new DataSource({
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
      ? { logQuery: (q) => opts.logger!(q), logQueryError: () => undefined, logQuerySlow: () => undefined, logSchemaBuild: () => undefined, logMigration: () => undefined, log: () => undefined }
      : undefined,
  });
  if (opts.logger) readLoggers.set(ds, opts.logger);
  return ds;
}
