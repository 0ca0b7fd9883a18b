import { dropDatabase, ensureDatabase, migrate } from '../src/infra/bootstrap';
import { createPortfolio, createPosition, ok, registerUser, startHarness, type Harness } from './helpers/harness';

/**
 * A database of this file's own: other files' workers and sweepers recompute stale strategies in the shared one,
 * which moves their row versions (and so what a read finds kept) between two reads of a test here.
 */
const DB = `${process.env.TEST_DATABASE}_statements`;
let h: Harness;
beforeAll(async () => {
  const url = await ensureDatabase(process.env.TEST_SERVER_URL!, DB);
  await migrate(url);
  h = await startHarness({ worker: false, databaseUrl: url });
}, 120000);
afterAll(async () => {
  await h?.close();
  await dropDatabase(process.env.TEST_SERVER_URL!, DB);
}, 60000);

const NESTED = `query($p: ID!) { portfolio(id: $p) { name strategies(first: 500) { totalCount edges { node {
  id name type isSynthetic legCount
  legs { id symbol quantity marketValue unrealizedPnl priceSource greeks { delta } strategy { id } }
  tags { id name usageCount }
  metrics { unrealizedPnl netDelta stale }
} } } } }`;

/** Builds a portfolio of n strategies (two legs each, one tag each) and returns the statements of one nested read. */
async function statementsFor(n: number): Promise<number> {
  const u = await registerUser(h);
  const p = await createPortfolio(h, u.token);
  const tags = ok(await h.gql('{ tags { id } }', {}, u.token)).tags;
  for (let i = 0; i < n; i++) {
    const { strategyId } = await createPosition(h, u.token, {
      portfolioId: p,
      symbol: `S${n}X${i}`,
      quantity: 10,
      entryPrice: '5',
    });
    await createPosition(h, u.token, {
      portfolioId: p,
      symbol: `S${n}X${i}261218C00005000`,
      quantity: -1,
      entryPrice: '1',
      strategyId,
    });
    ok(
      await h.gql(
        'mutation($s: ID!, $t: [ID!]!) { addStrategyTags(strategyId: $s, tagIds: $t) { id } }',
        { s: strategyId, t: [tags[i % 10].id] },
        u.token,
      ),
    );
  }
  // A price written since the last read, so that both reads compared below also read the prices that changed.
  await h.app.ds.query(
    `INSERT INTO market_data (symbol, last_price, price_at) VALUES ($1, 5, now())
     ON CONFLICT (symbol) DO UPDATE SET last_price = EXCLUDED.last_price`,
    [`S${n}X0`],
  );
  h.sql.length = 0;
  const r = ok(await h.gql(NESTED, { p }, u.token));
  expect(r.portfolio.strategies.totalCount).toBe(n);
  expect(r.portfolio.strategies.edges.every((e: any) => e.node.legs.length === 2 && e.node.tags.length === 1)).toBe(
    true,
  );
  return h.sql.length;
}

describe('nested reads', () => {
  it('issue a constant number of SQL statements, whatever the number of rows (DataLoader batching)', async () => {
    const small = await statementsFor(3);
    const large = await statementsFor(30);
    expect(large).toBe(small);
    // portfolio; strategies page + count + metrics + price clock, and its tags; usage counts; then the strategies
    // rows, their legs (new to this process) and the prices written since the clock this process held. The legs'
    // strategies are the page's own.
    expect(large).toBeLessThanOrEqual(7);
  });
});

