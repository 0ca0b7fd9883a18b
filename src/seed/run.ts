import 'reflect-metadata';
import { App } from '../app';
import { config } from '../config';
import { ensureDatabase, migrate, prepareServices, type Services } from '../infra/bootstrap';
import { RECOMPUTE_CHUNK } from '../infra/queues';
import { logger } from '../logger';
import { DEMO_PASSWORD, runDemoSeed } from './demo';

/**
 * `npm run seed:demo`: the demo users, portfolios, strategies, tags and 90 days of history. Uses DATABASE_URL,
 * or (unset) the same embedded PostgreSQL and database as `npm start`; migrates first. Existing demo users are
 * skipped, so it can run any number of times.
 */
async function main() {
  const cfg = config();
  let services: Services;
  try {
    services = await prepareServices(cfg, { log: (m) => logger.debug({ postgres: m }) });
  } catch (e) {
    if (!cfg.DATABASE_URL) {
      throw new Error(
        `${(e as Error).message}\nThe embedded PostgreSQL could not start: is \`npm start\` running? ` +
          'It seeds the demo data itself on an empty database; otherwise set DATABASE_URL to the database to seed.',
        { cause: e },
      );
    }
    throw e;
  }
  let app: App | undefined;
  try {
    const databaseUrl = cfg.DATABASE_URL ?? (await ensureDatabase(services.databaseUrl, 'strategy_graph'));
    const applied = await migrate(databaseUrl);
    if (applied.length) console.log(`migrations applied: ${applied.join(', ')}`);
    app = await App.create(cfg, databaseUrl, services.redisUrl);

    const r = await runDemoSeed(app);
    for (const u of r.skipped) console.log(`${u}: already exists, left unchanged`);
    if (!r.created.length) {
      console.log('Nothing to do: every demo user exists.');
      return;
    }
    for (const c of r.created) {
      console.log(
        `${c.username}: portfolio ${c.portfolioId}, ${c.legs} legs in ${c.strategies} strategies, ${c.tags} tags`,
      );
    }
    console.log(
      `prices: ${r.priceRows} closes of ${r.symbols} symbols over ${r.tradingDays} trading days ` +
        `(${r.firstDay} … ${r.lastDay}); ` +
        `${r.snapshots} portfolio snapshots with daily strategy P&L`,
    );

    // The seed queued the recomputation for the workers; computing here as well means the metrics exist even
    // when no worker runs now (e.g. a redis-server started just for this command). Recomputing is idempotent.
    const t = Date.now();
    for (let i = 0; i < r.strategyIds.length; i += RECOMPUTE_CHUNK) {
      const result = await app.metrics.recompute(r.strategyIds.slice(i, i + RECOMPUTE_CHUNK));
      await app.publishMetrics(result);
    }
    console.log(
      `metrics of ${r.strategyIds.length} strategies computed in ${Date.now() - t} ms; seeding took ${r.ms} ms`,
    );
    console.log(`Log in as ${r.created.map((c) => c.username).join(', ')} with password "${DEMO_PASSWORD}".`);
  } finally {
    await app?.close();
    await services.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`seed:demo failed: ${(e as Error).message}`);
    process.exit(1);
  },
);
