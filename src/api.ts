import 'reflect-metadata';
import { App } from './app';
import { config } from './config';
import { logger } from './logger';
import { createSchema } from './schema';
import { startServer } from './server';

/** `npm run start:api`: the API server alone (no migrations, no embedded services); any number may run. */
async function main() {
  const cfg = config();
  if (!cfg.DATABASE_URL) throw new Error('DATABASE_URL must be set for start:api (npm start runs everything on embedded defaults)');
  const app = await App.create(cfg, cfg.DATABASE_URL, cfg.REDIS_URL);
  const server = await startServer(app, await createSchema(app.pubSub), cfg.PORT);
  logger.info({ url: server.url }, 'API listening');
  const stop = async () => {
    await server.close();
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((e) => {
  logger.fatal({ err: e }, 'API failed to start');
  process.exit(1);
});
