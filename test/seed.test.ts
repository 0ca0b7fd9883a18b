import Decimal from 'decimal.js';
import { dropDatabase, ensureDatabase, migrate } from '../src/infra/bootstrap';
import { DEMO_PASSWORD, DEMO_USERS, demoTradingDays, runDemoSeed, seedDemo } from '../src/seed/demo';
import { ok, startHarness, until, type Harness } from './helpers/harness';

/**
 * The demo seed replays 90 days of closes into market_data for real tickers (AAPL, SPY, …). Other test files
 * run at the same time and publish prices for the same tickers, so this file gets a database (and queue
 * prefix) of its own on the run's server: neither side can move the other's prices.
 */
const DB = `${process.env.TEST_DATABASE}_seed`;
const saved = { url: process.env.TEST_DATABASE_URL, prefix: process.env.TEST_QUEUE_PREFIX };
let h: Harness;

beforeAll(async () => {
  const url = await ensureDatabase(process.env.TEST_SERVER_URL!, DB);
  await migrate(url);
  process.env.TEST_DATABASE_URL = url;
  process.env.TEST_QUEUE_PREFIX = `${saved.prefix ?? 'test'}_seed`;
  h = await startHarness();
}, 120_000);

afterAll(async () => {
  await h?.close();
  process.env.TEST_DATABASE_URL = saved.url;
  process.env.TEST_QUEUE_PREFIX = saved.prefix;
  await dropDatabase(process.env.TEST_SERVER_URL!, DB);
}, 60_000);

const q = <T = any>(sql: string, params: unknown[] = []): Promise<T[]> => h.app.ds.query(sql, params);

