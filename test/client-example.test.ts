import { readFileSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { createApiClient, NODE, PORTFOLIO_CHANGED, PORTFOLIO_STRATEGIES } from '../examples/apollo-client';
import { createPortfolio, createPosition, registerUser, startHarness, until, type Harness } from './helpers/harness';

/**
 * The README's Apollo Client example (examples/apollo-client.ts, shown verbatim in the README) against a real
 * server.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ worker: false });
});
afterAll(() => h.close());

const EXAMPLE = path.resolve(__dirname, '../examples/apollo-client.ts');

it('is shown in the README exactly as it is tested', () => {
  const readme = readFileSync(path.resolve(__dirname, '../README.md'), 'utf8');
  expect(readme).toContain(readFileSync(EXAMPLE, 'utf8').trim());
});

it('pages strategies into one normalised list, answers node(id), and receives a subscription event', async () => {
  const u = await registerUser(h);
  const portfolioId = await createPortfolio(h, u.token, 'Apollo');
  const ids: string[] = [];
  for (const symbol of ['AAPL', 'MSFT', 'IBM'])
    ids.push((await createPosition(h, u.token, { portfolioId, symbol, quantity: 1, entryPrice: '10' })).strategyId);
  const { client, close } = createApiClient(h.server.url, u.token, WebSocket);
  try {
    const first = await client.query({ query: PORTFOLIO_STRATEGIES, variables: { id: portfolioId, first: 2 } });
    expect(first.data?.portfolio?.strategies.edges).toHaveLength(2);
    expect(first.data?.portfolio?.strategies.pageInfo.hasNextPage).toBe(true);
    // The next page (as fetchMore would ask for it): relayStylePagination merges it after the first one.
    const after = first.data!.portfolio!.strategies.pageInfo.endCursor;
    const more = await client.query({
      query: PORTFOLIO_STRATEGIES,
      variables: { id: portfolioId, first: 2, after },
      fetchPolicy: 'network-only',
    });
    expect(more.data?.portfolio?.strategies.edges.map((e) => e.node.id)).toEqual(ids);
    expect(more.data?.portfolio?.strategies.pageInfo.hasNextPage).toBe(false);
    const cached = client.readQuery({ query: PORTFOLIO_STRATEGIES, variables: { id: portfolioId, first: 2 } });
    expect(cached?.portfolio?.strategies.edges.map((e) => e.node.id)).toEqual(ids);
    const store = client.cache.extract() as Record<string, unknown>;
    for (const id of ids) expect(store[`Strategy:${id}`]).toBeDefined();
    expect(store[`Portfolio:${portfolioId}`]).toBeDefined();

    const node = await client.query({ query: NODE, variables: { id: ids[0] } });
    expect(node.data?.node).toMatchObject({ __typename: 'Strategy', id: ids[0] });

    const events: { kind: string; strategyIds: string[] }[] = [];
    const sub = client.subscribe({ query: PORTFOLIO_CHANGED, variables: { id: portfolioId } }).subscribe({
      next: (r) => {
        if (r.data) events.push(r.data.portfolioChanged);
      },
    });
    try {
      const created = await until(
        async () => {
          const c = await createPosition(h, u.token, { portfolioId, symbol: 'NVDA', quantity: 1, entryPrice: '10' });
          return events.length > 0 && c;
        },
        15_000,
        'a portfolioChanged event',
      );
      expect(events.some((e) => e.kind === 'STRATEGY_CREATED' && e.strategyIds.includes(created.strategyId))).toBe(
        true,
      );
    } finally {
      sub.unsubscribe();
    }
  } finally {
    await close();
  }
});
