/**
 * Issue 11, items 6 to 8: login and register throttling per account and address (addresses told apart on loopback:
 * 127.0.0.x), subscriptions per connection and per user, and what a Redis outage leaves behind (the daily schedule,
 * missed events), against a redis-server of this file's own that it stops and starts again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { freePort, redisAnswers } from '../src/infra/services';
import { DAILY_SCHEDULE } from '../workers/batch-run.processor';
import {
  createPortfolio,
  err,
  ok,
  registerUser,
  startHarness,
  subscribe,
  until,
  type GqlResult,
  type Harness,
} from './helpers/harness';

/** A GraphQL POST from a chosen loopback address. */
function postFrom(h: Harness, address: string, query: string, variables: Record<string, unknown>): Promise<GqlResult> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const options = {
      host: '127.0.0.1',
      port: h.server.port,
      path: '/graphql',
      method: 'POST',
      localAddress: address,
      agent: false,
      headers,
    };
    const req = http.request(options, (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve(JSON.parse(text)));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const LOGIN = 'mutation($i: LoginInput!) { login(input: $i) { token } }';
const REGISTER = 'mutation($i: RegisterInput!) { register(input: $i) { token } }';

describe('6. login and register throttling', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      worker: false,
      config: {
        QUEUE_PREFIX: `throttle11_${randomBytes(4).toString('hex')}`,
        LOGIN_MAX_FAILURES_PER_ADDRESS: '12',
        REGISTER_MAX_PER_ADDRESS: '3',
      },
    });
  });
  afterAll(() => h.close());
  const login = (address: string, who: string, password: string) =>
    postFrom(h, address, LOGIN, { i: { usernameOrEmail: who, password } });

  it('counts failures per account whichever identifier is typed; locks it only for the failing address', async () => {
    const victim = await registerUser(h);
    const email = `${victim.username}@example.com`;
    for (let i = 0; i < 10; i++) {
      expect(err(await login('127.0.0.2', victim.username, 'wrong-password')).code).toBe('UNAUTHENTICATED');
    }
    // The right password through the other identifier is refused from that address ...
    expect(err(await login('127.0.0.2', email, 'correct-horse-1')).code).toBe('LIMIT_EXCEEDED');
    expect(err(await login('127.0.0.2', victim.username, 'correct-horse-1')).code).toBe('LIMIT_EXCEEDED');
    // ... while the owner, elsewhere, logs in with either.
    expect(ok(await login('127.0.0.3', victim.username, 'correct-horse-1')).login.token).toBeTruthy();
    expect(ok(await login('127.0.0.3', email, 'correct-horse-1')).login.token).toBeTruthy();
    // Failures through both identifiers add up (5 + 5 of 10), below the address's own limit (12).
    const other = await registerUser(h);
    for (let i = 0; i < 10; i++) {
      const who = i % 2 ? other.username : `${other.username}@example.com`.toUpperCase();
      expect(err(await login('127.0.0.8', who, 'wrong-password')).code).toBe('UNAUTHENTICATED');
    }
    expect(err(await login('127.0.0.8', other.username, 'correct-horse-1')).code).toBe('LIMIT_EXCEEDED');
  }, 120000);

  it('limits failures per address over all accounts', async () => {
    const owner = await registerUser(h);
    // 12 failures on 12 different (unknown) names from one address: each name has used 1 of 10, the address all 12.
    for (let i = 0; i < 12; i++) {
      const nobody = `nobody_${i}_${randomBytes(3).toString('hex')}`;
      expect(err(await login('127.0.0.4', nobody, 'x-password')).code).toBe('UNAUTHENTICATED');
    }
    const blocked = await login('127.0.0.4', owner.username, 'correct-horse-1');
    expect(err(blocked).code).toBe('LIMIT_EXCEEDED');
    expect(blocked.errors![0].message).toMatch(/try again in \d+ s/);
    expect(ok(await login('127.0.0.5', owner.username, 'correct-horse-1')).login.token).toBeTruthy();
  }, 90000);

  it('throttles register per address (REGISTER_MAX_PER_ADDRESS), counting every attempt', async () => {
    const reg = (address: string, name: string) =>
      postFrom(h, address, REGISTER, {
        i: { email: `${name}@example.com`, username: name, password: 'correct-horse-1' },
      });
    const names = [0, 1, 2, 3].map(() => `r_${randomBytes(5).toString('hex')}`);
    ok(await reg('127.0.0.6', names[0]));
    // A refused attempt (a taken username) counts too.
    expect(err(await reg('127.0.0.6', names[0])).code).toBe('CONFLICT');
    ok(await reg('127.0.0.6', names[1]));
    const refused = await reg('127.0.0.6', names[2]);
    expect(err(refused).code).toBe('LIMIT_EXCEEDED');
    const [{ n }] = await h.app.ds.query(`SELECT count(*)::int AS n FROM users WHERE username = $1`, [names[2]]);
    expect(n).toBe(0);
    ok(await reg('127.0.0.7', names[3]));
  });
});

