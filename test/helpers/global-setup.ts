import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { ensureDatabase, migrate, prepareServices, type Services } from '../../src/infra/bootstrap';

/**
 * Once per `npm test`: PostgreSQL (DATABASE_URL, or an embedded server) and Redis (REDIS_URL, or a local
 * redis-server), a fresh database created for this run and migrated, and a queue prefix of its own.
 */
export default async function globalSetup(): Promise<void> {
  const cfg = loadConfig();
  const run = `test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  // An embedded server gets a data directory of its own, removed afterwards, so parallel runs never collide.
  const services: Services = await prepareServices(cfg, { pgDataName: run, ephemeral: true });
  const url = await ensureDatabase(services.databaseUrl, run);
  await migrate(url);
  process.env.TEST_SERVER_URL = services.databaseUrl;
  process.env.TEST_DATABASE = run;
  process.env.TEST_DATABASE_URL = url;
  process.env.TEST_REDIS_URL = services.redisUrl;
  process.env.TEST_QUEUE_PREFIX = run;
  (globalThis as { __services?: Services }).__services = services;
}
