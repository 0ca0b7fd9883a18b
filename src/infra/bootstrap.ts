import { Client } from 'pg';
import type { Config } from '../config';
import { createDataSource } from '../data-source';
import { ensureRedis, startEmbeddedPostgres, type RunningService } from './services';

export interface Services {
  databaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

/**
 * DATABASE_URL or an embedded PostgreSQL, REDIS_URL or a local redis-server: what `npm start` and `npm test` run on.
 */
export async function prepareServices(
  cfg: Config,
  opts: { log?: (m: string) => void; pgDataName?: string; ephemeral?: boolean } = {},
): Promise<Services> {
  const started: RunningService[] = [];
  try {
    let databaseUrl = cfg.DATABASE_URL;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres(opts.pgDataName ?? 'postgres', opts.log, opts.ephemeral);
      started.push(pg);
      databaseUrl = pg.url;
    }
    const redis = await ensureRedis(cfg.REDIS_URL);
    started.push(redis);
    return {
      databaseUrl,
      redisUrl: redis.url,
      stop: async () => {
        for (const s of started.reverse()) await s.stop();
      },
    };
  } catch (e) {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    throw e;
  }
}

/** The URL of `database` on the same server as `url`. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates a database when missing (the maintenance connection goes to the URL's own database). */
export async function ensureDatabase(url: string, database: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!found.rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
  return withDatabase(url, database);
}

export async function dropDatabase(url: string, database: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database.replace(/"/g, '')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Applies pending migrations in one transaction; returns the names applied. */
export async function migrate(databaseUrl: string): Promise<string[]> {
  const ds = createDataSource(databaseUrl, { poolSize: 1 });
  await ds.initialize();
  try {
    return (await ds.runMigrations({ transaction: 'all' })).map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
