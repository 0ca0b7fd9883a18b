import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig } from '../src/config';
import { RedisApqCache } from '../src/infra/apq-cache';
import { createSchema } from '../src/schema';
import { listen, startServer } from '../src/server';
import {
  createPortfolio,
  createPosition,
  err,
  ok,
  registerUser,
  startHarness,
  testConfig,
  type Harness,
} from './helpers/harness';

const ALLOWED = 'http://app.example.test:5173';
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ worker: false, config: { CORS_ORIGINS: `${ALLOWED},https://other.example.test` } });
});
afterAll(() => h.close());

const NODE = `query($id: ID!) { node(id: $id) { __typename id
  ... on Portfolio { name } ... on Strategy { name } ... on Leg { symbol } ... on Tag { name }
  ... on BatchRun { kind } } }`;
const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`;

/** A user with one portfolio, one position (leg + strategy) and one tag of their own. */
async function owner() {
  const u = await registerUser(h);
  const portfolioId = await createPortfolio(h, u.token);
  const { legId, strategyId } = await createPosition(h, u.token, {
    portfolioId,
    symbol: 'AAPL',
    quantity: 10,
    entryPrice: '150',
  });
  const tagId = ok(await h.gql('{ tags { id } }', {}, u.token)).tags[0].id as string;
  return { ...u, portfolioId, legId, strategyId, tagId };
}

describe('Relay node identification', () => {
  it("node(id) returns each type of the caller's objects with its __typename", async () => {
    const a = await owner();
    const expected: [string, string][] = [
      [a.portfolioId, 'Portfolio'],
      [a.strategyId, 'Strategy'],
      [a.legId, 'Leg'],
      [a.tagId, 'Tag'],
    ];
    for (const [id, type] of expected) {
      const n = ok(await h.gql(NODE, { id }, a.token)).node;
      expect(n).toMatchObject({ __typename: type, id });
    }
    expect(ok(await h.gql(NODE, { id: a.legId }, a.token)).node.symbol).toBe('AAPL');
  });

  it("nodes keeps the order asked, null for unknown, malformed and other users' ids, in one statement", async () => {
    const a = await owner();
    const b = await owner();
    const ids = [
      a.tagId,
      randomUUID(),
      a.legId,
      b.portfolioId,
      'not-a-uuid',
      a.portfolioId,
      b.legId,
      a.strategyId,
      a.legId,
    ];
    const r = ok(await h.gql(NODES, { ids }, a.token)).nodes;
    expect(r.map((n: any) => n?.__typename ?? null)).toEqual([
      'Tag',
      null,
      'Leg',
      null,
      null,
      'Portfolio',
      null,
      'Strategy',
      'Leg',
    ]);
    expect(r.map((n: any) => n?.id ?? null)).toEqual([
      a.tagId,
      null,
      a.legId,
      null,
      null,
      a.portfolioId,
      null,
      a.strategyId,
      a.legId,
    ]);

    // Another user's objects and unknown ids: one statement (the ownership check), the same work either way.
    h.sql.length = 0;
    expect(ok(await h.gql(NODES, { ids: [b.portfolioId, b.strategyId, b.legId, b.tagId] }, a.token)).nodes).toEqual([
      null,
      null,
      null,
      null,
    ]);
    const others = h.sql.length;
    h.sql.length = 0;
    expect(
      ok(await h.gql(NODES, { ids: [randomUUID(), randomUUID(), randomUUID(), randomUUID()] }, a.token)).nodes,
    ).toEqual([null, null, null, null]);
    expect(others).toBe(1);
    expect(h.sql.length).toBe(others);
    // The caller's own four objects: the check, then one batched statement per type.
    h.sql.length = 0;
    ok(await h.gql(NODES, { ids: [a.portfolioId, a.strategyId, a.legId, a.tagId] }, a.token));
    expect(h.sql.length).toBe(5);
  });

  it('a deleted portfolio and what was in it are gone from node', async () => {
    const a = await owner();
    ok(await h.gql('mutation($id: ID!) { deletePortfolio(id: $id) }', { id: a.portfolioId }, a.token));
    expect(
      ok(await h.gql(NODES, { ids: [a.portfolioId, a.strategyId, a.legId, a.tagId] }, a.token)).nodes.map(
        (n: any) => n?.__typename ?? null,
      ),
    ).toEqual([null, null, null, 'Tag']);
  });

  it("tag(id) and leg(id): the caller's own object, else null (also for an id of another type)", async () => {
    const a = await owner();
    const b = await owner();
    const q = `query($t: ID!, $l: ID!) {
      tag(id: $t) { id name usageCount } leg(id: $l) { id symbol strategy { id } } }`;
    const mine = ok(await h.gql(q, { t: a.tagId, l: a.legId }, a.token));
    expect(mine.tag.id).toBe(a.tagId);
    expect(mine.leg).toEqual({ id: a.legId, symbol: 'AAPL', strategy: { id: a.strategyId } });
    expect(ok(await h.gql(q, { t: b.tagId, l: b.legId }, a.token))).toEqual({ tag: null, leg: null });
    expect(ok(await h.gql(q, { t: a.legId, l: a.tagId }, a.token))).toEqual({ tag: null, leg: null });
  });

  it('needs a login, and at most 500 ids', async () => {
    expect(err(await h.gql(NODE, { id: randomUUID() })).code).toBe('UNAUTHENTICATED');
    const a = await registerUser(h);
    expect(err(await h.gql(NODES, { ids: Array.from({ length: 501 }, () => randomUUID()) }, a.token))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'ids',
    });
  });

  it('currentBatchRun(kind): the queued or running run, else the latest; users see their own runs only', async () => {
    const a = await owner();
    const b = await registerUser(h);
    const q = `query($k: BatchRunKind!) { currentBatchRun(kind: $k) { id kind status } }`;
    expect(ok(await h.gql(q, { k: 'IMPORT' }, a.token)).currentBatchRun).toBeNull();
    const csv = 'ticker,quantity,entry_price,entry_date,tags\nMSFT,5,300,2026-01-05,\n';
    const run = ok(
      await h.gql(
        'mutation($p: ID!, $c: String!) { importPositions(portfolioId: $p, csv: $c) { run { id } } }',
        { p: a.portfolioId, c: csv },
        a.token,
      ),
    ).importPositions.run;
    expect(ok(await h.gql(q, { k: 'IMPORT' }, a.token)).currentBatchRun).toMatchObject({
      id: run.id,
      kind: 'IMPORT',
      status: 'QUEUED',
    });
    expect(ok(await h.gql(NODE, { id: run.id }, a.token)).node).toMatchObject({
      __typename: 'BatchRun',
      kind: 'IMPORT',
    });
    expect(ok(await h.gql(q, { k: 'IMPORT' }, b.token)).currentBatchRun).toBeNull();
    expect(ok(await h.gql(NODE, { id: run.id }, b.token)).node).toBeNull();
    // A finished run does not hide a queued one.
    await h.app.ds.query(
      `UPDATE batch_runs SET status = 'COMPLETED', created_at = now() + interval '1 minute' WHERE id = $1`,
      [run.id],
    );
    const later = ok(
      await h.gql('mutation($p: ID!) { recomputeMetrics(portfolioId: $p) { id } }', { p: a.portfolioId }, a.token),
    ).recomputeMetrics;
    expect(ok(await h.gql(q, { k: 'RECOMPUTE_ALL' }, a.token)).currentBatchRun.id).toBe(later.id);
    expect(ok(await h.gql(q, { k: 'IMPORT' }, a.token)).currentBatchRun).toMatchObject({
      id: run.id,
      status: 'COMPLETED',
    });
  });
});

/** A raw HTTP request (fetch hides the Origin handling of a browser). */
function request(method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: h.server.port, method, path, headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const corsHeaders = (hs: http.IncomingHttpHeaders) => Object.keys(hs).filter((k) => k.startsWith('access-control-'));

describe('CORS (CORS_ORIGINS)', () => {
  const preflight = (origin: string) =>
    request('OPTIONS', '/graphql', {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,authorization',
    });

  it("answers a listed origin's preflight for content-type and authorization, and marks its answers", async () => {
    const p = await preflight(ALLOWED);
    expect(p.status).toBe(204);
    expect(p.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(p.headers['access-control-allow-headers']).toMatch(/content-type/);
    expect(p.headers['access-control-allow-headers']).toMatch(/authorization/);
    expect(p.headers['access-control-allow-methods']).toMatch(/POST/);
    const r = await request(
      'POST',
      '/graphql',
      { origin: ALLOWED, 'content-type': 'application/json' },
      JSON.stringify({ query: '{ __typename }' }),
    );
    expect(r.status).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(r.headers.vary).toMatch(/origin/i);
    expect(r.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('gives an origin not listed no CORS headers at all', async () => {
    for (const origin of ['http://evil.example.test', 'http://app.example.test:5174', 'null']) {
      expect(corsHeaders((await preflight(origin)).headers)).toEqual([]);
      const r = await request(
        'POST',
        '/graphql',
        { origin, 'content-type': 'application/json' },
        JSON.stringify({ query: '{ __typename }' }),
      );
      expect(corsHeaders(r.headers)).toEqual([]);
    }
  });

  it('refuses `*` in production and anything that is not an origin', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), CORS_ORIGINS: '*' })).toThrow(
      /CORS_ORIGINS.*production/,
    );
    expect(() => loadConfig({ CORS_ORIGINS: 'https://a.example.test/' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ CORS_ORIGINS: 'a.example.test' })).toThrow(/CORS_ORIGINS/);
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toEqual(['*']);
    expect(loadConfig({ CORS_ORIGINS: ' https://a.example.test , http://localhost:3000' }).corsOrigins).toEqual([
      'https://a.example.test',
      'http://localhost:3000',
    ]);
  });
});

describe('graphql-ws Origin check', () => {
  /** Whether a graphql-ws connection with this Origin (none: a non-browser client) gets acknowledged. */
  async function connects(origin?: string): Promise<boolean> {
    const u = await registerUser(h);
    return new Promise((resolve) => {
      class OriginSocket extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, origin ? { origin } : {});
        }
      }
      const c = createClient({
        url: h.server.wsUrl,
        webSocketImpl: OriginSocket,
        retryAttempts: 0,
        lazy: false,
        connectionParams: { authorization: `Bearer ${u.token}` },
        on: {
          connected: () => {
            resolve(true);
            void c.dispose();
          },
        },
        onNonLazyError: () => resolve(false),
      });
    });
  }

  it("accepts a listed origin, the API's own origin and clients without an Origin; refuses others", async () => {
    expect(await connects(ALLOWED)).toBe(true);
    expect(await connects(`http://localhost:${h.server.port}`)).toBe(true);
    expect(await connects()).toBe(true);
    expect(await connects('http://evil.example.test')).toBe(false);
  });
});

