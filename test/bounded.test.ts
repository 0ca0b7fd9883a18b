/**
 * Issue 11, "No poison pills, no 500s, everything bounded": each defect found by probing the running server, over
 * HTTP or graphql-ws on a real server with its worker, PostgreSQL and Redis.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import { logger } from '../src/logger';
import {
  createPortfolio,
  createPosition,
  CREATE_POSITION,
  err,
  ok,
  registerUser,
  startHarness,
  subscribe,
  until,
  type GqlResult,
  type Harness,
} from './helpers/harness';

let h: Harness;
const prefix = `bounded_${randomBytes(4).toString('hex')}`;
beforeAll(async () => {
  h = await startHarness({ config: { ADMIN_USERS: 'bounded_admin', QUEUE_PREFIX: prefix } });
});
afterAll(() => h.close());

/** A POST with any body; the status, the x-request-id and the parsed answer. */
async function post(body: string, headers: Record<string, string> = {}) {
  const res = await fetch(h.server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = { raw: text };
  }
  const answer: { status: number; requestId: string | null; json: any } = {
    status: res.status,
    requestId: res.headers.get('x-request-id'),
    json,
  };
  return answer;
}
const code = (r: GqlResult) => r.errors?.[0]?.extensions?.code;
const symbol = () =>
  `Z${randomBytes(3)
    .toString('hex')
    .toUpperCase()
    .replace(/[^A-Z]/g, 'Q')}`;

