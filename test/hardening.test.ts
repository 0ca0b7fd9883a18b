import fc from 'fast-check';
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
  type Harness,
} from './helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** Everything of one user, as stored: compared byte for byte before and after another user's attempts. */
async function dump(userId: string): Promise<string> {
  const q = (sql: string) => h.app.ds.query(sql, [userId]);
  const strategies = `SELECT s.id FROM strategies s JOIN portfolios p ON p.id = s.portfolio_id WHERE p.user_id = $1`;
  return JSON.stringify({
    portfolios: await q(`SELECT * FROM portfolios WHERE user_id = $1 ORDER BY id`),
    strategies: await q(`SELECT * FROM strategies WHERE id IN (${strategies}) ORDER BY id`),
    legs: await q(
      `SELECT l.* FROM legs l JOIN portfolios p ON p.id = l.portfolio_id WHERE p.user_id = $1 ORDER BY l.id`,
    ),
    tags: await q(`SELECT * FROM tags WHERE user_id = $1 ORDER BY id`),
    links: await q(`SELECT * FROM strategy_tags WHERE strategy_id IN (${strategies}) ORDER BY strategy_id, tag_id`),
    versions: await q(
      `SELECT * FROM strategy_versions WHERE strategy_id IN (${strategies}) ORDER BY strategy_id, version`,
    ),
    lineage: await q(
      `SELECT * FROM strategy_lineage WHERE descendant_id IN (${strategies}) ORDER BY ancestor_id, descendant_id`,
    ),
    runs: await q(`SELECT * FROM batch_runs WHERE user_id = $1 ORDER BY id`),
  });
}