describe('7. subscriptions per connection and per user', () => {
  let h: Harness;
  beforeAll(async () => {
    const config = { MAX_SUBSCRIPTIONS_PER_CONNECTION: '5', MAX_SUBSCRIPTIONS_PER_USER: '8' };
    h = await startHarness({ worker: false, config });
  });
  afterAll(() => h.close());

  it('refuses the excess with LIMIT_EXCEEDED, and frees a slot when one completes', async () => {
    const u = await registerUser(h);
    const p = await createPortfolio(h, u.token);
    const q = 'subscription($p: ID!) { portfolioChanged(portfolioId: $p) { kind } }';
    const gauge = async () =>
      Number(/^graphql_active_subscriptions (\d+)/m.exec(await (await fetch(h.server.metricsUrl)).text())?.[1]);
    const c1 = h.ws(u.token);
    const first = Array.from({ length: 5 }, () => subscribe(c1, q, { p }));
    await until(async () => (await gauge()) >= 5, 5000, 'five open');
    const sixth = subscribe(c1, q, { p });
    await until(async () => sixth.errors.length > 0, 5000, 'the sixth refused');
    // graphql-ws hands the refusal to the sink as the list of errors.
    const first_ = (errors: unknown[]) =>
      [errors].flat(2)[0] as { message: string; extensions: Record<string, unknown> };
    expect(first_(sixth.errors)).toMatchObject({ extensions: { code: 'LIMIT_EXCEEDED', limit: 5 } });
    expect(first_(sixth.errors).message).toMatch(/one connection/);
    // Per user, over sockets: 5 + 3 = 8; the ninth is refused.
    const c2 = h.ws(u.token);
    const more = Array.from({ length: 3 }, () => subscribe(c2, q, { p }));
    await until(async () => (await gauge()) >= 8, 5000, 'eight open');
    const ninth = subscribe(c2, q, { p });
    await until(async () => ninth.errors.length > 0, 5000, 'the ninth refused');
    expect(first_(ninth.errors)).toMatchObject({ extensions: { code: 'LIMIT_EXCEEDED', limit: 8 } });
    expect(more.every((s) => s.errors.length === 0) && first.every((s) => s.errors.length === 0)).toBe(true);
    // Completing one frees its slot.
    first[0].dispose();
    await until(async () => (await gauge()) === 7, 5000, 'one completed');
    const again = subscribe(c2, q, { p });
    ok(await h.gql('mutation($p: ID!) { renamePortfolio(id: $p, name: "Renamed") { id } }', { p }, u.token));
    await until(
      async () => again.errors.length > 0 || again.events.length > 0,
      5000,
      'the new subscription answers',
    ).catch(() => undefined);
    expect(again.errors).toEqual([]);
  });
});

describe('8. a Redis outage', () => {
  let redis: ChildProcess;
  let port: number;
  let h: Harness;
  const startRedis = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    redis = spawn('redis-server', args, { stdio: 'ignore' });
    await until(async () => redisAnswers(`redis://127.0.0.1:${port}`), 10000, 'redis-server');
  };
  const stopRedis = async () => {
    const exited = new Promise((r) => redis.once('exit', r));
    redis.kill('SIGTERM');
    await exited;
  };
  beforeAll(async () => {
    port = await freePort();
    await startRedis();
    h = await startHarness({ redisUrl: `redis://127.0.0.1:${port}`, config: { QUEUE_PREFIX: 'outage' } });
  });
  afterAll(async () => {
    await h.close();
    if (redis.exitCode === null) await stopRedis();
  });

  it('re-registers the daily schedule when the worker reconnects; subscribers get RESYNC', async () => {
    const u = await registerUser(h);
    const p = await createPortfolio(h, u.token);
    {
      const scheduled = async () =>
        (await h.app.batchQueue.getJobScheduler(DAILY_SCHEDULE.id).catch(() => undefined)) !== undefined;
      await until(scheduled, 10000, 'schedule at start');
      const changes = 'subscription($p: ID!) { portfolioChanged(portfolioId: $p) { kind strategyIds } }';
      const sub = subscribe(h.ws(u.token), changes, { p });
      await new Promise((r) => setTimeout(r, 500));
      // The Redis restarts without its data (no persistence): the schedule is gone with it.
      await stopRedis();
      await new Promise((r) => setTimeout(r, 1000));
      await startRedis();
      await until(scheduled, 20000, 'schedule after the restart');
      const resync = await until(
        async () => sub.events.find((e) => e.portfolioChanged.kind === 'RESYNC'),
        20000,
        'RESYNC',
      );
      expect(resync.portfolioChanged.strategyIds).toEqual([]);
      // And events flow again afterwards.
      const i = { portfolioId: p, symbol: 'AAPL', quantity: 1, entryPrice: 1, entryDate: '2026-01-05' };
      const create = 'mutation($i: CreatePositionInput!) { createPosition(input: $i) { strategy { id } } }';
      const pos = ok(await h.gql(create, { i }, u.token)).createPosition.strategy.id;
      await until(
        async () => sub.events.some((e) => e.portfolioChanged.strategyIds.includes(pos)),
        10000,
        'events after it',
      );
    }
  }, 90000);
});
