import { dropDatabase, type Services } from '../../src/infra/bootstrap';

/** Drops the run's database and stops whatever the setup started. */
export default async function globalTeardown(): Promise<void> {
  const services = (globalThis as { __services?: Services }).__services;
  if (process.env.TEST_SERVER_URL && process.env.TEST_DATABASE)
    await dropDatabase(process.env.TEST_SERVER_URL, process.env.TEST_DATABASE);
  await services?.stop();
}