describe("a second user against the first user's ids", () => {
  it('gets NOT_FOUND (or null) for every query, mutation and subscription, and changes nothing', async () => {
    const a = await registerUser(h);
    const b = await registerUser(h);
    const pa = await createPortfolio(h, a.token);
    const pb = await createPortfolio(h, b.token);
    const s1 = await createPosition(h, a.token, { portfolioId: pa, symbol: 'AAPL', quantity: 100, entryPrice: '150' });
    const s2 = await createPosition(h, a.token, {
      portfolioId: pa,
      symbol: 'AAPL261218C00200000',
      quantity: -1,
      entryPrice: '3',
    });
    const combined = ok(
      await h.gql(
        'mutation($l: [ID!]!) { combineLegs(input: { legIds: $l }) { id } }',
        { l: [s1.legId, s2.legId] },
        a.token,
      ),
    ).combineLegs.id;
    const s3 = await createPosition(h, a.token, { portfolioId: pa, symbol: 'MSFT', quantity: 10, entryPrice: '300' });
    const tagA = ok(await h.gql('{ tags { id } }', {}, a.token)).tags[0].id;
    ok(
      await h.gql(
        'mutation($s: ID!, $t: [ID!]!) { setStrategyTags(strategyId: $s, tagIds: $t) { id } }',
        { s: combined, t: [tagA] },
        a.token,
      ),
    );
    const run = ok(await h.gql('mutation($p: ID!) { recomputeMetrics(portfolioId: $p) { id } }', { p: pa }, a.token))
      .recomputeMetrics.id;
    const bStrategy = (
      await createPosition(h, b.token, { portfolioId: pb, symbol: 'NFLX', quantity: 1, entryPrice: '500' })
    ).strategyId;
    const tagB = ok(await h.gql('{ tags { id } }', {}, b.token)).tags[0].id;
    await until(
      async () =>
        (await h.app.ds.query(`SELECT status FROM batch_runs WHERE id = $1`, [run]))[0].status === 'COMPLETED',
      15000,
      'recompute run',
    );
    await until(
      async () =>
        (await h.app.ds.query(`SELECT count(*)::int AS n FROM strategies WHERE portfolio_id = $1 AND stale`, [pa]))[0]
          .n === 0,
      15000,
      'metrics',
    );

    const before = await dump(a.id);
    const notFound: [string, Record<string, unknown>][] = [
      ['query($id: ID!) { detectStrategies(portfolioId: $id) { type } }', { id: pa }],
      ['query($id: ID!) { suggestTags(strategyId: $id) { name } }', { id: combined }],
      ['query($id: ID!) { performanceByStrategyType(portfolioId: $id) { key } }', { id: pa }],
      ['query($id: ID!) { performanceByTag(portfolioId: $id) { key } }', { id: pa }],
      ['mutation($id: ID!) { renamePortfolio(id: $id, name: "x") { id } }', { id: pa }],
      ['mutation($id: ID!) { deletePortfolio(id: $id) }', { id: pa }],
      [CREATE_POSITION, { i: { portfolioId: pa, symbol: 'X', quantity: 1, entryPrice: 1 } }],
      [CREATE_POSITION, { i: { portfolioId: pb, symbol: 'X', quantity: 1, entryPrice: 1, strategyId: combined } }],
      ['mutation($id: ID!) { updateLeg(id: $id, quantity: 5) { id } }', { id: s1.legId }],
      ['mutation($id: ID!) { deleteLeg(id: $id) }', { id: s1.legId }],
      [
        'mutation($id: ID!) { importPositions(portfolioId: $id, ' +
          'csv: "ticker,quantity,entry_price,entry_date,tags\\nX,1,1,2026-01-05,") { run { id } } }',
        { id: pa },
      ],
      [
        'mutation($p: ID!, $l: [ID!]!) { createStrategy(portfolioId: $p, name: "x", type: CUSTOM, legIds: $l) { id } }',
        { p: pa, l: [s3.legId] },
      ],
      [
        'mutation($p: ID!, $l: [ID!]!) { createStrategy(portfolioId: $p, name: "x", type: CUSTOM, legIds: $l) { id } }',
        { p: pb, l: [s3.legId] },
      ],
      ['mutation($id: ID!) { updateStrategy(id: $id, name: "x") { id } }', { id: combined }],
      ['mutation($id: ID!) { closeStrategy(id: $id) { id } }', { id: combined }],
      ['mutation($l: [ID!]!) { combineLegs(input: { legIds: $l }) { id } }', { l: [s1.legId, s3.legId] }],
      ['mutation($id: ID!) { splitStrategy(id: $id) { id } }', { id: combined }],
      ['mutation($s: ID!, $l: ID!) { addLeg(strategyId: $s, legId: $l) { id } }', { s: combined, l: s3.legId }],
      ['mutation($s: ID!, $l: ID!) { addLeg(strategyId: $s, legId: $l) { id } }', { s: bStrategy, l: s3.legId }],
      ['mutation($s: ID!, $l: ID!) { removeLeg(strategyId: $s, legId: $l) { id } }', { s: combined, l: s1.legId }],
      ['mutation($id: ID!) { applyDetections(portfolioId: $id) { id } }', { id: pa }],
      ['mutation($id: ID!) { updateTag(input: { id: $id, name: "x" }) { id } }', { id: tagA }],
      ['mutation($id: ID!) { batchUpdateTags(inputs: [{ id: $id, name: "x" }]) { id } }', { id: tagA }],
      ['mutation($id: ID!) { reorderTags(tagIds: [$id]) { id } }', { id: tagA }],
      ['mutation($id: ID!) { archiveTag(id: $id) { id } }', { id: tagA }],
      ['mutation($id: ID!) { restoreTag(id: $id) { id } }', { id: tagA }],
      ['mutation($s: ID!, $t: ID!) { setStrategyTags(strategyId: $s, tagIds: [$t]) { id } }', { s: combined, t: tagB }],
      [
        'mutation($s: ID!, $t: ID!) { setStrategyTags(strategyId: $s, tagIds: [$t]) { id } }',
        { s: bStrategy, t: tagA },
      ],
      ['mutation($s: ID!, $t: ID!) { addStrategyTags(strategyId: $s, tagIds: [$t]) { id } }', { s: combined, t: tagB }],
      [
        'mutation($s: ID!, $t: ID!) { removeStrategyTags(strategyId: $s, tagIds: [$t]) { removedCount } }',
        { s: combined, t: tagA },
      ],
      [
        'mutation($s: ID!, $t: ID!) { bulkAssignTags(strategyIds: [$s], tagIds: [$t]) { id } }',
        { s: combined, t: tagB },
      ],
      [
        'mutation($s: ID!, $t: ID!) { bulkAssignTags(strategyIds: [$s], tagIds: [$t]) { id } }',
        { s: bStrategy, t: tagA },
      ],
      ['mutation($id: ID!) { recomputeMetrics(portfolioId: $id) { id } }', { id: pa }],
      [
        'query($p: ID!, $t: ID!) { portfolio(id: $p) { strategies(filter: { tagIds: [$t] }) { totalCount } } }',
        { p: pb, t: tagA },
      ],
    ];
    for (const [query, variables] of notFound) {
      const r = await h.gql(query, variables, b.token);
      expect({ query, code: err(r).code }).toEqual({ query, code: 'NOT_FOUND' });
    }
    const nulls: [string, Record<string, unknown>, string][] = [
      ['query($id: ID!) { portfolio(id: $id) { id } }', { id: pa }, 'portfolio'],
      ['query($id: ID!) { strategy(id: $id) { id } }', { id: combined }, 'strategy'],
      ['query($id: ID!) { batchRun(id: $id) { id } }', { id: run }, 'batchRun'],
    ];
    for (const [query, variables, field] of nulls) expect(ok(await h.gql(query, variables, b.token))[field]).toBeNull();
    expect(ok(await h.gql('{ portfolios { id } }', {}, b.token)).portfolios.map((p: { id: string }) => p.id)).toEqual([
      pb,
    ]);
    expect(
      ok(await h.gql('{ tags(includeArchived: true) { id } }', {}, b.token)).tags.map((t: { id: string }) => t.id),
    ).not.toContain(tagA);

    const client = h.ws(b.token);
    for (const [query, variables] of [
      ['subscription($id: ID!) { strategyMetricsUpdated(portfolioId: $id) { id } }', { id: pa }],
      ['subscription($id: ID!) { portfolioChanged(portfolioId: $id) { kind } }', { id: pa }],
      ['subscription($id: ID!) { m2mUpdated(strategyId: $id) { close } }', { id: combined }],
      ['subscription($id: ID!) { batchRunProgress(id: $id) { status } }', { id: run }],
    ] as [string, Record<string, unknown>][]) {
      const sub = subscribe(client, query, variables);
      await until(async () => sub.errors.length > 0, 5000, `error of ${query}`);
      expect((sub.errors[0] as { extensions?: { code?: string } }).extensions?.code).toBe('NOT_FOUND');
      sub.dispose();
    }
    expect(await dump(a.id)).toBe(before);
  });

  it('admin operations are FORBIDDEN to other users', async () => {
    const b = await registerUser(h);
    expect(
      err(await h.gql('mutation { publishPrices(prices: [{ symbol: "AAPL", price: 1 }]) }', {}, b.token)).code,
    ).toBe('FORBIDDEN');
    expect(err(await h.gql('mutation { startBatchRun(kind: DAILY, force: true) { id } }', {}, b.token)).code).toBe(
      'FORBIDDEN',
    );
  });
});

