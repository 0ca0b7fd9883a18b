/**
 * Live updates (API.md "Live updates"): subscriptions over a real graphql-ws socket, events fanned out through
 * Redis to every API instance, the stale flag, and that no change is lost when Redis or a worker goes away.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Worker } from 'bullmq';
import { createClient } from 'graphql-ws';
import Redis from 'ioredis';
import WebSocket from 'ws';
import { dropDatabase, ensureDatabase, migrate } from '../src/infra/bootstrap';
import { coalescing } from '../src/infra/pubsub';
import { QUEUES, TOPICS } from '../src/infra/queues';
import { ensureRedis, redisAnswers, type RunningService } from '../src/infra/services';
import { startWorker, type RunningWorker } from '../workers/worker';
import {
  createPortfolio,
  createPosition,
  err,
  ok,
  registerUser,
  startHarness,
  subscribe,
  until,
  type Harness,
} from './helpers/harness';

// This file's own admin, so that no other test file's registration of the default admin collides with it.
const ADMIN = `live_admin_${randomBytes(4).toString('hex')}`;
const CONFIG = { ADMIN_USERS: ADMIN };

/** A ticker no other test publishes prices for (prices are global), usable as an OCC root (≤ 6 letters). */
function symbol(): string {
  return `L${Array.from(randomBytes(5), (b) => String.fromCharCode(65 + (b % 26))).join('')}`;
}

const PUBLISH = `mutation($p: [PriceInput!]!) { publishPrices(prices: $p) }`;
const STRATEGY = `query($id: ID!) { strategy(id: $id) {
  id status legs { id quantity } metrics { stale unrealizedPnl marketValue } } }`;
const UPDATE_LEG = `mutation($id: ID!, $q: Decimal) { updateLeg(id: $id, quantity: $q) { id quantity } }`;
const METRICS_SUB = `subscription($p: ID!) { strategyMetricsUpdated(portfolioId: $p) {
  id name portfolio { id } metrics { stale unrealizedPnl marketValue } } }`;
const CHANGED_SUB = `subscription($p: ID!) { portfolioChanged(portfolioId: $p) { portfolioId kind strategyIds at } }`;
const M2M_SUB = `subscription($s: ID!) { m2mUpdated(strategyId: $s) { strategyId bucketStart open high low close } }`;

/**
 * Waits until the API instance has subscribed to `topic` in Redis, so an event published afterwards reaches
 * the client. Only meaningful for a topic nobody else subscribes to (each test uses fresh ids).
 */
async function subscribed(h: Harness, topic: string): Promise<void> {
  await until(
    async () => {
      const [, n] = (await h.app.redis.pubsub('NUMSUB', topic)) as [string, number];
      return Number(n) >= 1;
    },
    10000,
    `a Redis subscriber on ${topic}`,
  );
}

async function strategy(h: Harness, token: string, id: string) {
  return ok(await h.gql(STRATEGY, { id }, token)).strategy;
}

/** Waits for the worker to have computed the strategy's current state. */
function fresh(h: Harness, token: string, id: string, ms = 15000) {
  return until(
    async () => {
      const s = await strategy(h, token, id);
      return s?.metrics && !s.metrics.stale ? s : null;
    },
    ms,
    `strategy ${id} recomputed (stale false)`,
  );
}

async function staleInPostgres(h: Harness, id: string): Promise<boolean> {
  const [row] = await h.app.ds.query(`SELECT stale FROM strategies WHERE id = $1`, [id]);
  return row.stale;
}

/** The market value the worker last stored for a strategy. */
async function storedMarketValue(h: Harness, id: string): Promise<string> {
  const [row] = await h.app.ds.query(`SELECT market_value FROM strategy_metrics WHERE strategy_id = $1`, [id]);
  return row.market_value;
}