describe("a strategy's legs kept between reads", () => {
  const READ = `query($p: ID!) { portfolio(id: $p) { strategies { edges { node {
    legs { id quantity entryPrice marketValue costBasis } } } } } }`;
  /** Statements that read legs rows in full, and statements that read prices (the price book's refresh). */
  const legReads = () => h.sql.filter((s) => /\blegs l\b/.test(s)).length;
  const priceReads = () => h.sql.filter((s) => /\bmarket_data m\b/.test(s)).length;

  it('are kept at the strategy row version, which every change of a leg moves, behind the API too', async () => {
    const u = await registerUser(h);
    const p = await createPortfolio(h, u.token);
    const { legId, strategyId } = await createPosition(h, u.token, {
      portfolioId: p,
      symbol: 'CACHEDLEG',
      quantity: 10,
      entryPrice: '5',
    });
    const legsOf = (r: any) => r.portfolio.strategies.edges[0].node.legs;
    const legOf = (r: any) => legsOf(r)[0];
    h.sql.length = 0;
    expect(legOf(ok(await h.gql(READ, { p }, u.token)))).toMatchObject({ id: legId, quantity: '10', costBasis: '50' });
    expect(legReads()).toBe(1); // new to this process: read in full
    h.sql.length = 0;
    expect(legOf(ok(await h.gql(READ, { p }, u.token)))).toMatchObject({ id: legId, quantity: '10' });
    expect(legReads()).toBe(0); // the strategy's row version is unchanged: its legs are too

    // Written straight to the database (another process, a migration, a manual fix): the next read sees it.
    await h.app.ds.query(`UPDATE legs SET quantity = 12.5, entry_price = 4 WHERE id = $1`, [legId]);
    h.sql.length = 0;
    expect(legOf(ok(await h.gql(READ, { p }, u.token)))).toMatchObject({
      id: legId,
      quantity: '12.5',
      entryPrice: '4',
      costBasis: '50',
    });
    expect(legReads()).toBe(1); // the strategy's legs are read again
    h.sql.length = 0;
    expect(legOf(ok(await h.gql(READ, { p }, u.token)))).toMatchObject({ quantity: '12.5' });
    expect(legReads()).toBe(0);

    // A new price changes the valuation of unchanged legs at once (the legs stay kept; their value does not), and
    // only the prices written since are read.
    await h.app.ds.query(`INSERT INTO market_data (symbol, last_price, price_at) VALUES ('CACHEDLEG', 6, now())
      ON CONFLICT (symbol) DO UPDATE SET last_price = EXCLUDED.last_price`);
    h.sql.length = 0;
    expect(legOf(ok(await h.gql(READ, { p }, u.token)))).toMatchObject({ quantity: '12.5', marketValue: '75' });
    expect([legReads(), priceReads()]).toEqual([0, 1]);
    await h.app.ds.query(`UPDATE market_data SET last_price = 6.5 WHERE symbol = 'CACHEDLEG'`);
    expect(legOf(ok(await h.gql(READ, { p }, u.token)))).toMatchObject({ quantity: '12.5', marketValue: '81.25' });
    h.sql.length = 0;
    ok(await h.gql(READ, { p }, u.token));
    expect([legReads(), priceReads()]).toEqual([0, 0]); // nothing changed: no prices read either

    // A leg added and one removed behind the API, in SQL: shown and gone on the next read.
    const [{ id: added }] = await h.app.ds.query(
      `INSERT INTO legs (strategy_id, portfolio_id, symbol, position_type, quantity, multiplier, investment_class,
         underlying_symbol, entry_price, entry_date, leg_order)
       VALUES ($1, $2, 'CACHEDLEG', 'LONG', 2, 1, 'PUBLIC', 'CACHEDLEG', 6, '2026-01-05', 1) RETURNING id`,
      [strategyId, p],
    );
    expect(legsOf(ok(await h.gql(READ, { p }, u.token))).map((l: any) => l.id)).toEqual([legId, added]);
    await h.app.ds.query(`DELETE FROM legs WHERE id = $1`, [added]);
    expect(legsOf(ok(await h.gql(READ, { p }, u.token))).map((l: any) => l.id)).toEqual([legId]);

    // A price deleted behind the API: the leg is valued without it (at its entry price) on the next read.
    await h.app.ds.query(`DELETE FROM market_data WHERE symbol = 'CACHEDLEG'`);
    expect(legOf(ok(await h.gql(READ, { p }, u.token)))).toMatchObject({ quantity: '12.5', marketValue: '50' });

    // Changed again through the API: the answer and the next read carry the new numbers.
    await h.app.ds.query(`INSERT INTO market_data (symbol, last_price, price_at) VALUES ('CACHEDLEG', 6.5, now())`);
    expect(
      ok(
        await h.gql(
          'mutation($id: ID!) { updateLeg(id: $id, quantity: "1") { quantity costBasis marketValue } }',
          { id: legId },
          u.token,
        ),
      ).updateLeg,
    ).toEqual({ quantity: '1', costBasis: '4', marketValue: '6.5' });
    expect(legOf(ok(await h.gql(READ, { p }, u.token)))).toMatchObject({
      quantity: '1',
      costBasis: '4',
      marketValue: '6.5',
    });
  });
});

