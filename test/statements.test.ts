import { createPortfolio, createPosition, ok, registerUser, startHarness, type Harness } from './helpers/harness';

let h: Harness;
beforeAll(async () => { h = await startHarness({ worker: false }); });
afterAll(() => h.close());

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
    const { strategyId } = await createPosition(h, u.token, { portfolioId: p, symbol: `S${n}X${i}`, quantity: 10, entryPrice: '5' });
    await createPosition(h, u.token, { portfolioId: p, symbol: `S${n}X${i}261218C00005000`, quantity: -1, entryPrice: '1', strategyId });
    ok(await h.gql('mutation($s: ID!, $t: [ID!]!) { addStrategyTags(strategyId: $s, tagIds: $t) { id } }', { s: strategyId, t: [tags[i % 10].id] }, u.token));
  }
  h.sql.length = 0;
  const r = ok(await h.gql(NESTED, { p }, u.token));
  expect(r.portfolio.strategies.totalCount).toBe(n);
  expect(r.portfolio.strategies.edges.every((e: any) => e.node.legs.length === 2 && e.node.tags.length === 1)).toBe(true);
  return h.sql.length;
}

describe('nested reads', () => {
  it('issue a constant number of SQL statements, whatever the number of rows (DataLoader batching)', async () => {
    const small = await statementsFor(3);
    const large = await statementsFor(30);
    expect(large).toBe(small);
    // portfolio, strategies page + count, legs with their prices, tags, usage counts, metrics, strategies of legs
    expect(large).toBeLessThanOrEqual(7);
  });
});
