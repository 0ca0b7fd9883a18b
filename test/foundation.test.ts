import jwt from 'jsonwebtoken';
import {
  createPortfolio,
  createPosition,
  CREATE_POSITION,
  err,
  ok,
  registerUser,
  startHarness,
  type Harness,
} from './helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ worker: false });
});
afterAll(() => h.close());

const count = async (sql: string, params: unknown[] = []) => Number((await h.app.ds.query(sql, params))[0].n);

describe('auth', () => {
  it('registers, logs in by username or email (any case) and answers me', async () => {
    const u = await registerUser(h);
    const me = ok(await h.gql('{ me { id username email createdAt } }', {}, u.token)).me;
    expect(me).toMatchObject({ id: u.id, username: u.username, email: `${u.username}@example.com` });
    for (const who of [u.username.toUpperCase(), `${u.username}@example.com`]) {
      const r = ok(
        await h.gql('mutation($i: LoginInput!) { login(input: $i) { token user { id } } }', {
          i: { usernameOrEmail: who, password: 'correct-horse-1' },
        }),
      );
      expect(r.login.user.id).toBe(u.id);
    }
  });

  it('issues HS256 tokens that expire in 24 hours', async () => {
    const u = await registerUser(h);
    const decoded = jwt.decode(u.token, { complete: true })!;
    const payload = decoded.payload as jwt.JwtPayload;
    expect(decoded.header.alg).toBe('HS256');
    expect(payload.exp! - payload.iat!).toBe(24 * 3600);
    expect(payload.sub).toBe(u.id);
  });

  it('refuses missing, forged, expired and alg=none tokens with UNAUTHENTICATED', async () => {
    const u = await registerUser(h);
    const secret = h.app.cfg.JWT_SECRET;
    const tokens = [
      undefined,
      jwt.sign({ username: u.username }, 'another-secret-another-secret', { subject: u.id }),
      jwt.sign({ username: u.username, exp: Math.floor(Date.now() / 1000) - 10 }, secret, { subject: u.id }),
      `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.` +
        `${Buffer.from(JSON.stringify({ sub: u.id, username: u.username })).toString('base64url')}.`,
    ];
    for (const t of tokens) expect(err(await h.gql('{ portfolios { id } }', {}, t)).code).toBe('UNAUTHENTICATED');
  });

  it('rejects bad registrations with the field, and duplicates with CONFLICT', async () => {
    const u = await registerUser(h);
    const reg = (i: object) => h.gql('mutation($i: RegisterInput!) { register(input: $i) { token } }', { i });
    expect(err(await reg({ email: 'not-an-email', username: 'valid_name', password: 'longenough' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'email',
    });
    expect(err(await reg({ email: 'x@example.com', username: 'a!', password: 'longenough' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'username',
    });
    expect(err(await reg({ email: 'y@example.com', username: 'valid_name2', password: 'short' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'password',
    });
    expect(
      err(await reg({ email: 'z@example.com', username: u.username.toUpperCase(), password: 'longenough' })),
    ).toMatchObject({ code: 'CONFLICT', field: 'username' });
    expect(
      await count(`SELECT count(*) AS n FROM users WHERE email IN ('x@example.com','y@example.com','z@example.com')`),
    ).toBe(0);
  });

  it('throttles failed logins per username, counted in Redis across processes, not locking out others', async () => {
    // Two API processes' worth of App and server on the run's database and Redis, with a key prefix of their own so
    // that this test's per-address count does not meet other test files' failed logins.
    const prefix = { QUEUE_PREFIX: `throttle_${Date.now().toString(36)}` };
    const [a, b] = [
      await startHarness({ worker: false, config: prefix }),
      await startHarness({ worker: false, config: prefix }),
    ];
    try {
      const victim = await registerUser(a);
      const other = await registerUser(a);
      const login = (x: Harness, who: string, password: string) =>
        x.gql('mutation($i: LoginInput!) { login(input: $i) { token } }', { i: { usernameOrEmail: who, password } });
      // Ten failures spread over both processes use up the username's budget in both.
      for (let i = 0; i < 10; i++)
        expect(err(await login(i % 2 ? a : b, victim.username, 'wrong-password')).code).toBe('UNAUTHENTICATED');
      for (const x of [a, b]) {
        const blocked = await login(x, victim.username, 'correct-horse-1');
        expect(err(blocked).code).toBe('LIMIT_EXCEEDED');
        expect(blocked.errors![0].message).toMatch(/try again in \d+ s/);
      }
      // The same ten failures used up this address's budget too; once it is forgotten, another user logs in (the
      // username budget is per user), and a success does not reopen the victim's.
      await a.app.auth.throttle.clear(['a:127.0.0.1']);
      expect(ok(await login(b, other.username, 'correct-horse-1')).login.token).toBeTruthy();
      expect(err(await login(a, victim.username, 'correct-horse-1')).code).toBe('LIMIT_EXCEEDED');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('gives every new user the 10 starter tags', async () => {
    const u = await registerUser(h);
    const tags = ok(await h.gql('{ tags { name usageCount } }', {}, u.token)).tags;
    expect(tags.map((t: { name: string }) => t.name)).toEqual([
      'Growth',
      'Value',
      'Dividend',
      'Speculative',
      'Core',
      'Satellite',
      'Defensive',
      'Income',
      'Hedge',
      'Momentum',
    ]);
  });
});

describe('portfolios', () => {
  it('creates, lists, renames and soft-deletes', async () => {
    const u = await registerUser(h);
    const id = await createPortfolio(h, u.token, '  Retirement  ');
    expect(ok(await h.gql('{ portfolios { id name } }', {}, u.token)).portfolios).toEqual([{ id, name: 'Retirement' }]);
    expect(
      ok(await h.gql('mutation($id: ID!) { renamePortfolio(id: $id, name: "Pension") { name } }', { id }, u.token))
        .renamePortfolio.name,
    ).toBe('Pension');
    expect(
      err(await h.gql('mutation($id: ID!) { renamePortfolio(id: $id, name: "   ") { name } }', { id }, u.token)),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    expect(ok(await h.gql('mutation($id: ID!) { deletePortfolio(id: $id) }', { id }, u.token)).deletePortfolio).toBe(
      true,
    );
    expect(ok(await h.gql('{ portfolios { id } }', {}, u.token)).portfolios).toEqual([]);
    expect(ok(await h.gql('query($id: ID!) { portfolio(id: $id) { id } }', { id }, u.token)).portfolio).toBeNull();
    expect(await count(`SELECT count(*) AS n FROM portfolios WHERE id = $1 AND deleted_at IS NOT NULL`, [id])).toBe(1);
  });

  it('a name of 201 characters is rejected', async () => {
    const u = await registerUser(h);
    expect(
      err(await h.gql('mutation($n: String!) { createPortfolio(name: $n) { id } }', { n: 'x'.repeat(201) }, u.token)),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
  });
});

describe('createPosition', () => {
  let token: string;
  let portfolioId: string;
  beforeAll(async () => {
    token = (await registerUser(h)).token;
    portfolioId = await createPortfolio(h, token);
  });
  const create = (input: Record<string, unknown>) =>
    h.gql(CREATE_POSITION, { i: { portfolioId, entryDate: '2026-01-05', entryPrice: '1', ...input } }, token);

  it.each([
    ['aapl', '100', 'AAPL', 'LONG', '100', 'PUBLIC', 'Long AAPL', 'STANDALONE'],
    [' msft ', '-50', 'MSFT', 'SHORT', '50', 'PUBLIC', 'Short MSFT', 'STANDALONE'],
    [
      'AAPL261218C00150000',
      '2',
      'AAPL261218C00150000',
      'LC',
      '2',
      'OPTIONS',
      "Long Call AAPL 150 Dec18'26",
      'STANDALONE',
    ],
    [
      'SPY   271217P00420000',
      -1,
      'SPY271217P00420000',
      'SP',
      '1',
      'OPTIONS',
      "Short Put SPY 420 Dec17'27",
      'STANDALONE',
    ],
    ['F     270115C00012500', '3', 'F270115C00012500', 'LC', '3', 'OPTIONS', "Long Call F 12.5 Jan15'27", 'STANDALONE'],
    ['TWO_SIGMA_FUND', '1', 'TWO_SIGMA_FUND', 'LONG', '1', 'PRIVATE', 'Long TWO_SIGMA_FUND', 'STANDALONE'],
    ['BRK.B', '10', 'BRK.B', 'LONG', '10', 'PUBLIC', 'Long BRK.B', 'STANDALONE'],
  ])('%s × %s → %s %s', async (symbol, quantity, stored, positionType, qty, investmentClass, name, type) => {
    const d = ok(await create({ symbol, quantity })).createPosition;
    expect(d.leg).toMatchObject({ symbol: stored, positionType, quantity: qty, investmentClass });
    expect(d.strategy).toMatchObject({ name, type });
  });

  it('stores the option fields and the multiplier', async () => {
    const { legId } = await createPosition(h, token, {
      portfolioId,
      symbol: 'BRKB1 270115C00012500',
      quantity: 1,
      entryPrice: '0.55',
      impliedVolatility: 0.25,
    });
    const leg = ok(
      await h.gql(
        `query($p: ID!) { portfolio(id: $p) { strategies(first: 500) { edges { node { legs {
          id multiplier underlyingSymbol optionType strikePrice expirationDate impliedVolatility entryPrice costBasis
        } } } } } }`,
        { p: portfolioId },
        token,
      ),
    )
      .portfolio.strategies.edges.flatMap((e: any) => e.node.legs)
      .find((l: any) => l.id === legId);
    expect(leg).toMatchObject({
      multiplier: 100,
      underlyingSymbol: 'BRKB1',
      optionType: 'CALL',
      strikePrice: '12.5',
      expirationDate: '2027-01-15',
      impliedVolatility: 0.25,
      entryPrice: '0.55',
      costBasis: '55',
    });
  });

  it.each([
    [{ symbol: 'AAPL', quantity: 0 }, 'quantity'],
    [{ symbol: 'AAPL', quantity: 1, entryPrice: '-1' }, 'entryPrice'],
    [{ symbol: 'AAPL', quantity: 1, impliedVolatility: 0 }, 'impliedVolatility'],
    [{ symbol: 'AAPL', quantity: 1, impliedVolatility: 5.5 }, 'impliedVolatility'],
    [{ symbol: 'AAPL260231C00150000', quantity: 1 }, 'symbol'],
    [{ symbol: 'AAPL261218C00000000', quantity: 1 }, 'symbol'],
    [{ symbol: 'AAPL261218X00150000', quantity: 1 }, 'symbol'],
    [{ symbol: 'AAPL261218C0015000', quantity: 1 }, 'symbol'],
    [{ symbol: '', quantity: 1 }, 'symbol'],
    [{ symbol: 'AAPL260116C00150000', quantity: 1, entryDate: '2026-02-01' }, 'entryDate'],
    [{ symbol: 'AAPL', quantity: -1, positionType: 'LONG' }, 'positionType'],
    [{ symbol: 'AAPL', quantity: 1, positionType: 'LC' }, 'positionType'],
    [{ symbol: 'AAPL261218C00150000', quantity: 1, investmentClass: 'PUBLIC' }, 'investmentClass'],
  ])('rejects %j naming %s, writing nothing', async (input, field) => {
    const before = await count(`SELECT count(*) AS n FROM legs WHERE portfolio_id = $1`, [portfolioId]);
    const r = await create(input);
    expect(err(r)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await count(`SELECT count(*) AS n FROM legs WHERE portfolio_id = $1`, [portfolioId])).toBe(before);
  });

  it('rejects malformed decimals and dates before running', async () => {
    for (const i of [
      { quantity: 'abc' },
      { quantity: '1e400' },
      { entryPrice: '1.123456789' },
      { entryDate: '2026-02-30' },
    ]) {
      expect(err(await create({ symbol: 'AAPL', quantity: 1, ...i })).code).toBe('BAD_USER_INPUT');
    }
  });

  it('joins a strategy when strategyId is given, and detects the pattern', async () => {
    const stock = await createPosition(h, token, { portfolioId, symbol: 'KO', quantity: 100, entryPrice: '60' });
    const d = ok(
      await create({ symbol: 'KO261218C00065000', quantity: -1, entryPrice: '1.5', strategyId: stock.strategyId }),
    ).createPosition;
    expect(d.strategy).toMatchObject({ id: stock.strategyId, type: 'COVERED_CALL' });
  });
});

describe('legs', () => {
  it('updateLeg changes the numbers and rejects bad ones; deleteLeg closes an emptied strategy', async () => {
    const u = await registerUser(h);
    const portfolioId = await createPortfolio(h, u.token);
    const { legId, strategyId } = await createPosition(h, u.token, {
      portfolioId,
      symbol: 'NVDA',
      quantity: 10,
      entryPrice: '100',
    });
    const upd = ok(
      await h.gql(
        `mutation($id: ID!) {
          updateLeg(id: $id, quantity: "12.5", entryPrice: 99.5) { quantity entryPrice costBasis } }`,
        { id: legId },
        u.token,
      ),
    ).updateLeg;
    expect(upd).toEqual({ quantity: '12.5', entryPrice: '99.5', costBasis: '1243.75' });
    expect(
      err(await h.gql('mutation($id: ID!) { updateLeg(id: $id, quantity: -1) { id } }', { id: legId }, u.token)),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'quantity' });
    expect(ok(await h.gql('mutation($id: ID!) { deleteLeg(id: $id) }', { id: legId }, u.token)).deleteLeg).toBe(true);
    const s = ok(
      await h.gql(
        'query($id: ID!) { strategy(id: $id) { status closedAt legCount versions { change } } }',
        { id: strategyId },
        u.token,
      ),
    ).strategy;
    expect(s.status).toBe('CLOSED');
    expect(s.closedAt).toBeTruthy();
    expect(s.legCount).toBe(0);
    expect(s.versions.map((v: { change: string }) => v.change)).toEqual(['created', 'leg_updated', 'closed']);
  });
});

describe('money', () => {
  it('values legs exactly from the latest price, else the Black-Scholes model, else the entry price', async () => {
    const u = await registerUser(h);
    const portfolioId = await createPortfolio(h, u.token);
    await createPosition(h, u.token, { portfolioId, symbol: 'ZZTOP', quantity: 3, entryPrice: '0.1' });
    await createPosition(h, u.token, { portfolioId, symbol: 'ZZTOP', quantity: -1, entryPrice: '0.2' });
    await h.app.ds.query(`INSERT INTO market_data (symbol, last_price, price_at) VALUES ('ZZTOP', 0.3, now())`);
    const p = ok(
      await h.gql(
        `query($p: ID!) { portfolio(id: $p) {
          totals { marketValue costBasis unrealizedPnl netDelta strategyCount legCount } } }`,
        { p: portfolioId },
        u.token,
      ),
    ).portfolio;
    // 3 × 0.3 − 1 × 0.3 = 0.6 exactly; cost 0.3 − 0.2 = 0.1
    expect(p.totals).toEqual({
      marketValue: '0.6',
      costBasis: '0.1',
      unrealizedPnl: '0.5',
      netDelta: 2,
      strategyCount: 2,
      legCount: 2,
    });
  });
});

describe('isolation', () => {
  it('another user sees nothing and gets NOT_FOUND for every id', async () => {
    const a = await registerUser(h);
    const b = await registerUser(h);
    const portfolioId = await createPortfolio(h, a.token);
    const { legId, strategyId } = await createPosition(h, a.token, {
      portfolioId,
      symbol: 'AMD',
      quantity: 5,
      entryPrice: '100',
    });
    expect(ok(await h.gql('{ portfolios { id } }', {}, b.token)).portfolios).toEqual([]);
    expect(
      ok(await h.gql('query($id: ID!) { portfolio(id: $id) { id } }', { id: portfolioId }, b.token)).portfolio,
    ).toBeNull();
    expect(
      ok(await h.gql('query($id: ID!) { strategy(id: $id) { id } }', { id: strategyId }, b.token)).strategy,
    ).toBeNull();
    const attempts: [string, Record<string, unknown>][] = [
      ['mutation($id: ID!) { renamePortfolio(id: $id, name: "x") { id } }', { id: portfolioId }],
      ['mutation($id: ID!) { deletePortfolio(id: $id) }', { id: portfolioId }],
      [
        'mutation($i: CreatePositionInput!) { createPosition(input: $i) { leg { id } } }',
        { i: { portfolioId, symbol: 'X', quantity: 1, entryPrice: 1 } },
      ],
      ['mutation($id: ID!) { updateLeg(id: $id, quantity: 1) { id } }', { id: legId }],
      ['mutation($id: ID!) { deleteLeg(id: $id) }', { id: legId }],
      ['mutation($id: ID!) { updateLeg(id: $id, quantity: 1) { id } }', { id: 'not-a-uuid' }],
    ];
    for (const [q, v] of attempts) expect(err(await h.gql(q, v, b.token)).code).toBe('NOT_FOUND');
    expect(await count(`SELECT count(*) AS n FROM legs WHERE portfolio_id = $1`, [portfolioId])).toBe(1);
  });
});

describe('errors and limits', () => {
  it('never leaks stack traces, and refuses deep, costly and oversized requests', async () => {
    const u = await registerUser(h);
    const bad = await h.gql('{ portfolios { nope } }', {}, u.token);
    expect(JSON.stringify(bad)).not.toMatch(/stacktrace|at .*\.ts/);
    const deep = `{ portfolios { strategies { edges { node {
      legs { strategy { legs { strategy { legs { strategy { legs { strategy { id } } } } } } } } } } } } }`;
    expect(err(await h.gql(deep, {}, u.token)).code).toBe('QUERY_TOO_COMPLEX');
    const pages = `{ portfolios { strategies(first: 500) { edges { node {
      tags { strategies(first: 500) { edges { node { id name legs { symbol } } } } } } } } } }`;
    expect(err(await h.gql(pages, {}, u.token)).code).toBe('QUERY_TOO_COMPLEX');
    const huge = await fetch(h.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ me { id } } #${'x'.repeat(3 * 1024 * 1024)}` }),
    });
    expect(huge.status).toBe(413);
  });

  it('page size above 500 is BAD_USER_INPUT naming first', async () => {
    const u = await registerUser(h);
    const p = await createPortfolio(h, u.token);
    expect(
      err(
        await h.gql('query($p: ID!) { portfolio(id: $p) { strategies(first: 501) { totalCount } } }', { p }, u.token),
      ),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('serves /healthz, /readyz and /metrics', async () => {
    const base = h.server.url.replace('/graphql', '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({
      ready: true,
      postgres: true,
      redis: true,
      migrations: true,
    });
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/graphql_request_duration_seconds/);
  });
});