describe("a strategy's tags kept between reads", () => {
  const READ = `query($p: ID!) { portfolio(id: $p) { strategies { edges { node { tags { name color } } } } } }`;
  const tagReads = () => h.sql.filter((s) => /\bstrategy_tags st\b/.test(s)).length;

  it('are kept at the strategy row version, moved by any change of a link or a tag, in SQL too', async () => {
    const u = await registerUser(h);
    const p = await createPortfolio(h, u.token);
    const { strategyId } = await createPosition(h, u.token, {
      portfolioId: p,
      symbol: 'CACHEDTAG',
      quantity: 1,
      entryPrice: '5',
    });
    const [a, b] = ok(await h.gql('{ tags { id name } }', {}, u.token)).tags;
    ok(
      await h.gql(
        'mutation($s: ID!, $t: [ID!]!) { addStrategyTags(strategyId: $s, tagIds: $t) { id } }',
        { s: strategyId, t: [a.id] },
        u.token,
      ),
    );
    const names = async () =>
      ok(await h.gql(READ, { p }, u.token)).portfolio.strategies.edges[0].node.tags.map((t: any) => t.name);
    h.sql.length = 0;
    expect(await names()).toEqual([a.name]);
    expect(tagReads()).toBe(1);
    h.sql.length = 0;
    expect(await names()).toEqual([a.name]);
    expect(tagReads()).toBe(0); // unchanged strategy row version: its tags are unchanged too

    // Behind the API, in SQL: a link added, a tag renamed, a link removed; each shows on the next read.
    await h.app.ds.query(`INSERT INTO strategy_tags (strategy_id, tag_id) VALUES ($1, $2)`, [strategyId, b.id]);
    expect(await names()).toEqual([a.name, b.name]);
    await h.app.ds.query(`UPDATE tags SET name = 'Renamed in SQL' WHERE id = $1`, [a.id]);
    h.sql.length = 0;
    expect(await names()).toEqual(['Renamed in SQL', b.name]);
    expect(tagReads()).toBe(1);
    await h.app.ds.query(`DELETE FROM strategy_tags WHERE strategy_id = $1 AND tag_id = $2`, [strategyId, b.id]);
    expect(await names()).toEqual(['Renamed in SQL']);
  });
});

