import 'reflect-metadata';
import { App } from '../src/app';
import { config } from '../src/config';
import { logger } from '../src/logger';
import { startWorker } from './worker';

/** `npm run start:worker`: one worker process against DATABASE_URL and REDIS_URL. */
async function main() {
  const cfg = config();
  if (!cfg.DATABASE_URL)
    throw new Error('DATABASE_URL must be set for a standalone worker (npm start runs one in-process)');
  const app = await App.create(cfg, cfg.DATABASE_URL, cfg.REDIS_URL);
  const worker = await startWorker(app);
  const stop = async (signal: string) => {
    logger.info({ signal }, 'worker stopping: finishing current jobs');
    await worker.close();
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  // Announced once a signal would stop it cleanly (whoever reads the log may signal it at once).
  logger.info('worker started');
}

main().catch((e) => {
  logger.fatal({ err: e }, 'worker failed to start');
  process.exit(1);
});
