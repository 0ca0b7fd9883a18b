import { randomBytes } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { App } from '../../src/app';
import { loadConfig, setConfig } from '../../src/config';
import { createSchema } from '../../src/schema';
import { startServer, type RunningServer } from '../../src/server';
import { startWorker, type RunningWorker } from '../../workers/worker';

export interface GqlResult<T = any> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

/** A real server (HTTP + graphql-ws) and, unless disabled, a real worker, on the run's database and Redis. */
export interface Harness {
  app: App;
  server: RunningServer;
  worker: RunningWorker | null;
  /** SQL statements issued through the app's DataSource since the last reset. */
  sql: string[];
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResult<T>>;
  ws(token?: string): Client;
  close(): Promise<void>;
}

export function testConfig(extra: Record<string, string> = {}) {
  return loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ADMIN_USERS: 'admin_user',
    JWT_SECRET: 'test-secret-test-secret-test-secret',
    QUEUE_PREFIX: process.env.TEST_QUEUE_PREFIX ?? 'test',
    // Every test registers its users from loopback; the register limit has tests of its own (bounded.test.ts).
    REGISTER_MAX_PER_ADDRESS: '1000000',
    ...extra,
  });
}

/**
 * `config` overrides testConfig's values (e.g. ADMIN_USERS, QUEUE_PREFIX); `databaseUrl` replaces the run's database
 * (for tests that must not see other files' workers and sweepers).
 */
export async function startHarness(
  opts: { worker?: boolean; redisUrl?: string; config?: Record<string, string>; databaseUrl?: string } = {},
): Promise<Harness> {
  const cfg = testConfig(opts.config);
  setConfig(cfg);
  const sql: string[] = [];
  const app = await App.create(
    cfg,
    opts.databaseUrl ?? process.env.TEST_DATABASE_URL!,
    opts.redisUrl ?? process.env.TEST_REDIS_URL!,
    { sqlLogger: (q) => sql.push(q) },
  );
  const server = await startServer(app, await createSchema(app.pubSub), 0);
  const worker = opts.worker === false ? null : await startWorker(app, { sweepMs: 500 });
  const clients: Client[] = [];
  return {
    app,
    server,
    worker,
    sql,
    async gql(query, variables, token) {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return res.json() as Promise<GqlResult>;
    },
    ws(token) {
      const c = createClient({
        url: server.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        lazy: false,
      });
      clients.push(c);
      return c;
    },
    async close() {
      await Promise.all(clients.map((c) => c.dispose()));
      await worker?.close();
      await server.close();
      await app.close();
    },
  };
}

/** Registers a fresh user and returns its token and id. */
export async function registerUser(
  h: Harness,
  username = `u_${randomBytes(5).toString('hex')}`,
): Promise<{ token: string; id: string; username: string }> {
  const r = await h.gql(`mutation($i: RegisterInput!) { register(input: $i) { token user { id } } }`, {
    i: { email: `${username}@example.com`, username, password: 'correct-horse-1' },
  });
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  return { token: r.data.register.token, id: r.data.register.user.id, username };
}

/** The data of a successful operation; fails the test with the errors otherwise. */
export function ok<T = any>(r: GqlResult<T>): T {
  if (r.errors?.length || !r.data) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
  return r.data;
}

/** The first error's code and field (and message). */
export function err(r: GqlResult): { code?: string; field?: string; message?: string } {
  const e = r.errors?.[0];
  return { code: e?.extensions?.code, field: e?.extensions?.field, message: e?.message };
}

/** Polls until `check` returns a truthy value (bounded: fails after `ms`). */
export async function until<T>(
  check: () => Promise<T | null | undefined | false>,
  ms = 10000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Collects events of a subscription until disposed. */
export function subscribe(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const events: any[] = [];
  const errors: unknown[] = [];
  let completed = false;
  const dispose = client.subscribe(
    { query, variables },
    {
      next: (v) => (v.errors ? errors.push(...v.errors) : events.push(v.data)),
      error: (e) => errors.push(e),
      complete: () => {
        completed = true;
      },
    },
  );
  return {
    events,
    errors,
    dispose,
    get completed() {
      return completed;
    },
  };
}

export const CREATE_PORTFOLIO = `mutation($n: String!) { createPortfolio(name: $n) { id name } }`;
export const CREATE_POSITION = `mutation($i: CreatePositionInput!) { createPosition(input: $i) {
  leg { id symbol positionType quantity investmentClass } strategy { id name type } } }`;

export async function createPortfolio(h: Harness, token: string, name = 'Main'): Promise<string> {
  return ok(await h.gql(CREATE_PORTFOLIO, { n: name }, token)).createPortfolio.id;
}

export async function createPosition(
  h: Harness,
  token: string,
  input: Record<string, unknown>,
): Promise<{ legId: string; strategyId: string }> {
  const d = ok(await h.gql(CREATE_POSITION, { i: { entryDate: '2026-01-05', ...input } }, token));
  return { legId: d.createPosition.leg.id, strategyId: d.createPosition.strategy.id };
}
