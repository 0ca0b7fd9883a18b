import 'reflect-metadata';
import { config } from './config';
import { migrate } from './infra/bootstrap';

/** `npm run migrate`: applies pending migrations to DATABASE_URL and exits. */
async function main() {
  const url = config().DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL must be set (npm start migrates its embedded database by itself)');
  const applied = await migrate(url);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exit(1);
});
