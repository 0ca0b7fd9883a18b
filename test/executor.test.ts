import { execute, getIntrospectionQuery, parse, type GraphQLSchema } from 'graphql';
import { createLoaders } from '../src/loaders';
import { createSchema } from '../src/schema';
import { createPortfolio, createPosition, ok, registerUser, startHarness, type Harness } from './helpers/harness';

let h: Harness;
let schema: GraphQLSchema;
beforeAll(async () => {
  h = await startHarness({ worker: false });
  schema = await createSchema(h.app.pubSub);
});
afterAll(() => h.close());

/** The same operation run by graphql-js in process, with a fresh request context for the same user. */
async function reference(query: string, variables: Record<string, unknown>, user: { id: string; username: string }) {
  const r = await execute({
    schema,
    document: parse(query),
    variableValues: variables,
    contextValue: {
      app: h.app,
      user: { ...user, isAdmin: false },
      loaders: createLoaders(h.app),
      requestId: 'reference',
      address: '',
    },
  });
  return JSON.parse(JSON.stringify(r));
}

describe('compiled execution (graphql-jit behind Apollo)', () => {
  it('answers exactly as graphql-js: nested reads, fragments, aliases, directives, errors, introspection', async () => {
    const u = await registerUser(h);
    const p = await createPortfolio(h, u.token);
    const tags = ok(await h.gql('{ tags { id } }', {}, u.token)).tags;
    for (const [i, symbol] of ['AAPL', 'MSFT', 'KO'].entries()) {
      const { strategyId } = await createPosition(h, u.token, {
        portfolioId: p,
        symbol,
        quantity: 10 + i,
        entryPrice: `${100 + i}.25`,
      });
      ok(
        await h.gql(
          'mutation($s: ID!, $t: [ID!]!) { addStrategyTags(strategyId: $s, tagIds: $t) { id } }',
          { s: strategyId, t: [tags[i].id, tags[i + 1].id] },
          u.token,
        ),
      );
    }
    await h.app.ds.query(`INSERT INTO market_data (symbol, last_price, price_at)
      VALUES ('AAPL', 180.5, now()), ('MSFT', 99.75, now())
      ON CONFLICT (symbol) DO UPDATE SET last_price = EXCLUDED.last_price`);
    const cases: [string, Record<string, unknown>][] = [
      [
        `query($p: ID!, $first: Int) { portfolio(id: $p) { id name strategies(first: $first) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { cursor node { id name type status isSynthetic legCount createdAt
          legs { id symbol quantity entryPrice marketValue costBasis unrealizedPnl priceSource greeks { delta gamma }
                 strategy { id name } }
          tags { id name color displayOrder usageCount } metrics { marketValue stale } } } } } }`,
        { p, first: 2 },
      ],
      [
        `query($p: ID!, $withTags: Boolean!) { portfolio(id: $p) { ...P strategies { edges { node {
          tags @include(if: $withTags) { n: name } legs @skip(if: $withTags) { id } } } } } }
        fragment P on Portfolio { name first: strategies(first: 1) { totalCount } }`,
        { p, withTags: true },
      ],
      [
        'query($id: ID!) { strategy(id: $id) { id } portfolio(id: $id) { id } }',
        { id: '00000000-0000-4000-8000-000000000000' },
      ],
      ['query($p: ID!) { me { id } portfolio(id: $p) { strategies(first: 501) { totalCount } } }', { p }],
      [getIntrospectionQuery(), {}],
    ];
    // Decimals written inline or as a variable's default reach the resolver as exact decimals (graphql-js runs those).
    const { legId } = await createPosition(h, u.token, { portfolioId: p, symbol: 'PEP', quantity: 3, entryPrice: '2' });
    expect(
      ok(
        await h.gql(
          'mutation($id: ID!, $q: Decimal = "2.5") { updateLeg(id: $id, quantity: $q) { quantity costBasis } }',
          { id: legId },
          u.token,
        ),
      ).updateLeg,
    ).toEqual({ quantity: '2.5', costBasis: '5' });
    expect(
      ok(
        await h.gql(
          'mutation($id: ID!) { updateLeg(id: $id, entryPrice: 3.25) { quantity costBasis } }',
          { id: legId },
          u.token,
        ),
      ).updateLeg,
    ).toEqual({ quantity: '2.5', costBasis: '8.125' });
    for (const [query, variables] of cases) {
      const viaApi = await h.gql(query, variables, u.token);
      const expected = await reference(query, variables, u);
      // Data byte for byte; errors by message and path (their codes come from the API's formatter, not the executor).
      expect(viaApi.data ?? null).toEqual(expected.data ?? null);
      expect((viaApi.errors ?? []).map((e: any) => [e.message, e.path])).toEqual(
        (expected.errors ?? []).map((e: any) => [e.message, e.path]),
      );
    }
  });
});