/** Row counts of every table the seed writes: a second run must leave all of them unchanged. */
async function tableCounts(): Promise<Record<string, number>> {
  const tables = [
    'users',
    'portfolios',
    'legs',
    'strategies',
    'strategy_versions',
    'strategy_lineage',
    'tags',
    'strategy_tags',
    'market_data',
    'prices',
    'daily_bars',
    'portfolio_snapshots',
    'strategy_daily_pnl',
  ];
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = (await q<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`))[0].n;
  return out;
}

/** Active strategies of a demo user with their type and legs (position types). */
async function strategiesOf(username: string) {
  return q<{ id: string; type: string; name: string; legs: string[]; tags: string[] }>(
    `SELECT s.id, s.type, s.name,
            array(SELECT l.position_type::text FROM legs l WHERE l.strategy_id = s.id ORDER BY l.position_type) AS legs,
            array(SELECT t.name::text FROM strategy_tags st JOIN tags t ON t.id = st.tag_id
                  WHERE st.strategy_id = s.id ORDER BY t.name) AS tags
     FROM strategies s JOIN portfolios p ON p.id = s.portfolio_id JOIN users u ON u.id = p.user_id
     WHERE u.username = $1 AND s.status = 'ACTIVE'`,
    [username],
  );
}

describe('demo seed', () => {
  let first: Record<string, number>;
  let seedMs = 0;

  it('creates the three demo users quickly', async () => {
    const t = Date.now();
    const r = await runDemoSeed(h.app);
    seedMs = Date.now() - t;
    if (process.env.SEED_TIMINGS) console.log(`seed: ${seedMs} ms`, r.phases);
    expect(r.created.map((c) => c.username)).toEqual(DEMO_USERS);
    first = await tableCounts();
    const users = await q<{ username: string; email: string }>(
      `SELECT username, email FROM users WHERE username = ANY($1) ORDER BY username`,
      [DEMO_USERS],
    );
    expect(users.map((u) => u.username)).toEqual([...DEMO_USERS].sort());
    expect(users.every((u) => u.email === `${u.username}@example.com`)).toBe(true);
    expect(seedMs).toBeLessThan(30_000);
  }, 60_000);

  it('gives every portfolio the legs it promises', async () => {
    const legs = await q<{ username: string; cls: string; pt: string; n: number }>(
      `SELECT u.username, l.investment_class AS cls, l.position_type AS pt, count(*)::int AS n
       FROM legs l JOIN portfolios p ON p.id = l.portfolio_id JOIN users u ON u.id = p.user_id
       WHERE u.username = ANY($1) AND l.status = 'OPEN' GROUP BY 1, 2, 3`,
      [DEMO_USERS],
    );
    const count = (username: string, f: (r: { cls: string; pt: string }) => boolean = () => true) =>
      legs.filter((r) => r.username === username && f(r)).reduce((s, r) => s + r.n, 0);
    expect(count('demo_growth')).toBe(25);
    expect(count('demo_growth', (r) => r.cls === 'PUBLIC' && r.pt === 'LONG')).toBe(18);
    expect(count('demo_growth', (r) => r.cls === 'PUBLIC' && r.pt === 'SHORT')).toBe(3);
    expect(count('demo_growth', (r) => r.cls === 'OPTIONS')).toBe(4);
    expect(count('demo_value')).toBe(20);
    expect(count('demo_value', (r) => r.pt === 'LONG')).toBe(15);
    expect(count('demo_value', (r) => r.pt === 'SHORT')).toBe(5);
    expect(count('demo_balanced')).toBe(30);
    expect(count('demo_balanced', (r) => r.cls === 'PUBLIC')).toBe(18);
    expect(count('demo_balanced', (r) => r.cls === 'OPTIONS')).toBe(10);
    expect(count('demo_balanced', (r) => r.cls === 'PRIVATE')).toBe(2);
    const priv = await q<{ symbol: string }>(
      `SELECT symbol FROM legs WHERE investment_class = 'PRIVATE' ORDER BY symbol`,
    );
    expect(priv.map((r) => r.symbol)).toEqual(['RE_COMMERCIAL_PROPERTY', 'VENTURE_FUND_III']);

    // Options expire after today, on monthly expiries, with strikes near the underlying.
    const today = new Date().toISOString().slice(0, 10);
    const opts = await q<{ expiration_date: string; strike: number; underlying: number }>(
      `SELECT l.expiration_date::text, l.strike_price::float AS strike, m.last_price::float AS underlying
       FROM legs l JOIN market_data m ON m.symbol = l.underlying_symbol WHERE l.investment_class = 'OPTIONS'`,
    );
    expect(opts).toHaveLength(14);
    for (const o of opts) {
      expect(o.expiration_date > today).toBe(true);
      expect(o.strike / o.underlying).toBeGreaterThan(0.6);
      expect(o.strike / o.underlying).toBeLessThan(1.6);
    }
  });

  it('combines the multi-leg strategies and tags them', async () => {
    const growth = await strategiesOf('demo_growth');
    const balanced = await strategiesOf('demo_balanced');
    const value = await strategiesOf('demo_value');
    const byType = (ss: typeof growth, type: string) => ss.filter((s) => s.type === type);

    expect(byType(growth, 'COVERED_CALL').map((s) => s.legs)).toEqual([['LONG', 'SC']]);
    expect(byType(growth, 'STRADDLE').map((s) => s.legs)).toEqual([['LC', 'LP']]);
    expect(byType(balanced, 'IRON_CONDOR').map((s) => s.legs)).toEqual([['LC', 'LP', 'SC', 'SP']]);
    expect(byType(balanced, 'COLLAR').map((s) => s.legs)).toEqual([['LONG', 'LP', 'SC']]);
    expect(byType(balanced, 'PROTECTIVE_PUT').map((s) => s.legs)).toEqual([['LONG', 'LP']]);
    expect(byType(balanced, 'PAIRS_TRADE').map((s) => s.legs)).toEqual([['LONG', 'SHORT']]);
    expect(growth).toHaveLength(23); // 25 legs, two 2-leg strategies
    expect(value).toHaveLength(20);
    expect(balanced.every((s) => s.legs.length > 0)).toBe(true);

    // 100 shares per contract where a pattern needs it.
    const shares = await q<{ type: string; quantity: string }>(
      `SELECT s.type, l.quantity::float::text AS quantity FROM legs l JOIN strategies s ON s.id = l.strategy_id
       WHERE s.type IN ('COVERED_CALL', 'COLLAR', 'PROTECTIVE_PUT') AND l.investment_class = 'PUBLIC'`,
    );
    expect(shares.map((r) => r.quantity)).toEqual(['100', '100', '100']);

    expect(byType(growth, 'COVERED_CALL')[0].tags).toEqual(expect.arrayContaining(['Income', 'tech']));
    expect(byType(balanced, 'COLLAR')[0].tags).toEqual(expect.arrayContaining(['hedged']));
    for (const ss of [growth, value, balanced])
      expect(ss.filter((s) => s.tags.length).length).toBeGreaterThan(ss.length / 2);
    const tags = await q<{ username: string; names: string[] }>(
      `SELECT u.username, array_agg(t.name::text ORDER BY t.name) AS names FROM tags t JOIN users u ON u.id = t.user_id
       WHERE u.username = ANY($1) GROUP BY 1`,
      [DEMO_USERS],
    );
    for (const t of tags)
      expect(t.names).toEqual(
        expect.arrayContaining([
          'Core',
          'Defensive',
          'Dividend',
          'Growth',
          'Hedge',
          'Income',
          'Momentum',
          'Satellite',
          'Speculative',
          'Value',
        ]),
      );
    expect(tags.find((t) => t.username === 'demo_growth')!.names).toEqual(expect.arrayContaining(['tech', 'options']));
  });

  it('has market data with sectors and 90 days of history, snapshots and daily strategy P&L', async () => {
    const days = demoTradingDays(new Date().toISOString().slice(0, 10));
    expect(days.length).toBeGreaterThanOrEqual(58);
    expect(days.length).toBeLessThanOrEqual(66);

    const stocks = await q<{ symbol: string; sector: string | null; last_price: string | null; n: number }>(
      `SELECT m.symbol, m.sector, m.last_price::text,
              (SELECT count(*)::int FROM prices p WHERE p.symbol = m.symbol) AS n
       FROM market_data m WHERE m.symbol IN (SELECT underlying_symbol FROM legs WHERE investment_class <> 'PRIVATE')`,
    );
    const held = await q<{ n: number }>(
      `SELECT count(DISTINCT underlying_symbol)::int AS n FROM legs WHERE investment_class <> 'PRIVATE'`,
    );
    expect(stocks).toHaveLength(held[0].n);
    for (const s of stocks) {
      expect(s.sector).toBeTruthy();
      expect(Number(s.last_price)).toBeGreaterThan(0);
      expect(s.n).toBe(days.length);
    }
    expect([...new Set(stocks.map((s) => s.sector))]).toEqual(
      expect.arrayContaining(['Technology', 'Financials', 'Energy', 'Health Care']),
    );
    // market_data ends at the last close of the history.
    const [aapl] = await q<{ last: string; hist: string }>(
      `SELECT m.last_price::text AS last,
              (SELECT p.price::text FROM prices p WHERE p.symbol = 'AAPL' ORDER BY p.at DESC LIMIT 1) AS hist
       FROM market_data m WHERE m.symbol = 'AAPL'`,
    );
    expect(aapl.last).toBe(aapl.hist);

    const snaps = await q<{ username: string; n: number; first: string; last: string; moved: number }>(
      `SELECT u.username, count(*)::int AS n, min(s.date)::text AS first, max(s.date)::text AS last,
              count(DISTINCT s.total_value)::int AS moved
       FROM portfolio_snapshots s JOIN portfolios p ON p.id = s.portfolio_id JOIN users u ON u.id = p.user_id
       WHERE u.username = ANY($1) GROUP BY 1`,
      [DEMO_USERS],
    );
    expect(snaps).toHaveLength(3);
    for (const s of snaps) {
      expect(s.n).toBe(days.length);
      expect(s.first).toBe(days[0]);
      expect(s.last).toBe(days[days.length - 1]);
      expect(s.moved).toBeGreaterThan(days.length / 2); // the random walk moves the value
    }
    const pnl = await q<{ n: number; strategies: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT d.strategy_id)::int AS strategies FROM strategy_daily_pnl d
       JOIN strategies s ON s.id = d.strategy_id AND s.status = 'ACTIVE'`,
    );
    const active = await q<{ n: number }>(`SELECT count(*)::int AS n FROM strategies WHERE status = 'ACTIVE'`);
    expect(pnl[0].strategies).toBe(active[0].n);
    expect(pnl[0].n).toBe(active[0].n * days.length);
  });

  it('gives every demo portfolio closed trades with realized P&L and a timeline of 90 days of daily bars', async () => {
    const days = demoTradingDays(new Date().toISOString().slice(0, 10));
    const [bars] = await q<{ n: number; symbols: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT symbol)::int AS symbols FROM daily_bars`,
    );
    expect(bars.n).toBe(bars.symbols * days.length);
    const portfolios = await q<{ id: string }>(
      `SELECT p.id FROM portfolios p JOIN users u ON u.id = p.user_id WHERE u.username = ANY($1)`,
      [DEMO_USERS],
    );
    expect(portfolios).toHaveLength(3);
    for (const p of portfolios) {
      const [closed] = await q<{ n: number; realized: string }>(
        `SELECT count(*)::int AS n,
                sum(CASE WHEN position_type IN ('SHORT', 'SC', 'SP') THEN -1 ELSE 1 END * quantity * multiplier
                    * (exit_price - entry_price))::text AS realized
         FROM legs WHERE portfolio_id = $1 AND status = 'CLOSED'`,
        [p.id],
      );
      expect(closed.n).toBe(3); // two closed strategies and one partial close
      const timeline = await h.app.history.portfolioTimeline(p.id, null, null);
      expect(timeline.map((r) => r.date)).toEqual(days);
      expect(timeline[0].realizedPnl.isZero()).toBe(true);
      expect(timeline.at(-1)!.realizedPnl.toFixed()).toBe(new Decimal(closed.realized).toFixed());
      expect(timeline.at(-1)!.realizedPnl.isZero()).toBe(false);
      expect((await h.app.history.trades(p.id, null, null)).closedCount).toBe(2);
    }
  });

  it('queues the recomputation: every demo strategy gets metrics', async () => {
    await until(
      async () => {
        const [r] = await q<{ stale: number; missing: number }>(
          `SELECT count(*) FILTER (WHERE s.stale)::int AS stale,
                  count(*) FILTER (WHERE m.strategy_id IS NULL)::int AS missing
         FROM strategies s LEFT JOIN strategy_metrics m ON m.strategy_id = s.id WHERE s.status = 'ACTIVE'`,
        );
        return r.stale === 0 && r.missing === 0;
      },
      20_000,
      'metrics of the demo strategies',
    );
    const [candles] = await q<{ n: number }>(`SELECT count(DISTINCT strategy_id)::int AS n FROM m2m_candles`);
    expect(candles.n).toBeGreaterThan(0);
  }, 30_000);

  it('changes nothing when run again', async () => {
    const r = await runDemoSeed(h.app);
    expect(r.created).toEqual([]);
    expect(r.skipped).toEqual(DEMO_USERS);
    await seedDemo(h.app);
    expect(await tableCounts()).toEqual(first);
  }, 60_000);

  it('lets every demo user log in with the demo password', async () => {
    for (const username of DEMO_USERS) {
      const login = ok(
        await h.gql(`mutation($i: LoginInput!) { login(input: $i) { token } }`, {
          i: { usernameOrEmail: username, password: DEMO_PASSWORD },
        }),
      );
      const data = ok(
        await h.gql(
          `{ portfolios { name strategies(first: 100) { edges { node { type } } } } }`,
          {},
          login.login.token,
        ),
      );
      expect(data.portfolios).toHaveLength(1);
      expect(data.portfolios[0].strategies.edges.length).toBeGreaterThan(0);
    }
    const bad = await h.gql(`mutation($i: LoginInput!) { login(input: $i) { token } }`, {
      i: { usernameOrEmail: 'demo_value', password: 'wrong-password' },
    });
    expect(bad.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('risk analysis on the demo data', () => {
  it('has 90 days of daily closes for beta, history days, and a stress test', async () => {
    const login = ok(
      await h.gql(`mutation($i: LoginInput!) { login(input: $i) { token } }`, {
        i: { usernameOrEmail: 'demo_balanced', password: DEMO_PASSWORD },
      }),
    ).login.token;
    const data = ok(
      await h.gql(
        `{ portfolios { betaWeightedDelta stressTest { scenario { pnl } }
      strategies(first: 100) { edges { node { type dataQuality { flag historyDays } } } } } }`,
        {},
        login,
      ),
    );
    const [p] = data.portfolios;
    expect(typeof p.betaWeightedDelta).toBe('number');
    expect(p.stressTest).toHaveLength(9);
    // Multi-leg demo strategies are all on listed underlyings, priced every trading day of the 90.
    const combined = p.strategies.edges.map((e: any) => e.node).filter((n: any) => n.type !== 'STANDALONE');
    expect(combined.length).toBeGreaterThan(0);
    const days = demoTradingDays(new Date().toISOString().slice(0, 10)).length;
    for (const n of combined) expect(n.dataQuality.historyDays).toBeGreaterThanOrEqual(Math.min(days - 1, 60));
  });
});