describe('live updates (one API instance with a worker)', () => {
  let h: Harness;
  let admin: { token: string };

  beforeAll(async () => {
    h = await startHarness({ config: CONFIG });
    admin = await registerUser(h, ADMIN);
  });
  afterAll(async () => {
    await h?.close();
  });

  const publish = async (sym: string, price: string) =>
    expect(ok(await h.gql(PUBLISH, { p: [{ symbol: sym, price }] }, admin.token)).publishPrices).toBe(1);

  it('strategyMetricsUpdated delivers the strategy with new metrics after createPosition, publishPrices', async () => {
    const alice = await registerUser(h);
    const pid = await createPortfolio(h, alice.token);
    const sym = symbol();
    const sub = subscribe(h.ws(alice.token), METRICS_SUB, { p: pid });
    await subscribed(h, TOPICS.strategyMetrics(pid));

    const { strategyId } = await createPosition(h, alice.token, {
      portfolioId: pid,
      symbol: sym,
      quantity: '10',
      entryPrice: '50',
    });
    const created = await until(
      async () => sub.events.find((e) => e.strategyMetricsUpdated.id === strategyId),
      15000,
      'metrics event after createPosition',
    );
    expect(created.strategyMetricsUpdated).toMatchObject({
      name: `Long ${sym}`,
      portfolio: { id: pid },
      metrics: { stale: false },
    });
    expect(Number(created.strategyMetricsUpdated.metrics.unrealizedPnl)).toBe(0); // no price yet: valued at entry
    expect(Number(created.strategyMetricsUpdated.metrics.marketValue)).toBe(500);

    await publish(sym, '62.5');
    const priced = await until(
      async () => sub.events.find((e) => Number(e.strategyMetricsUpdated.metrics?.unrealizedPnl) === 125),
      15000,
      'metrics event with the new price',
    );
    expect(priced.strategyMetricsUpdated.id).toBe(strategyId);
    expect(Number(priced.strategyMetricsUpdated.metrics.marketValue)).toBe(625);
    expect(sub.errors).toEqual([]);
    // The stored metrics agree with what was pushed.
    expect(Number((await strategy(h, alice.token, strategyId)).metrics.unrealizedPnl)).toBe(125);
    sub.dispose();
  });

  it("refuses a subscription to another user's portfolio with NOT_FOUND", async () => {
    const alice = await registerUser(h);
    const bob = await registerUser(h);
    const pid = await createPortfolio(h, alice.token);
    for (const query of [METRICS_SUB, CHANGED_SUB]) {
      const sub = subscribe(h.ws(bob.token), query, { p: pid });
      await until(async () => sub.errors.length > 0 || sub.completed, 10000, 'the subscription to be refused');
      expect((sub.errors[0] as { extensions?: { code?: string } }).extensions?.code).toBe('NOT_FOUND');
      expect(sub.events).toEqual([]);
    }
    const sub = subscribe(h.ws(bob.token), M2M_SUB, {
      s: (await createPosition(h, alice.token, { portfolioId: pid, symbol: 'MSFT', quantity: '1', entryPrice: '1' }))
        .strategyId,
    });
    await until(async () => sub.errors.length > 0 || sub.completed, 10000, 'the m2m subscription to be refused');
    expect((sub.errors[0] as { extensions?: { code?: string } }).extensions?.code).toBe('NOT_FOUND');
  });

  it.each([
    ['no token', undefined],
    ['a malformed token', 'not-a-jwt'],
    [
      'a token signed with another secret',
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.' +
        'eyJ1c2VybmFtZSI6Im1hbGxvcnkiLCJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAifQ.c2lnbmF0dXJl',
    ],
  ])('refuses the connection with %s', async (_what, token) => {
    // A lazy client of our own: the harness' eager client would also report the refusal on the console.
    const client = createClient({
      url: h.server.wsUrl,
      webSocketImpl: WebSocket,
      lazy: true,
      retryAttempts: 0,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    });
    try {
      const closed = new Promise<{ code: number }>((resolve) =>
        client.on('closed', (e) => resolve(e as { code: number })),
      );
      const sub = subscribe(
        client,
        `subscription { portfolioChanged(portfolioId: "00000000-0000-0000-0000-000000000000") { kind } }`,
      );
      expect((await closed).code).toBe(4403);
      await until(async () => sub.errors.length > 0, 10000, 'the subscription to fail');
      const refusal = sub.errors[0] as { code?: number; reason?: string };
      expect([refusal.code, refusal.reason]).toEqual([4403, 'Forbidden']);
      expect(sub.events).toEqual([]);
    } finally {
      await client.dispose();
    }
  });

  it('rejects a subscription deeper than 12 over the socket with QUERY_TOO_COMPLEX, as over HTTP', async () => {
    const alice = await registerUser(h);
    const deep = `subscription { strategyMetricsUpdated(portfolioId: "00000000-0000-0000-0000-000000000000") {
      portfolio { strategies { edges { node {
      portfolio { strategies { edges { node { portfolio { strategies { edges { node { id } } } } } } } } } } } } } }`;
    const deepQuery = `{ portfolios { strategies { edges { node { portfolio { strategies { edges { node {
      portfolio { strategies { edges { node { id } } } } } } } } } } } } }`;
    expect(err(await h.gql(deepQuery, {}, alice.token)).code).toBe('QUERY_TOO_COMPLEX');
    const sub = subscribe(h.ws(alice.token), deep);
    await until(async () => sub.errors.length > 0, 10000, 'the subscription to be rejected');
    const [rejected] = sub.errors as { extensions?: { code?: string } }[][];
    expect(rejected[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it("a syntax error fails only that operation and keeps the connection's other subscriptions alive", async () => {
    const alice = await registerUser(h);
    const pid = await createPortfolio(h, alice.token);
    const client = h.ws(alice.token);
    const good = subscribe(client, CHANGED_SUB, { p: pid });
    await subscribed(h, TOPICS.portfolioChanged(pid));
    const bad = subscribe(client, `subscription { portfolioChanged(portfolioId: "x" { kind } }`);
    await until(async () => bad.errors.length > 0, 10000, 'the bad subscription to fail');
    expect((bad.errors[0] as { message?: string }[])[0]?.message).toMatch(/Syntax Error/);
    await createPosition(h, alice.token, { portfolioId: pid, symbol: symbol(), quantity: '1', entryPrice: '1' });
    await until(async () => good.events.length > 0, 10000, 'the good subscription to keep receiving');
    expect(good.errors).toEqual([]);
  });

  it('portfolioChanged fires after combineLegs with STRATEGIES_COMBINED and the strategies it touched', async () => {
    const alice = await registerUser(h);
    const pid = await createPortfolio(h, alice.token);
    const sym = symbol();
    const stock = await createPosition(h, alice.token, {
      portfolioId: pid,
      symbol: sym,
      quantity: '100',
      entryPrice: '50',
    });
    const call = await createPosition(h, alice.token, {
      portfolioId: pid,
      symbol: `${sym}261218C00060000`,
      quantity: '-1',
      entryPrice: '2.5',
    });
    const sub = subscribe(h.ws(alice.token), CHANGED_SUB, { p: pid });
    await subscribed(h, TOPICS.portfolioChanged(pid));

    const combined = ok(
      await h.gql(
        `mutation($i: CombineInput!) { combineLegs(input: $i) { id type legCount } }`,
        { i: { legIds: [stock.legId, call.legId] } },
        alice.token,
      ),
    ).combineLegs;
    expect(combined).toMatchObject({ type: 'COVERED_CALL', legCount: 2 });

    const ev = await until(
      async () => sub.events.find((e) => e.portfolioChanged.kind === 'STRATEGIES_COMBINED'),
      10000,
      'STRATEGIES_COMBINED',
    );
    expect(ev.portfolioChanged.portfolioId).toBe(pid);
    expect([...ev.portfolioChanged.strategyIds].sort()).toEqual(
      [combined.id, stock.strategyId, call.strategyId].sort(),
    );
    expect(Number.isNaN(Date.parse(ev.portfolioChanged.at))).toBe(false);
    // The emptied sources were closed, and that is announced too.
    const closed = await until(
      async () => sub.events.find((e) => e.portfolioChanged.kind === 'STRATEGY_CLOSED'),
      10000,
      'STRATEGY_CLOSED',
    );
    expect([...closed.portfolioChanged.strategyIds].sort()).toEqual([stock.strategyId, call.strategyId].sort());
    sub.dispose();
  });

  it('m2mUpdated delivers the minute candle after a price change, and Strategy.m2m lists it', async () => {
    const alice = await registerUser(h);
    const pid = await createPortfolio(h, alice.token);
    const sym = symbol();
    const { strategyId } = await createPosition(h, alice.token, {
      portfolioId: pid,
      symbol: sym,
      quantity: '10',
      entryPrice: '50',
    });
    await fresh(h, alice.token, strategyId);
    const sub = subscribe(h.ws(alice.token), M2M_SUB, { s: strategyId });
    await subscribed(h, TOPICS.m2m(strategyId));

    await publish(sym, '55');
    const up = await until(
      async () => sub.events.find((e) => Number(e.m2mUpdated.close) === 50),
      15000,
      'a candle closing at +50',
    );
    await publish(sym, '45');
    const down = await until(
      async () => sub.events.find((e) => Number(e.m2mUpdated.close) === -50),
      15000,
      'a candle closing at -50',
    );
    for (const { m2mUpdated: c } of [up, down]) {
      expect(c.strategyId).toBe(strategyId);
      expect(new Date(c.bucketStart).getUTCSeconds()).toBe(0);
      expect(Number(c.low)).toBeLessThanOrEqual(Math.min(Number(c.open), Number(c.close)));
      expect(Number(c.high)).toBeGreaterThanOrEqual(Math.max(Number(c.open), Number(c.close)));
    }
    if (up.m2mUpdated.bucketStart === down.m2mUpdated.bucketStart) {
      // Same minute: the candle spans both prices.
      expect(Number(down.m2mUpdated.high)).toBeGreaterThanOrEqual(50);
      expect(Number(down.m2mUpdated.low)).toBe(-50);
    }

    const { m2m } = ok(
      await h.gql(
        `query($id: ID!) { strategy(id: $id) { m2m { strategyId bucketStart open high low close } } }`,
        { id: strategyId },
        alice.token,
      ),
    ).strategy;
    expect(m2m.length).toBeGreaterThanOrEqual(1);
    expect(m2m.map((c: { bucketStart: string }) => c.bucketStart)).toEqual(
      [...m2m.map((c: { bucketStart: string }) => c.bucketStart)].sort(),
    );
    const last = m2m.find((c: { bucketStart: string }) => c.bucketStart === down.m2mUpdated.bucketStart);
    expect(last).toMatchObject({ strategyId, close: down.m2mUpdated.close, low: down.m2mUpdated.low });
    sub.dispose();
  });

  it('metrics.stale turns false once the worker has recomputed a change', async () => {
    const alice = await registerUser(h);
    const pid = await createPortfolio(h, alice.token);
    const { strategyId, legId } = await createPosition(h, alice.token, {
      portfolioId: pid,
      symbol: symbol(),
      quantity: '10',
      entryPrice: '20',
    });
    const first = await fresh(h, alice.token, strategyId);
    expect(Number(first.metrics.marketValue)).toBe(200);
    ok(await h.gql(UPDATE_LEG, { id: legId, q: '30' }, alice.token));
    const after = await until(
      async () => {
        const s = await strategy(h, alice.token, strategyId);
        return s.metrics && !s.metrics.stale && Number(s.metrics.marketValue) === 600 ? s : null;
      },
      15000,
      'the change recomputed',
    );
    expect(after.legs[0].quantity).toMatch(/^30(\.0+)?$/);
    expect(await staleInPostgres(h, strategyId)).toBe(false);
  });

  describe('with a second API instance (no worker) on the same database and Redis', () => {
    let b: Harness;
    beforeAll(async () => {
      b = await startHarness({ worker: false, config: CONFIG });
    });
    afterAll(async () => {
      await b?.close();
    });

    it('delivers events caused on instance A to subscribers on instance B', async () => {
      const alice = await registerUser(h);
      const pid = await createPortfolio(h, alice.token);
      const client = b.ws(alice.token); // the same token: both instances share the JWT secret
      const metrics = subscribe(client, METRICS_SUB, { p: pid });
      const changes = subscribe(client, CHANGED_SUB, { p: pid });
      await subscribed(b, TOPICS.strategyMetrics(pid));
      await subscribed(b, TOPICS.portfolioChanged(pid));

      const { strategyId } = await createPosition(h, alice.token, {
        portfolioId: pid,
        symbol: symbol(),
        quantity: '4',
        entryPrice: '25',
      });
      const created = await until(
        async () => changes.events.find((e) => e.portfolioChanged.kind === 'STRATEGY_CREATED'),
        10000,
        'portfolioChanged on B',
      );
      expect(created.portfolioChanged.strategyIds).toEqual([strategyId]);
      // Instance B has no worker: the recomputation ran on A's worker and reached B through Redis.
      const ev = await until(
        async () => metrics.events.find((e) => e.strategyMetricsUpdated.id === strategyId),
        15000,
        'strategyMetricsUpdated on B',
      );
      expect(ev.strategyMetricsUpdated.metrics).toMatchObject({ stale: false });
      expect(Number(ev.strategyMetricsUpdated.metrics.marketValue)).toBe(100);
      expect([...metrics.errors, ...changes.errors]).toEqual([]);
    });
  });
});

describe('coalescing() per-connection buffer', () => {
  /** A source that produces `n` events as fast as it can, whether or not anyone consumes. */
  function burst(n: number, keys: number) {
    const state = { produced: 0, finished: false };
    async function* gen() {
      for (let i = 0; i < n; i++) {
        state.produced++;
        yield { key: `k${i % keys}`, value: i };
      }
      state.finished = true;
    }
    return { state, source: gen() };
  }

  async function drain<T>(it: AsyncIterableIterator<T>): Promise<T[]> {
    const out: T[] = [];
    for await (const e of it) out.push(e);
    return out;
  }

  it('keeps at most `cap` keys, each with its newest event, from 10,000 unconsumed events', async () => {
    const { state, source } = burst(10_000, 1500);
    const it = coalescing(source, (e) => e.key, 100);
    await until(async () => state.finished, 10000, 'the source to be drained');
    expect(state.produced).toBe(10_000);
    const delivered = await drain(it);
    expect(delivered.length).toBeLessThanOrEqual(100);
    expect(delivered.length).toBe(100);
    // Newest per key: the last occurrence of key k(i % 1500) below 10,000.
    for (const e of delivered) {
      const k = Number(e.key.slice(1));
      expect(e.value).toBe(k + 1500 * Math.floor((9999 - k) / 1500));
    }
    // The oldest keys were the ones dropped: what is left are the 100 most recent events.
    expect(delivered.map((e) => e.value)).toEqual(Array.from({ length: 100 }, (_, i) => 9900 + i));
  });

  it('delivers the last value of every key when there are fewer keys than the cap', async () => {
    const { state, source } = burst(10_000, 10);
    const it = coalescing(source, (e) => e.key, 100);
    await until(async () => state.finished, 10000, 'the source to be drained');
    const delivered = await drain(it);
    expect(delivered).toHaveLength(10);
    expect(delivered.map((e) => e.value).sort((a, b) => a - b)).toEqual([
      9990, 9991, 9992, 9993, 9994, 9995, 9996, 9997, 9998, 9999,
    ]);
  });

  it('hands events straight to a waiting consumer and stops on return()', async () => {
    let push!: (v: { key: string; value: number }) => void;
    const source: AsyncIterable<{ key: string; value: number }> = {
      [Symbol.asyncIterator]() {
        return {
          next: () =>
            new Promise((resolve) => {
              push = (v) => resolve({ value: v, done: false });
            }),
          return: async () => ({ value: undefined, done: true }),
        };
      },
    };
    const it = coalescing(source, (e) => e.key, 10);
    const pending = it.next();
    await until(async () => typeof push === 'function', 1000, 'the source to be read');
    push({ key: 'a', value: 1 });
    await expect(pending).resolves.toEqual({ value: { key: 'a', value: 1 }, done: false });
    await expect(it.return!()).resolves.toEqual({ value: undefined, done: true });
    await expect(it.next()).resolves.toEqual({ value: undefined, done: true });
  });
});

/**
 * Durability needs a database of its own: every other test file's worker sweeps the shared database for stale
 * strategies and would recompute these, hiding whether the change survived on its own. Each test closes what
 * it started before the next one runs, so no sweeper of an earlier test touches a later one.
 */
describe('durability (own database and queue prefix)', () => {
  const dbName = `${process.env.TEST_DATABASE}_live_iso`;
  let dbUrl: string;
  const prefix = (n: string) => `${process.env.TEST_QUEUE_PREFIX}_${n}`.slice(0, 40);
  const isolated = (n: string, opts: { worker?: boolean; redisUrl?: string } = {}) =>
    startHarness({ ...opts, databaseUrl: dbUrl, config: { ...CONFIG, QUEUE_PREFIX: prefix(n) } });
  /** Shutdown must not hang a failed test's cleanup (e.g. while its Redis is gone). */
  const within = (p: Promise<unknown> | undefined, ms = 15000) =>
    Promise.race([Promise.resolve(p).catch(() => undefined), new Promise((r) => setTimeout(r, ms).unref())]);

  beforeAll(async () => {
    dbUrl = await ensureDatabase(process.env.TEST_SERVER_URL!, dbName);
    await migrate(dbUrl);
  }, 60000);
  afterAll(async () => {
    await dropDatabase(process.env.TEST_SERVER_URL!, dbName);
  }, 60000);

  it('with no worker running a change stays stale in PostgreSQL, queued, until a worker runs it', async () => {
    const h = await isolated('nowork', { worker: false });
    let worker: RunningWorker | undefined;
    try {
      const u = await registerUser(h);
      const pid = await createPortfolio(h, u.token);
      const { strategyId, legId } = await createPosition(h, u.token, {
        portfolioId: pid,
        symbol: symbol(),
        quantity: '10',
        entryPrice: '10',
      });
      ok(await h.gql(UPDATE_LEG, { id: legId, q: '12' }, u.token));

      expect(await staleInPostgres(h, strategyId)).toBe(true);
      expect((await strategy(h, u.token, strategyId)).metrics).toBeNull(); // never computed
      const queued = await h.app.producer.queue.getJobs(['waiting', 'prioritized', 'delayed']);
      expect(queued.flatMap((j) => j.data.strategyIds)).toContain(strategyId);

      worker = await startWorker(h.app, { sweepMs: 500 });
      const s = await fresh(h, u.token, strategyId);
      expect(Number(s.metrics.marketValue)).toBe(120);
      expect(await staleInPostgres(h, strategyId)).toBe(false);
    } finally {
      await within(worker?.close());
      await within(h.close());
    }
  }, 60000);

  it('a worker killed mid-job loses nothing: its stalled job is retried by another worker', async () => {
    const a = await isolated('killed', { worker: false });
    let b: Harness | undefined;
    const connection = new Redis(process.env.TEST_REDIS_URL!, { maxRetriesPerRequest: null });
    try {
      const u = await registerUser(a);
      const pid = await createPortfolio(a, u.token);
      // One stale strategy: its job's deduplication id is the strategy id, so the sweeper cannot enqueue a
      // second job beside the orphaned one; only the stalled-job check can bring it back.
      const { strategyId } = await createPosition(a, u.token, {
        portfolioId: pid,
        symbol: symbol(),
        quantity: '7',
        entryPrice: '10',
      });

      // A worker configured like ours takes the job and dies holding it (force-closed: its lock is left to expire).
      let taken: string | undefined;
      const doomed = new Worker(
        QUEUES.recompute,
        async (job) => {
          taken = job.id;
          await new Promise(() => undefined);
        },
        { connection, prefix: prefix('killed'), lockDuration: 1000, stalledInterval: 5000, maxStalledCount: 3 },
      );
      doomed.on('error', () => undefined);
      await until(async () => taken, 10000, 'the doomed worker to take the job');
      await doomed.close(true);
      connection.disconnect();
      expect(await staleInPostgres(a, strategyId)).toBe(true);
      expect((await a.app.producer.queue.getActive()).map((j) => j.id)).toEqual([taken]);

      b = await isolated('killed');
      const s = await fresh(b, u.token, strategyId, 45000);
      expect(Number(s.metrics.marketValue)).toBe(70);
      const job = await b.app.producer.queue.getJob(taken!);
      expect(job?.data.strategyIds).toEqual([strategyId]);
      expect(await job?.isCompleted()).toBe(true);
      expect(job?.attemptsStarted).toBeGreaterThanOrEqual(2); // the same job, started again after it stalled
    } finally {
      connection.disconnect();
      await within(b?.close());
      await within(a.close());
    }
  }, 90000);

  it('a change committed while Redis is down stays stale and is recomputed once Redis is back', async () => {
    const redis: RunningService = await ensureRedis('redis://127.0.0.1:1');
    const port = Number(new URL(redis.url).port);
    let h: Harness | undefined;
    let child: ChildProcess | undefined;
    try {
      h = await isolated('redisdown', { redisUrl: redis.url });
      const u = await registerUser(h);
      const pid = await createPortfolio(h, u.token);
      const { strategyId, legId } = await createPosition(h, u.token, {
        portfolioId: pid,
        symbol: symbol(),
        quantity: '10',
        entryPrice: '50',
      });
      await fresh(h, u.token, strategyId); // the whole path works while Redis is up

      await redis.stop();
      await until(async () => !(await redisAnswers(redis.url)), 10000, 'Redis to stop');

      // Both mutations commit although nothing can be enqueued.
      expect(ok(await h.gql(UPDATE_LEG, { id: legId, q: '20' }, u.token)).updateLeg.quantity).toMatch(/^20(\.0+)?$/);
      const second = await createPosition(h, u.token, {
        portfolioId: pid,
        symbol: 'TWO_SIGMA_FUND',
        quantity: '1',
        entryPrice: '1000',
      });
      const changed = await strategy(h, u.token, strategyId);
      expect(changed.legs[0].quantity).toMatch(/^20(\.0+)?$/);
      expect(changed.metrics.stale).toBe(true);
      // The answer's figures are its legs' (one snapshot per read); the stored computation is the last one, pending.
      expect(Number(changed.metrics.marketValue)).toBe(1000);
      expect(Number(await storedMarketValue(h, strategyId))).toBe(500);
      expect(await staleInPostgres(h, strategyId)).toBe(true);
      expect(await staleInPostgres(h, second.strategyId)).toBe(true);

      // Redis comes back on the same port, empty: the sweeper enqueues what PostgreSQL still marks stale.
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      await until(async () => redisAnswers(redis.url), 10000, 'Redis to be back');

      const s = await fresh(h, u.token, strategyId, 40000);
      expect(Number(s.metrics.marketValue)).toBe(1000);
      expect(Number(await storedMarketValue(h, strategyId))).toBe(1000);
      const p = await fresh(h, u.token, second.strategyId, 40000);
      expect(Number(p.metrics.marketValue)).toBe(1000);
    } finally {
      await within(h?.close());
      child?.kill('SIGTERM');
      await redis.stop();
    }
  }, 120000);
});