describe('automatic persisted queries', () => {
  const query = '{ strategyTemplates { type } }';
  const sha = (q: string) => createHash('sha256').update(q).digest('hex');
  const apq = (hash: string, q?: string) => ({
    ...(q ? { query: q } : {}),
    extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
  });
  async function post(url: string, body: unknown, token: string) {
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return r.json() as Promise<any>;
  }

  it('registers a query by hash in Redis and runs it by hash alone, on any API process', async () => {
    const u = await registerUser(h);
    const q = `${query} # ${randomUUID()}`;
    expect((await post(h.server.url, apq(sha(q)), u.token)).errors[0].extensions.code).toBe(
      'PERSISTED_QUERY_NOT_FOUND',
    );
    expect((await post(h.server.url, apq(sha(q), q), u.token)).data.strategyTemplates.length).toBeGreaterThan(0);
    const key = `${h.app.cfg.QUEUE_PREFIX}:apq:apq:${sha(q)}`;
    expect(await h.app.redis.get(key)).toBe(q);
    const ttl = await h.app.redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(24 * 3600);
    // A second server (as another API process would be) finds it through Redis.
    const other = await startServer(h.app, await createSchema(h.app.pubSub), 0);
    try {
      expect((await post(other.url, apq(sha(q)), u.token)).data.strategyTemplates.length).toBeGreaterThan(0);
    } finally {
      await other.close();
    }
  });

  it('refuses a hash that does not match its query', async () => {
    const u = await registerUser(h);
    const r = await post(h.server.url, apq(sha('{ me { id } }'), query), u.token);
    expect(r.data).toBeUndefined();
    expect(r.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(await h.app.redis.exists(`${h.app.cfg.QUEUE_PREFIX}:apq:apq:${sha('{ me { id } }')}`)).toBe(0);
  });

  it('keeps at most maxEntries queries, dropping the oldest registrations', async () => {
    const prefix = `${h.app.cfg.QUEUE_PREFIX}:apqtest:${randomUUID()}:`;
    const cache = new RedisApqCache(h.app.redis, prefix, { ttlSeconds: 60, maxEntries: 3 });
    for (let i = 0; i < 5; i++) await cache.set(`k${i}`, `q${i}`);
    expect(await Promise.all([0, 1, 2, 3, 4].map((i) => cache.get(`k${i}`)))).toEqual([
      undefined,
      undefined,
      'q2',
      'q3',
      'q4',
    ]);
    expect(await h.app.redis.zcard(`${prefix}index`)).toBe(3);
    await cache.delete('k3');
    expect(await cache.get('k3')).toBeUndefined();
    await h.app.redis.del(`${prefix}index`, `${prefix}k2`, `${prefix}k4`);
  });
});

describe('GraphiQL at GET /graphql (GRAPHQL_IDE)', () => {
  it('serves the page and its files from this server only, with no token or configuration in them', async () => {
    const page = await request('GET', '/graphql', { accept: 'text/html,application/xhtml+xml' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    const srcs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(srcs.length).toBeGreaterThanOrEqual(5);
    for (const src of srcs) {
      expect(src).toMatch(/^\/graphql\/ide\//);
      const a = await request('GET', src, { accept: 'text/html' });
      expect(a.status).toBe(200);
      expect(a.body.length).toBeGreaterThan(100);
    }
    const init = await request('GET', '/graphql/ide/init.js', { accept: '*/*' });
    for (const body of [page.body, init.body]) {
      expect(body).not.toContain(h.app.cfg.JWT_SECRET);
      expect(body).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // no JWT
      expect(body).not.toMatch(/https?:\/\//); // no other host
      expect(body).not.toMatch(/postgres|redis/i);
    }
  });

  it('leaves GraphQL GET requests and non-browser clients to the API', async () => {
    const r = await request('GET', '/graphql?query=%7B__typename%7D', {
      accept: 'application/json',
      'apollo-require-preflight': 'true',
    });
    expect(JSON.parse(r.body)).toEqual({ data: { __typename: 'Query' } });
    expect((await request('GET', '/graphql/ide/nothing.js', { accept: 'text/html' })).status).toBe(404);
  });

  it('is on by default outside production, off in production, and GRAPHQL_IDE decides', async () => {
    expect(loadConfig({}).graphqlIde).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).graphqlIde).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), GRAPHQL_IDE: 'true' }).graphqlIde).toBe(
      true,
    );
    expect(() => loadConfig({ GRAPHQL_IDE: 'yes' })).toThrow(/GRAPHQL_IDE/);
    const off = await startServer(
      Object.assign(Object.create(h.app), { cfg: testConfig({ GRAPHQL_IDE: 'false' }) }),
      await createSchema(h.app.pubSub),
      0,
    );
    try {
      const r = await fetch(off.url, { headers: { accept: 'text/html' } });
      expect(r.headers.get('content-type')).not.toMatch(/html/);
      expect(await r.text()).not.toMatch(/graphiql/i);
    } finally {
      await off.close();
    }
  });
});

describe('listening', () => {
  it('a port already taken is said in one sentence, not an unhandled error event', async () => {
    const server = http.createServer();
    await expect(listen(server, h.server.port)).rejects.toThrow(
      `port ${h.server.port} is already in use by another process`,
    );
    expect(server.listening).toBe(false);
  });
});