describe('fuzzing inputs', () => {
  const known = new Set([
    'BAD_USER_INPUT',
    'NOT_FOUND',
    'CONFLICT',
    'LIMIT_EXCEEDED',
    'GRAPHQL_VALIDATION_FAILED',
    'GRAPHQL_PARSE_FAILED',
  ]);

  it('createPosition, random symbols/numbers/dates: a new leg or a clear error, never a partial write', async () => {
    const u = await registerUser(h);
    const p = await createPortfolio(h, u.token);
    const symbol = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.stringMatching(/^[A-Z0-9 ]{1,6}\d{6}[A-Z]\d{6,9}$/),
      fc.constantFrom('AAPL', 'BRK.B', 'X_FUND', ''),
    );
    const num = fc.oneof(
      fc.double({ noNaN: false }),
      fc.integer(),
      fc.constantFrom('1e999', '-0', 'abc', '0.000000001', '123456789012345678901', ' 5 '),
    );
    const date = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      fc.constantFrom('2026-02-29', '2025-13-01'),
    );
    await fc.assert(
      fc.asyncProperty(symbol, num, num, date, async (s, q, px, d) => {
        const legsBefore = Number(
          (await h.app.ds.query(`SELECT count(*) AS n FROM legs WHERE portfolio_id = $1`, [p]))[0].n,
        );
        const strategiesBefore = Number(
          (await h.app.ds.query(`SELECT count(*) AS n FROM strategies WHERE portfolio_id = $1`, [p]))[0].n,
        );
        const r = await h.gql(
          CREATE_POSITION,
          { i: { portfolioId: p, symbol: s, quantity: q, entryPrice: px, entryDate: d } },
          u.token,
        );
        const legsAfter = Number(
          (await h.app.ds.query(`SELECT count(*) AS n FROM legs WHERE portfolio_id = $1`, [p]))[0].n,
        );
        const strategiesAfter = Number(
          (await h.app.ds.query(`SELECT count(*) AS n FROM strategies WHERE portfolio_id = $1`, [p]))[0].n,
        );
        if (r.errors) {
          expect(known).toContain(r.errors[0].extensions?.code);
          expect([legsAfter, strategiesAfter]).toEqual([legsBefore, strategiesBefore]);
        } else {
          expect([legsAfter, strategiesAfter]).toEqual([legsBefore + 1, strategiesBefore + 1]);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('random CSV imports report bad rows and never fail the run', async () => {
    const u = await registerUser(h);
    const p = await createPortfolio(h, u.token);
    const cell = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('AAPL', '10', '-3', '2026-01-05', '"a,b"', ''));
    const csv = fc
      .array(fc.array(cell, { minLength: 0, maxLength: 7 }), { maxLength: 6 })
      .map((rows) => ['ticker,quantity,entry_price,entry_date,tags', ...rows.map((r) => r.join(','))].join('\n'));
    const legs = async () =>
      Number((await h.app.ds.query(`SELECT count(*) AS n FROM legs WHERE portfolio_id = $1`, [p]))[0].n);
    await fc.assert(
      fc.asyncProperty(csv, async (text) => {
        const before = await legs();
        const r = await h.gql(
          'mutation($p: ID!, $c: String!) { importPositions(portfolioId: $p, csv: $c) { run { id } } }',
          { p, c: text },
          u.token,
        );
        if (r.errors) {
          expect(known).toContain(r.errors[0].extensions?.code);
          return;
        }
        const id = r.data.importPositions.run.id;
        const done = await until(
          async () => {
            const run = ok(
              await h.gql(
                'query($id: ID!) { batchRun(id: $id) { status total completed failed errors } }',
                { id },
                u.token,
              ),
            ).batchRun;
            return ['COMPLETED', 'FAILED'].includes(run.status) && run;
          },
          15000,
          'import run',
        );
        for (const e of done.errors) expect(e).toMatch(/^(row \d+: |csv: |header: )/);
        if (/^(csv|header): /.test(done.errors[0] ?? '')) {
          expect(done.completed).toBe(0);
        } else {
          // Every row is accounted for, each rejected row has its message, and exactly the accepted rows were written.
          expect(done.completed + done.failed).toBe(done.total);
          expect(done.errors).toHaveLength(done.failed);
        }
        expect(await legs()).toBe(before + done.completed);
      }),
      { numRuns: 12 },
    );
  });

  it('random JSON bodies get a JSON error response, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json(), fc.string({ maxLength: 200 })), async (body) => {
        const res = await fetch(h.server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        expect(res.status).toBeLessThan(500);
        const j = (await res.json()) as { errors?: unknown[] };
        expect(Array.isArray(j.errors)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