describe('strategies rows and stored metrics kept between reads', () => {
  const READ = `query($p: ID!) { portfolio(id: $p) { strategies { edges { node {
    id name metrics { calculatedAt stale } } } } } }`;
  const fullReads = () => h.sql.filter((s) => /FROM strategies s LEFT JOIN strategy_metrics sm/.test(s)).length;

  it('are checked against the row versions on each read: only what changed behind the API is read again', async () => {
    const u = await registerUser(h);
    const p = await createPortfolio(h, u.token);
    const { strategyId } = await createPosition(h, u.token, {
      portfolioId: p,
      symbol: 'CACHEDSTRAT',
      quantity: 10,
      entryPrice: '5',
    });
    await h.app.metrics.recompute([strategyId]);
    const nodeOf = (r: any) => r.portfolio.strategies.edges[0].node;
    h.sql.length = 0;
    const first = nodeOf(ok(await h.gql(READ, { p }, u.token)));
    expect(first).toMatchObject({ id: strategyId, name: 'Long CACHEDSTRAT', metrics: { stale: false } });
    expect(fullReads()).toBe(1);
    h.sql.length = 0;
    expect(nodeOf(ok(await h.gql(READ, { p }, u.token)))).toEqual(first);
    expect(fullReads()).toBe(0); // ids and row versions only

    // Written straight to the database (another process, a migration, a manual fix): the next read sees it.
    await h.app.ds.query(`UPDATE strategies SET name = 'Renamed behind the API' WHERE id = $1`, [strategyId]);
    h.sql.length = 0;
    expect(nodeOf(ok(await h.gql(READ, { p }, u.token)))).toMatchObject({ name: 'Renamed behind the API' });
    expect(fullReads()).toBe(1);
    h.sql.length = 0;
    expect(nodeOf(ok(await h.gql(READ, { p }, u.token)))).toMatchObject({ name: 'Renamed behind the API' });
    expect(fullReads()).toBe(0);

    // Metrics recomputed (a new strategy_metrics row version): read again, with the new computation's time.
    await h.app.ds.query(`UPDATE strategy_metrics SET calculated_at = '2030-01-02T03:04:05Z' WHERE strategy_id = $1`, [
      strategyId,
    ]);
    h.sql.length = 0;
    expect(nodeOf(ok(await h.gql(READ, { p }, u.token))).metrics.calculatedAt).toBe('2030-01-02T03:04:05.000Z');
    expect(fullReads()).toBe(1);

    // Marked stale by a price change: the flag shows at once.
    await h.app.ds.query(`UPDATE strategies SET stale = true, row_version = row_version + 1 WHERE id = $1`, [
      strategyId,
    ]);
    expect(nodeOf(ok(await h.gql(READ, { p }, u.token))).metrics.stale).toBe(true);
  });
});

