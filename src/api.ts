import 'reflect-metadata';
import cluster from 'node:cluster';
import { App } from './app';
import { config, type Config } from './config';
import { serveClusterMetrics } from './infra/metrics';
import { logger } from './logger';
import { createSchema } from './schema';
import { startServer } from './server';

/**
 * `npm run start:api`: the API server alone (no migrations, no embedded services); any number may run.
 * With API_PROCESSES > 1 this process becomes a node:cluster primary that runs that many API processes on the
 * one PORT (connections are spread over them), so one host uses all its cores: a Node process executes on one.
 * Nothing an answer depends on is kept only in one process: subscriptions' events go through Redis, login
 * throttling counts in Redis, the per-process caches (legs rows, compiled operations, verified tokens) are checked
 * against PostgreSQL or are pure, and /metrics sums all processes' metrics (collected by this primary).
 */
async function serve(cfg: Config) {
  if (!cfg.DATABASE_URL)
    throw new Error('DATABASE_URL must be set for start:api (npm start runs everything on embedded defaults)');
  const app = await App.create(cfg, cfg.DATABASE_URL, cfg.REDIS_URL);
  const server = await startServer(app, await createSchema(app.pubSub), cfg.PORT);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await server.close();
      await app.close();
      process.exit(0);
    })();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  logger.info({ url: server.url }, 'API listening');
}

/** The cluster primary: starts the API processes, replaces one that dies, stops them all on SIGTERM/SIGINT. */
function supervise(cfg: Config) {
  // Every process must verify every other's tokens: a random development secret is chosen once, here.
  process.env.JWT_SECRET = cfg.JWT_SECRET;
  let stopping = false;
  let exitCode = 0;
  const ready = new Set<number>();
  cluster.on('listening', (w) => ready.add(w.id));
  cluster.on('exit', (w, code, signal) => {
    const wasReady = ready.delete(w.id);
    if (stopping) {
      if (!Object.keys(cluster.workers ?? {}).length) process.exit(exitCode);
      return;
    }
    if (!wasReady) {
      // It never listened (bad configuration, database unreachable…): starting it again would fail the same way.
      logger.fatal({ pid: w.process.pid, code, signal }, 'an API process failed to start; stopping');
      exitCode = 1;
      stop();
      return;
    }
    logger.error({ pid: w.process.pid, code, signal }, 'an API process exited; starting another');
    cluster.fork();
  });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      logger.error('API processes did not stop within 30 s; exiting');
      process.exit(1);
    }, 30_000).unref();
    const workers = Object.values(cluster.workers ?? {});
    if (!workers.length) process.exit(exitCode);
    for (const w of workers) w?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  serveClusterMetrics();
  for (let i = 0; i < cfg.API_PROCESSES; i++) cluster.fork();
  logger.info({ processes: cfg.API_PROCESSES, port: cfg.PORT }, 'API processes starting');
}

async function main() {
  const cfg = config();
  if (cluster.isPrimary && cfg.API_PROCESSES > 1) supervise(cfg);
  else await serve(cfg);
}

main().catch((e) => {
  logger.fatal({ err: e }, 'API failed to start');
  process.exit(1);
});
