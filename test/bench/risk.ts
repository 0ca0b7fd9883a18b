import { performance } from 'node:perf_hooks';
import type { App } from '../../src/app';
import { analyzePayoff } from '../../src/domain/payoff';
import { scenarioBook, valueScenario } from '../../src/domain/scenario';
import { createLoaders } from '../../src/loaders';
import { loadLegViews } from '../../src/modules/leg/leg.loaders';
import { envOfLegs } from '../../src/modules/leg/leg.rows';
import { PriceSnapshot } from '../../src/modules/market-data/price-snapshot';
import { percentile, timeSeq } from './lib';

type Add = (benchmark: string, metric: string, value: number, unit: string, target?: string, pass?: boolean) => void;

export interface RiskBenchDeps {
  app: App;
  userId: string;
  quick: boolean;
  add: Add;
  /** A read through the API process (checked: status 200, data, no errors). */
  read: (query: string, variables: object) => Promise<unknown>;
  /** SQL statements of one request to the in-process server. */
  countStatements: (query: string, variables: object) => Promise<number>;
}

const STRESS = `query($p: ID!) { portfolio(id: $p) { stressTest {
  scenario { label marketValue pnl netDelta netGamma netTheta netVega }
  worstStrategies { pnl strategy { id name } } } } }`;
const GRID = `query($s: ID!, $p: [Float!]!, $v: [Float!]) { strategy(id: $s) {
  scenarioGrid(priceChangesPct: $p, volChangesPts: $v, daysForward: 7) {
    label marketValue pnl netDelta netGamma netTheta netVega } } }`;
const TZERO = `query($s: ID!) { strategy(id: $s) { metrics { payoff {
  tZeroCurve(points: 50) { underlyingPrice pnl } } } } }`;

const TRIVIAL = `{ me { id } }`;
const PAYOFF_READS = `query($s: ID!) { strategy(id: $s) { metrics { marketValue payoff { maxProfit } } } }`;

/** `fns` timed in turn, `n` rounds after 3 of warm-up; sorted milliseconds per function. */
async function interleaved(n: number, fns: (() => Promise<unknown>)[]): Promise<number[][]> {
  const out = fns.map(() => [] as number[]);
  for (let i = -3; i < n; i++) {
    for (const [j, fn] of fns.entries()) {
      const t = performance.now();
      await fn();
      if (i >= 0) out[j].push(performance.now() - t);
    }
  }
  return out.map((xs) => xs.sort((a, b) => a - b));
}

/**
 * `strategies` strategies of 4 legs on 50 underlyings priced at 100: 100 shares long, a short 110 call, a long 90
 * put and a short 80 put (2027-01-15, IV 25 %; no option prices, so the options are model-priced), by SQL.
 */
async function riskPortfolio(app: App, userId: string, name: string, strategies: number): Promise<string> {
  const [{ id }] = await app.ds.query(`INSERT INTO portfolios (user_id, name) VALUES ($1, $2) RETURNING id`, [
    userId,
    name,
  ]);
  await app.ds.query(
    `INSERT INTO strategies (portfolio_id, name, type, status, stale, row_version, created_at)
     SELECT $1, 'Risk ' || i, 'CUSTOM', 'ACTIVE', false, 1, now() - (i || ' seconds')::interval
     FROM generate_series(1, $2) i`,
    [id, strategies],
  );
  await app.ds.query(
    `WITH s AS (SELECT id, 'RK' || (row_number() OVER (ORDER BY created_at) % 50) AS u
                FROM strategies WHERE portfolio_id = $1),
          k(k, opt, pos, strike, qty, mult, cls, expiry, iv, entry) AS (VALUES
            (0, NULL::option_type, 'LONG'::position_type, NULL::numeric, 100, 1, 'PUBLIC'::investment_class,
             NULL::date, NULL::float8, 95),
            (1, 'CALL', 'SC', 110, 1, 100, 'OPTIONS', DATE '2027-01-15', 0.25, 2),
            (2, 'PUT', 'LP', 90, 1, 100, 'OPTIONS', DATE '2027-01-15', 0.25, 2),
            (3, 'PUT', 'SP', 80, 1, 100, 'OPTIONS', DATE '2027-01-15', 0.25, 2))
     INSERT INTO legs (strategy_id, portfolio_id, symbol, position_type, quantity, multiplier, investment_class,
                       underlying_symbol, option_type, strike_price, expiration_date, implied_volatility, entry_price,
                       entry_date, leg_order)
     SELECT s.id, $1,
            s.u || coalesce('270115' || left(k.opt::text, 1) || lpad((k.strike * 1000)::int::text, 8, '0'), ''),
            k.pos, k.qty, k.mult, k.cls, s.u, k.opt, k.strike, k.expiry, k.iv, k.entry, '2026-01-05', k.k
     FROM s, k`,
    [id],
  );
  await app.ds.query(
    `INSERT INTO market_data (symbol, last_price, price_at) SELECT 'RK' || i, 100, now() FROM generate_series(0, 49) i
     ON CONFLICT (symbol) DO UPDATE SET last_price = EXCLUDED.last_price`,
  );
  return id;
}

