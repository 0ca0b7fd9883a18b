import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { App } from '../src/app';
import { PortfolioChangeKind } from '../src/common/enums';
import { TOPICS } from '../src/infra/queues';
import { ChangeDelivery, MAX_ATTEMPTS, RetryTransaction, UnitOfWork, type Changes } from '../src/infra/unit-of-work';
import { testConfig, until } from './helpers/harness';

/**
 * The unit of work on the run's real PostgreSQL and Redis (no server, no worker, a queue prefix of its own so the
 * recompute jobs stay where this file can see them): retries, and delivery only after a commit. Its delivery is the
 * App's, observed: when it starts, it reads the probe row through another connection (what is committed).
 */

let app: App;
let uow: UnitOfWork;
let sub: Redis;
const portfolioId = randomUUID();
/** Events received on the portfolio's topic. */
const received: { strategyIds: string[] }[] = [];
/** Each delivery: the probe row's price as another connection saw it when the delivery started. */
const deliveries: { priceSeen: string | null }[] = [];
const symbol = `UOW${randomBytes(4).toString('hex').toUpperCase()}`;

const price = async (): Promise<string | null> => {
  const [row]: { p: string }[] = await app.ds.query(`SELECT last_price::text AS p FROM market_data WHERE symbol = $1`, [
    symbol,
  ]);
  return row?.p ?? null;
};
const queued = async (): Promise<string[]> =>
  (await app.producer.queue.getJobs(['waiting', 'prioritized', 'delayed'])).flatMap((j) => j.data.strategyIds);
const quiet = () => new Promise((r) => setTimeout(r, 300));

beforeAll(async () => {
  app = await App.create(
    testConfig({ QUEUE_PREFIX: `uow_${randomBytes(4).toString('hex')}` }),
    process.env.TEST_DATABASE_URL!,
    process.env.TEST_REDIS_URL!,
  );
  class ObservedDelivery extends ChangeDelivery {
    override async deliver(c: Changes): Promise<void> {
      if (!c.empty) deliveries.push({ priceSeen: await price() });
      return super.deliver(c);
    }
  }
  uow = new UnitOfWork(app.ds, new ObservedDelivery(app.producer, app.redis));
  sub = new Redis(process.env.TEST_REDIS_URL!);
  await sub.subscribe(TOPICS.portfolioChanged(portfolioId));
  sub.on('message', (_topic: string, message: string) => {
    const { strategyIds } = JSON.parse(message) as { strategyIds: string[] };
    received.push({ strategyIds });
  });
  await app.ds.query(`INSERT INTO market_data (symbol, last_price, price_at) VALUES ($1, 1, now())`, [symbol]);
});

afterAll(async () => {
  sub.disconnect();
  await app.producer.queue.obliterate({ force: true }).catch(() => undefined);
  await app.ds.query(`DELETE FROM market_data WHERE symbol = $1`, [symbol]);
  await app.close();
});

beforeEach(() => {
  received.length = 0;
  deliveries.length = 0;
});

describe('UnitOfWork.run', () => {
  it('retries a serialization failure; only the committed attempt is delivered, after the commit', async () => {
    const strategyId = randomUUID();
    let attempts = 0;
    const seenInside: { events: number; jobs: string[] }[] = [];
    const result = await uow.run(async (m, c) => {
      attempts++;
      await m.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      await m.query(`SELECT last_price FROM market_data WHERE symbol = $1`, [symbol]); // takes the snapshot
      // Another connection commits a change to the row after the snapshot: updating it now fails with 40001.
      if (attempts === 1)
        await app.ds.query(`UPDATE market_data SET last_price = last_price + 1 WHERE symbol = $1`, [symbol]);
      await m.query(`UPDATE market_data SET last_price = last_price + 10 WHERE symbol = $1`, [symbol]);
      c.touch(portfolioId, PortfolioChangeKind.STRATEGY_UPDATED, [strategyId]);
      await quiet();
      seenInside.push({ events: received.length, jobs: await queued() });
      return `done after ${attempts}`;
    });
    expect(result).toBe('done after 2');
    expect(await price()).toBe('12.00000000');
    // Nothing was announced while the transaction was open.
    expect(seenInside).toEqual([{ events: 0, jobs: [] }]);
    // One delivery, started once the row was committed (visible to others): one recomputation queued, one event.
    expect(deliveries).toEqual([{ priceSeen: '12.00000000' }]);
    expect(await queued()).toContain(strategyId);
    await until(async () => received.length > 0, 5000, 'the portfolio change');
    await quiet();
    expect(received).toEqual([{ strategyIds: [strategyId] }]);
  });

  it('announces nothing when the transaction rolls back, and does not retry other errors', async () => {
    const strategyId = randomUUID();
    let attempts = 0;
    await expect(
      uow.run(async (m, c) => {
        attempts++;
        await m.query(`UPDATE market_data SET last_price = 100 WHERE symbol = $1`, [symbol]);
        c.touch(portfolioId, PortfolioChangeKind.STRATEGY_UPDATED, [strategyId]);
        throw new Error('a rule said no');
      }),
    ).rejects.toThrow('a rule said no');
    expect(attempts).toBe(1);
    await quiet();
    expect(await price()).toBe('12.00000000');
    expect(deliveries).toEqual([]);
    expect(received).toEqual([]);
    expect(await queued()).not.toContain(strategyId);
  });

  it('answers CONFLICT when every attempt has to be retried, and announces nothing', async () => {
    const strategyId = randomUUID();
    let attempts = 0;
    const failure: unknown = await uow
      .run(async (_m, c) => {
        attempts++;
        c.touch(portfolioId, PortfolioChangeKind.STRATEGY_UPDATED, [strategyId]);
        throw new RetryTransaction();
      })
      .catch((e: unknown) => e);
    expect((failure as { extensions?: { code?: string } }).extensions?.code).toBe('CONFLICT');
    expect(attempts).toBe(MAX_ATTEMPTS);
    await quiet();
    expect(deliveries).toEqual([]);
    expect(received).toEqual([]);
    expect(await queued()).not.toContain(strategyId);
  });
});