describe('1. a strategy whose figures cannot be stored', () => {
  it('is refused at input: quantity × multiplier × price must fit numeric(24,8), as must Decimal', async () => {
    const u = await registerUser(h);
    const p = await createPortfolio(h, u.token);
    // A symbol without a price yet: only the entry price counts.
    const s = symbol();
    const create = (quantity: unknown, entryPrice: unknown) =>
      h.gql(
        CREATE_POSITION,
        { i: { portfolioId: p, symbol: s, quantity, entryPrice, entryDate: '2026-01-05' } },
        u.token,
      );
    const refused = { code: 'BAD_USER_INPUT', field: 'quantity' };
    expect(err(await create('9999999999999999', 100))).toMatchObject(refused);
    expect(err(await create('100000000000', '1000000000000'))).toMatchObject(refused);
    expect(err(await create(1, '99999999999999999'))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(err(await create('12345678901234567', 1))).toMatchObject({ code: 'BAD_USER_INPUT' });
    // The largest that fits is accepted.
    ok(await create('9999999999999999', '0.99999999'));
    const [{ n }] = await h.app.ds.query(`SELECT count(*)::int AS n FROM legs WHERE portfolio_id = $1`, [p]);
    expect(n).toBe(1);
  });

  it('fails alone: others on the same price tick are recomputed; it is recorded, logged and counted', async () => {
    const admin = await registerUser(h, `bounded_admin`);
    const a = await registerUser(h);
    const b = await registerUser(h);
    const s = symbol();
    const pa = await createPortfolio(h, a.token);
    const pb = await createPortfolio(h, b.token);
    // 10^12 shares at 1 fit; a price of 10^5 makes the market value 10^17, beyond any money column.
    const poison = await createPosition(h, a.token, {
      portfolioId: pa,
      symbol: s,
      quantity: '1000000000000',
      entryPrice: '1',
    });
    await createPosition(h, b.token, { portfolioId: pb, symbol: s, quantity: 10, entryPrice: '1' });
    const query =
      'query($p: ID!) { portfolio(id: $p) { strategies(first: 5) { ' +
      'edges { node { metrics { marketValue stale } } } } } }';
    const metrics = (id: string, token: string) =>
      h.gql(query, { p: id }, token).then((r) => ok(r).portfolio.strategies.edges[0].node);
    await until(async () => (await metrics(pb, b.token)).metrics?.stale === false, 15000, 'first metrics');
    const failuresBefore = await counter('strategy_recompute_failures_total');
    const logged = jest.spyOn(logger, 'error');
    const publish = 'mutation($s: String!) { publishPrices(prices: [{ symbol: $s, price: "100000" }]) }';
    ok(await h.gql(publish, { s }, admin.token));
    const fresh = await until(
      async () => {
        const m = (await metrics(pb, b.token)).metrics;
        return m?.stale === false && m.marketValue === '1000000' && m;
      },
      20000,
      'the healthy strategy recomputed at the new price',
    );
    expect(fresh.marketValue).toBe('1000000');
    const recorded = async () => (await h.app.recomputeFailures.get([poison.strategyId])).get(poison.strategyId);
    const failure = await until(recorded, 10000, 'failure recorded');
    expect(failure.failures).toBeGreaterThanOrEqual(1);
    expect(failure.retryAt).toBeGreaterThan(failure.failedAt);
    expect(failure.error).toMatch(/numeric\(24,8\)/);
    expect(await counter('strategy_recompute_failures_total')).toBeGreaterThan(failuresBefore);
    expect(logged.mock.calls.some(([o]) => (o as { strategyId?: string }).strategyId === poison.strategyId)).toBe(true);
    logged.mockRestore();
    expect((await metrics(pa, a.token)).metrics?.stale ?? true).toBe(true);
    // Its owner fixes it: recomputed at once (not after the backoff), and the record is gone.
    ok(await h.gql('mutation($id: ID!) { updateLeg(id: $id, quantity: 1) { id } }', { id: poison.legId }, a.token));
    await until(async () => (await metrics(pa, a.token)).metrics?.stale === false, 15000, 'the fixed one recomputed');
    expect(await recorded()).toBeUndefined();
  });
});

async function counter(name: string): Promise<number> {
  const text = await (await fetch(h.server.metricsUrl)).text();
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
}

describe('2. errors of the compiled path', () => {
  let u: { token: string; id: string };
  let p: string;
  let legId: string;
  beforeAll(async () => {
    u = await registerUser(h);
    p = await createPortfolio(h, u.token);
    ({ legId } = await createPosition(h, u.token, { portfolioId: p, symbol: 'MSFT', quantity: 3, entryPrice: '300' }));
  });

  it('answer the same as a variable and inline', async () => {
    // An operation with the value `v` inline, or with `$x` and its declaration.
    const op = (v: string, type: string, body: string) =>
      `mutation${v.startsWith('$') ? `(${v}: ${type})` : ''} { ${body} }`;
    const updateLeg = (q: string) => op(q, 'Decimal!', `updateLeg(id: "LEG", quantity: ${q}) { id }`);
    const position = (s: string) =>
      op(
        s,
        'String!',
        `createPosition(input: { portfolioId: "P", symbol: ${s}, quantity: 1, entryPrice: 1 }) ` + '{ leg { id } }',
      );
    const header = 'ticker,quantity,entry_price,entry_date,tags';
    const csv = (c: string) => op(c, 'String!', `importPositions(portfolioId: "P", csv: ${c}) { run { id } }`);
    // [with a variable, inline, the variables, the field named]
    const pairs: [string, string, Record<string, unknown>, string?][] = [
      [updateLeg('$q'), updateLeg('"99999999999999999"'), { q: '99999999999999999' }],
      [updateLeg('$q'), updateLeg('"0"'), { q: '0' }, 'quantity'],
      [updateLeg('$q'), updateLeg('"0x10"'), { q: '0x10' }],
      [
        op('$n', 'String!', 'createPortfolio(name: $n) { id }'),
        op('', '', 'createPortfolio(name: "a\\u0000b") { id }'),
        { n: 'a\u0000b' },
        'name',
      ],
      [position('$s'), position('"AB\\u0000C"'), { s: 'AB\u0000C' }, 'symbol'],
      [csv('$c'), csv(`"${header}\\nA\\u0000B,1,1,2026-01-05,"`), { c: `${header}\nA\u0000B,1,1,2026-01-05,` }, 'csv'],
    ];
    for (const [withVariable, inline, variables, field] of pairs) {
      const fill = (q: string) => q.replace('"LEG"', `"${legId}"`).replace('"P"', `"${p}"`);
      const a = await h.gql(fill(withVariable), variables, u.token);
      const b = await h.gql(fill(inline), {}, u.token);
      expect([code(a), code(b)]).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
      if (field) expect([err(a).field, err(b).field]).toEqual([field, field]);
    }
    const legs = 'query($id: ID!) { portfolio(id: $id) { strategies { edges { node { legs { quantity } } } } } }';
    expect(ok(await h.gql(legs, { id: p }, u.token)).portfolio.strategies.edges[0].node.legs[0].quantity).toBe('3');
  });

  it('a validly signed token of a user that does not exist is UNAUTHENTICATED everywhere', async () => {
    const ghost = jwt.sign({ username: 'ghost_user' }, h.app.cfg.JWT_SECRET, {
      algorithm: 'HS256',
      expiresIn: '1h',
      subject: randomUUID(),
    });
    const operations = [
      '{ me { id } }',
      '{ portfolios { id } }',
      'mutation { createPortfolio(name: "x") { id } }',
      '{ tags { id } }',
      'mutation { createTag(input: { name: "x" }) { id } }',
    ];
    for (const q of operations) {
      expect([q, code(await h.gql(q, {}, ghost))]).toEqual([q, 'UNAUTHENTICATED']);
    }
  });

  it('an unexpected error on the compiled path has a code and a path, and is logged once with its id', async () => {
    const spy = jest.spyOn(logger, 'error');
    const list = jest.spyOn(h.app.portfolios, 'list').mockRejectedValueOnce(new Error('boom: an unexpected failure'));
    try {
      const r = await post(JSON.stringify({ query: 'query Mine { portfolios { id } }' }), {
        authorization: `Bearer ${u.token}`,
      });
      expect(r.status).toBe(200);
      expect(r.json.errors[0]).toMatchObject({
        message: 'Internal server error',
        path: ['portfolios'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
      const logged = spy.mock.calls.filter(([o]) => (o as { requestId?: string }).requestId === r.requestId);
      expect(logged).toHaveLength(1);
      expect(String((logged[0][0] as { err: Error }).err.message)).toContain('boom');
    } finally {
      list.mockRestore();
      spy.mockRestore();
    }
  });
});

describe('3. client mistakes are 400s with the usual codes', () => {
  it('several operations without operationName, an unknown one, syntax errors, token and alias bombs', async () => {
    const twoOps = 'query A { __typename } query B { __typename }';
    const aliases = (n: number, field: string) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
    const cases: [string, number, string, RegExp?][] = [
      [JSON.stringify({ query: twoOps }), 400, 'OPERATION_RESOLUTION_FAILURE'],
      [JSON.stringify({ query: twoOps, operationName: 'C' }), 400, 'OPERATION_RESOLUTION_FAILURE'],
      [JSON.stringify({ query: '{ me { id ' }), 400, 'GRAPHQL_PARSE_FAILED'],
      [JSON.stringify({ query: 'query { ' }), 400, 'GRAPHQL_PARSE_FAILED'],
      [JSON.stringify({ query: aliases(3000, '__typename') }), 400, 'QUERY_TOO_COMPLEX', /^(?!Syntax Error)/],
      [JSON.stringify({ query: `{ ${'me { id } '.repeat(1500)} }` }), 400, 'QUERY_TOO_COMPLEX', /^(?!Syntax Error)/],
      [JSON.stringify({ query: aliases(40, 'me { id }') }), 400, 'QUERY_TOO_COMPLEX'],
    ];
    for (const [body, status, expected, message] of cases) {
      const r = await post(body);
      const what = body.slice(0, 60);
      expect([what, r.status, r.json.errors?.[0]?.extensions?.code]).toEqual([what, status, expected]);
      if (message) expect(r.json.errors[0].message).toMatch(message);
    }
    // A named operation among several still runs.
    const r = await post(JSON.stringify({ query: twoOps, operationName: 'B' }));
    expect([r.status, r.json.data]).toEqual([200, { __typename: 'Query' }]);
  });
});

describe('4. /metrics stays bounded', () => {
  it('300 operation names and a 100,000-character one add a bounded set of series; the rest are "other"', async () => {
    const size = async () => (await (await fetch(h.server.metricsUrl)).text()).length;
    for (let i = 0; i < 20; i++) await post(JSON.stringify({ query: `query Warm${i} { __typename }` }));
    const before = await size();
    for (let i = 0; i < 300; i++) await post(JSON.stringify({ query: `query Probe${i}_${prefix} { __typename }` }));
    const long = `L${'x'.repeat(100_000)}`;
    await post(JSON.stringify({ query: `query ${long} { __typename }` }));
    const text = await (await fetch(h.server.metricsUrl)).text();
    expect(text).not.toContain(long.slice(0, 1000));
    expect(text).toMatch(/graphql_request_duration_seconds_count\{operation="other"\} \d+/);
    // The default 200 labels hold the names seen first; none beyond.
    const series = /graphql_request_duration_seconds_count\{operation="([^"]*)"\}/g;
    const labels = new Set([...text.matchAll(series)].map((m) => m[1]));
    expect(labels.size).toBeLessThanOrEqual(h.app.cfg.METRICS_MAX_OPERATIONS + 2);
    expect((await size()) - before).toBeLessThan(200 * 1500);
  }, 180000);

  it('METRICS_TOKEN and METRICS_PORT restrict /metrics', async () => {
    const config = { METRICS_TOKEN: 'metrics-token-0123456789', METRICS_PORT: '0' };
    const x = await startHarness({ worker: false, config });
    try {
      expect(x.server.metricsUrl).not.toBe(x.server.url.replace('/graphql', '/metrics'));
      expect((await fetch(x.server.url.replace('/graphql', '/metrics'))).status).toBe(404);
      expect((await fetch(x.server.metricsUrl)).status).toBe(401);
      const wrong = { authorization: 'Bearer wrong-token-0123456789xx' };
      expect((await fetch(x.server.metricsUrl, { headers: wrong })).status).toBe(401);
      const res = await fetch(x.server.metricsUrl, { headers: { authorization: 'Bearer metrics-token-0123456789' } });
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/graphql_active_subscriptions/);
    } finally {
      await x.close();
    }
  });
});

describe('5. no schema enumeration in production', () => {
  it('suggestions are cut when introspection is off, and kept in development', async () => {
    const query = '{ portfolioz { id } }';
    const dev = await post(JSON.stringify({ query }));
    expect(dev.json.errors[0].message).toMatch(/Did you mean/);
    const prod = await startHarness({ worker: false, config: { NODE_ENV: 'production' } });
    try {
      const probes = [
        query,
        '{ portfolios { idd } }',
        'mutation { createPortfolio(nam: "x") { id } }',
        '{ __schema { types { name } } }',
      ];
      for (const q of probes) {
        const res = await fetch(prod.server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: q }),
        });
        const j = (await res.json()) as GqlResult;
        expect(j.errors?.length).toBeGreaterThan(0);
        expect(j.errors![0].message).not.toMatch(/Did you mean|portfolios|createPortfolio\(name/);
      }
      // graphql-ws too.
      const u = await registerUser(prod);
      const sub = subscribe(prod.ws(u.token), 'subscription { portfolioChangd(portfolioId: "x") { kind } }');
      await until(async () => sub.errors.length > 0, 5000, 'the subscription refused');
      const wsError = [sub.errors].flat(2)[0] as { message: string };
      expect(wsError.message).toMatch(/Cannot query field/);
      expect(wsError.message).not.toMatch(/Did you mean|portfolioChanged/);
    } finally {
      await prod.close();
    }
    // The development server beside it still suggests.
    expect((await post(JSON.stringify({ query }))).json.errors[0].message).toMatch(/Did you mean/);
  });
});