/** Portfolio.stressTest, Strategy.scenarioGrid and PayoffAnalysis.tZeroCurve through the API; the engine alone. */
export async function riskBenchmarks({ app, userId, quick, add, read, countStatements }: RiskBenchDeps): Promise<void> {
  const p500 = await riskPortfolio(app, userId, 'Risk 500', 500);
  const p100 = await riskPortfolio(app, userId, 'Risk 100', 100);
  // Statistics as autovacuum leaves them after a bulk load (see `analyze` in run.ts).
  await app.ds.query('VACUUM ANALYZE');
  await countStatements(STRESS, { p: p500 });
  await countStatements(STRESS, { p: p100 });
  const s500 = await countStatements(STRESS, { p: p500 });
  const s100 = await countStatements(STRESS, { p: p100 });
  add(
    'stressTest, standard set (500 strategies, 2,000 legs) and 100 strategies',
    'SQL statements / request',
    s500,
    'stmts',
    'constant',
    s500 === s100,
  );
  const stress = await timeSeq(quick ? 10 : 100, () => read(STRESS, { p: p500 }), quick ? 3 : 10);
  add(
    'stressTest, standard set (500 strategies, 2,000 legs, 1,500 options)',
    'p50 latency',
    percentile(stress, 50),
    'ms',
    '≤ 50 ms',
    percentile(stress, 50) <= 50,
  );

  // The same in the bench process, without HTTP and GraphQL: the service's reads and the engine.
  const user = { id: userId, username: 'bench', isAdmin: false };
  const portfolio = (await app.portfolios.get(user, p500))!;
  const inProcess = await timeSeq(
    quick ? 10 : 100,
    () => app.risk.stressTest(user, createLoaders(app), portfolio, null),
    quick ? 3 : 10,
  );
  add('stressTest, standard set (500 strategies), service in process', 'p50', percentile(inProcess, 50), 'ms');

  const [{ id: strategyId }] = await app.ds.query(`SELECT id FROM strategies WHERE portfolio_id = $1 LIMIT 1`, [p100]);
  await app.metrics.recompute([strategyId]);
  const prices = Array.from({ length: 20 }, (_, i) => -50 + 5 * i);
  const vols = Array.from({ length: 10 }, (_, i) => -20 + 5 * i);
  const grid = await timeSeq(quick ? 30 : 300, () => read(GRID, { s: strategyId, p: prices, v: vols }));
  add(
    'scenarioGrid, 200 pairs on a 4-leg strategy',
    'p50 latency',
    percentile(grid, 50),
    'ms',
    '≤ 10 ms',
    percentile(grid, 50) <= 10,
  );
  const tzero = await timeSeq(quick ? 30 : 300, () => read(TZERO, { s: strategyId }));
  add(
    'tZeroCurve(points: 50), 4-leg strategy',
    'p50 latency',
    percentile(tzero, 50),
    'ms',
    '≤ 2 ms',
    percentile(tzero, 50) <= 2,
  );
  // Its floors through the same HTTP path, interleaved with it (so the machine's load hits all three alike): a
  // trivial authenticated query, and the same reads without the curve (strategy, then its stored metrics and legs).
  const [again, trivial, reads] = await interleaved(quick ? 30 : 300, [
    () => read(TZERO, { s: strategyId }),
    () => read(TRIVIAL, {}),
    () => read(PAYOFF_READS, { s: strategyId }),
  ]);
  add('tZeroCurve(points: 50) again, interleaved with its floors', 'p50', percentile(again, 50), 'ms');
  add('floor: trivial authenticated query (me { id })', 'p50', percentile(trivial, 50), 'ms');
  add("floor: the strategy's payoff without the curve (strategy, metrics, legs)", 'p50', percentile(reads, 50), 'ms');

  // The engine alone, on the same legs: what the API adds is HTTP, GraphQL and the legs' read.
  const legs = await loadLegViews(
    app.ds,
    app.legCache,
    'l.strategy_id',
    [strategyId],
    new PriceSnapshot(app.cfg, new Date()),
  );
  const env = envOfLegs(app.cfg, legs);
  const pairs = prices.flatMap((priceChangePct) =>
    vols.map((volChangePts) => ({ priceChangePct, volChangePts, daysForward: 7 })),
  );
  const engineGrid = await timeSeq(quick ? 100 : 1000, () => {
    const book = scenarioBook(legs, env);
    return pairs.map((s) => valueScenario(book, s));
  });
  add('scenario engine alone, 200 pairs on 4 legs', 'p50', percentile(engineGrid, 50), 'ms');
  const engineCurve = await timeSeq(quick ? 100 : 1000, () => {
    const payoff = analyzePayoff(legs, env)!;
    const book = scenarioBook(legs, env);
    return payoff.grid(50).map((x) => valueScenario(book, { priceChangePct: 0, volChangePts: 0, daysForward: 0 }, x));
  });
  add('T+0 curve alone (payoff grid of 50 points, 4 legs)', 'p50', percentile(engineCurve, 50), 'ms');
}