describe('a page fetched with its relations', () => {
  it('shows for each strategy the same legs, tags and metrics as the strategy read on its own', async () => {
    const u = await registerUser(h);
    const p = await createPortfolio(h, u.token);
    const tags = ok(await h.gql('{ tags { id } }', {}, u.token)).tags;
    for (let i = 0; i < 6; i++) {
      const { strategyId } = await createPosition(h, u.token, {
        portfolioId: p,
        symbol: `PF${i}`,
        quantity: 10 + i,
        entryPrice: '5',
      });
      if (i % 2)
        await createPosition(h, u.token, {
          portfolioId: p,
          symbol: `PF${i}261218C00005000`,
          quantity: -1,
          entryPrice: '1',
          strategyId,
        });
      if (i % 3)
        ok(
          await h.gql(
            'mutation($s: ID!, $t: [ID!]!) { addStrategyTags(strategyId: $s, tagIds: $t) { id } }',
            { s: strategyId, t: tags.slice(0, (i % 3) + 1).map((t: any) => t.id) },
            u.token,
          ),
        );
    }
    // Every leg has a market price and every strategy its metrics, so the numbers do not depend on when (or by which
    // test file's worker) they are computed: the reads below may be compared exactly.
    await h.app.ds.query(
      `INSERT INTO market_data (symbol, last_price, price_at)
      SELECT DISTINCT symbol, 2.5, now() FROM legs WHERE portfolio_id = $1
      ON CONFLICT (symbol) DO UPDATE SET last_price = EXCLUDED.last_price`,
      [p],
    );
    await h.app.metrics.recompute(
      (await h.app.ds.query(`SELECT id FROM strategies WHERE portfolio_id = $1`, [p])).map((r: any) => r.id),
    );
    const fields =
      'id legCount isSynthetic legs { id quantity marketValue priceSource strategy { id } } tags { id name } ' +
      'metrics { marketValue costBasis }';
    const query = `query($p: ID!) { portfolio(id: $p) {
      strategies(first: 4) { edges { cursor node { ${fields} } } } } }`;
    h.sql.length = 0;
    const first = ok(await h.gql(query, { p }, u.token));
    // portfolio; page (ids, row versions, price clock); then, at the same time, the strategies rows with their
    // metrics, their legs and their tags, which this process has not read at these versions yet, and the prices
    // written since the clock it held; nothing per strategy
    expect(h.sql.length).toBe(6);
    h.sql.length = 0;
    const page = ok(await h.gql(query, { p }, u.token));
    // Unchanged since: portfolio and page; the rows, legs, tags and prices kept from the first read
    expect(h.sql.length).toBe(2);
    expect(page).toEqual(first);
    const nodes = page.portfolio.strategies.edges.map((e: any) => e.node);
    expect(nodes).toHaveLength(4);
    expect(
      nodes.some((n: any) => n.tags.length > 1) &&
        nodes.some((n: any) => n.tags.length === 0) &&
        nodes.every((n: any) => n.metrics !== null),
    ).toBe(true);
    for (const node of nodes) {
      expect(
        ok(await h.gql(`query($id: ID!) { strategy(id: $id) { ${fields} } }`, { id: node.id }, u.token)).strategy,
      ).toEqual(node);
    }
    // The second page is fetched the same way and holds the rest.
    const rest = ok(
      await h.gql(
        `query($p: ID!, $a: String) { portfolio(id: $p) {
          strategies(first: 4, after: $a) { edges { node { id legs { id } } } } } }`,
        { p, a: page.portfolio.strategies.edges[3].cursor },
        u.token,
      ),
    );
    const restIds = rest.portfolio.strategies.edges.map((e: any) => e.node.id);
    expect(restIds).toHaveLength(2);
    expect(restIds.some((id: string) => nodes.some((n: any) => n.id === id))).toBe(false);
    expect(rest.portfolio.strategies.edges.every((e: any) => e.node.legs.length >= 1)).toBe(true);
  });

  it("lists a page's legs in the legs' order, as a strategy read on its own does (ordered by PostgreSQL)", async () => {
    const u = await registerUser(h);
    const p = await createPortfolio(h, u.token);
    const { strategyId } = await createPosition(h, u.token, {
      portfolioId: p,
      symbol: 'ORD',
      quantity: 1,
      entryPrice: '100',
    });
    for (const symbol of ['ORD270115C00100000', 'ORD270115P00090000', 'ORD270115C00110000', 'ORD270115P00080000'])
      await createPosition(h, u.token, { portfolioId: p, symbol, quantity: 1, entryPrice: '2', strategyId });
    // Behind the API: a closed leg with the lowest leg order (open legs come first), two legs with the same leg order
    // created a millisecond apart (creation decides), and two with the same order and instant (id decides).
    const ids: string[] = (
      await h.app.ds.query(`SELECT id FROM legs WHERE strategy_id = $1 ORDER BY id`, [strategyId])
    ).map((r: { id: string }) => r.id);
    await h.app.ds.query(
      `UPDATE legs SET status = 'CLOSED', exit_price = 1, exit_date = entry_date, leg_order = -1 WHERE id = $1`,
      [ids[0]],
    );
    await h.app.ds.query(`UPDATE legs SET leg_order = 7, created_at = '2026-01-01T00:00:00.002Z' WHERE id = $1`, [
      ids[1],
    ]);
    await h.app.ds.query(`UPDATE legs SET leg_order = 7, created_at = '2026-01-01T00:00:00.001Z' WHERE id = ANY($1)`, [
      ids.slice(2, 4),
    ]);
    const expected = [ids[4], ids[2], ids[3], ids[1], ids[0]];
    const page = ok(
      await h.gql(
        `query($p: ID!) { portfolio(id: $p) { strategies { edges { node { legs { id } } } } } }`,
        { p },
        u.token,
      ),
    );
    expect(page.portfolio.strategies.edges[0].node.legs.map((l: { id: string }) => l.id)).toEqual(expected);
    const own = ok(await h.gql(`query($id: ID!) { strategy(id: $id) { legs { id } } }`, { id: strategyId }, u.token));
    expect(own.strategy.legs.map((l: { id: string }) => l.id)).toEqual(expected);
  });
});