describe('9. smaller', () => {
  it('"0x10", "Infinity" and "1e999999999" are not decimals; an entry date far in the future is refused', async () => {
    const u = await registerUser(h);
    const p = await createPortfolio(h, u.token);
    const create = (i: Record<string, unknown>) =>
      h.gql(CREATE_POSITION, { i: { portfolioId: p, symbol: 'AAPL', ...i } }, u.token);
    for (const q of ['0x10', '0b11', 'Infinity', '1e999999999', ' ', '1_000']) {
      expect([q, code(await create({ quantity: q, entryPrice: 1 }))]).toEqual([q, 'BAD_USER_INPUT']);
    }
    expect(err(await create({ quantity: 1, entryPrice: 1, entryDate: '2999-01-01' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'entryDate',
    });
    ok(await create({ quantity: '1e3', entryPrice: '12.5', entryDate: new Date().toISOString().slice(0, 10) }));
  });

  it('CSV row errors carry no raw PostgreSQL message', async () => {
    const u = await registerUser(h);
    const p = await createPortfolio(h, u.token);
    const csv =
      'ticker,quantity,entry_price,entry_date,tags\n' + 'AAPL,99999999999999999,1,2026-01-05,\nAAPL,1,1,2026-01-05,';
    const start = 'mutation($p: ID!, $c: String!) { importPositions(portfolioId: $p, csv: $c) { run { id } } }';
    const id = ok(await h.gql(start, { p, c: csv }, u.token)).importPositions.run.id;
    const run = await until(
      async () => {
        const q = 'query($id: ID!) { batchRun(id: $id) { status errors completed } }';
        const r = ok(await h.gql(q, { id }, u.token)).batchRun;
        return r.status === 'COMPLETED' && r;
      },
      15000,
      'import',
    );
    expect(run.completed).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/^row 1: quantity: /);
    expect(run.errors[0]).not.toMatch(/numeric field overflow|violates|syntax for type/);
  });

  it('first: 0 answers an empty page whose endCursor is null', async () => {
    const u = await registerUser(h);
    const p = await createPortfolio(h, u.token);
    await createPosition(h, u.token, { portfolioId: p, symbol: 'AAPL', quantity: 1, entryPrice: 1 });
    const query =
      'query($p: ID!, $f: Int!) { portfolio(id: $p) { strategies(first: $f) { ' +
      'edges { cursor } pageInfo { endCursor hasNextPage } totalCount } } }';
    const page = ok(await h.gql(query, { p, f: 0 }, u.token)).portfolio.strategies;
    expect(page).toEqual({ edges: [], pageInfo: { endCursor: null, hasNextPage: true }, totalCount: 1 });
  });
});

describe('fuzzing the HTTP endpoint', () => {
  it(
    'arbitrary JSON bodies, operation names and variables: never a 5xx, always a code, ' +
      'every unexpected error logged once with its request id',
    async () => {
      const u = await registerUser(h);
      const p = await createPortfolio(h, u.token);
      const known = [
        'query Q($p: ID!) { portfolio(id: $p) { id name strategies(first: 3) { totalCount } } }',
        'mutation M($i: CreatePositionInput!) { createPosition(input: $i) { leg { id } } }',
        'mutation N($n: String!) { createPortfolio(name: $n) { id } }',
        'query S($f: StrategyFilter, $n: Int) { portfolio(id: "P") { ' +
          'strategies(first: $n, filter: $f) { totalCount } } }',
        'query A { __typename } query B { me { id } }',
      ].map((q) => q.replace('"P"', `"${p}"`));
      const value = fc.oneof(
        fc.jsonValue(),
        fc.string(),
        fc.constantFrom('\u0000', '0x10', '1e999999', -0, 1e308, '', p),
      );
      const position = fc.record(
        { portfolioId: fc.constant(p), symbol: value, quantity: value, entryPrice: value, entryDate: value },
        { requiredKeys: [] },
      );
      const body = fc.oneof(
        fc.json(),
        fc
          .record(
            {
              query: fc.oneof(fc.constantFrom(...known), fc.string({ maxLength: 80 })),
              operationName: fc.oneof(
                fc.constant(undefined),
                fc.constantFrom('Q', 'M', 'N', 'A', 'B', 'S'),
                fc.string({ maxLength: 300 }),
                fc.jsonValue(),
              ),
              variables: fc.oneof(
                fc.constant(undefined),
                fc.dictionary(fc.constantFrom('p', 'i', 'n', 'f', 'x'), value),
                fc.jsonValue(),
                fc.record({ i: position }),
              ),
            },
            { requiredKeys: [] },
          )
          .map((b) => JSON.stringify(b)),
      );
      const spy = jest.spyOn(logger, 'error');
      try {
        await fc.assert(
          fc.asyncProperty(body, fc.boolean(), async (text, authed) => {
            spy.mockClear();
            const r = await post(text, authed ? { authorization: `Bearer ${u.token}` } : {});
            expect(r.status).toBeLessThan(500);
            expect(Array.isArray(r.json.errors) || r.json.data !== undefined).toBe(true);
            for (const e of r.json.errors ?? []) expect(typeof e.extensions?.code).toBe('string');
            const errors: { extensions: { code: string } }[] = r.json.errors ?? [];
            const internal = errors.filter((e) => e.extensions.code === 'INTERNAL_SERVER_ERROR').length;
            const logged = spy.mock.calls.filter(
              ([o]) => (o as { requestId?: string } | undefined)?.requestId === r.requestId,
            ).length;
            expect(logged).toBe(internal);
          }),
          { numRuns: 150 },
        );
      } finally {
        spy.mockRestore();
      }
    },
  );
});
