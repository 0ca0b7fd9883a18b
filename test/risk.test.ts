import { randomBytes } from 'node:crypto';
import Decimal from 'decimal.js';
import { bsPrice, yearsToExpiry } from '../src/domain/black-scholes';
import { normCdf } from '../src/domain/black-scholes';
import { OptionType } from '../src/domain/types';
import { dropDatabase, ensureDatabase, migrate } from '../src/infra/bootstrap';
import {
  createPortfolio,
  createPosition,
  err,
  ok,
  registerUser,
  startHarness,
  type GqlResult,
  type Harness,
} from './helpers/harness';

/**
 * Risk analysis over HTTP (API.md "Risk analysis"). A database of its own and no worker: no other file's sweeper
 * writes to it, so "previewStrategy writes nothing" can be checked on every table, byte for byte.
 */
const DB = `${process.env.TEST_DATABASE}_risk`;
let h: Harness;
let u: { token: string; id: string };
beforeAll(async () => {
  const url = await ensureDatabase(process.env.TEST_SERVER_URL!, DB);
  await migrate(url);
  h = await startHarness({ worker: false, databaseUrl: url });
  u = await registerUser(h);
}, 120000);
afterAll(async () => {
  await h?.close();
  await dropDatabase(process.env.TEST_SERVER_URL!, DB);
}, 60000);

const EXP = '2027-01-15';
const occ = (root: string, type: 'C' | 'P', strike: number) =>
  `${root}270115${type}${String(strike * 1000).padStart(8, '0')}`;
/** A ticker of its own for each use (market data is shared by the whole file, whose database is new): RAAAA, RAAAB… */
let tickers = 0;
const root = () =>
  `R${(tickers++)
    .toString(26)
    .padStart(4, '0')
    .replace(/./g, (c) => String.fromCharCode(65 + parseInt(c, 26)))}`;

async function setPrice(symbol: string, price: number | string) {
  await h.app.ds.query(
    `INSERT INTO market_data (symbol, last_price, price_at) VALUES ($1, $2, now())
     ON CONFLICT (symbol) DO UPDATE SET last_price = EXCLUDED.last_price, price_at = EXCLUDED.price_at`,
    [symbol, price],
  );
}
/** Daily bars (the daily closes) on each of the given past days (1 = yesterday, UTC). */
async function history(symbol: string, closes: { daysAgo: number; close: number }[]) {
  await h.app.ds.query(
    `INSERT INTO daily_bars (symbol, date, open, high, low, close)
     SELECT $1, (now() AT TIME ZONE 'UTC')::date - x.ago, x.close, x.close, x.close, x.close
     FROM unnest($2::int[], $3::numeric[]) AS x(ago, close)
     ON CONFLICT (symbol, date) DO UPDATE SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low,
       close = EXCLUDED.close`,
    [symbol, closes.map((c) => c.daysAgo), closes.map((c) => c.close)],
  );
}
const position = (
  portfolioId: string,
  symbol: string,
  quantity: number,
  entryPrice: number | string,
  extra: Record<string, unknown> = {},
) => createPosition(h, u.token, { portfolioId, symbol, quantity, entryPrice: String(entryPrice), ...extra });

const SCENARIO = `query($id: ID!, $i: ScenarioInput!) { strategy(id: $id) { scenario(input: $i) {
  label priceChangePct volChangePts daysForward marketValue pnl netDelta netGamma netTheta netVega } } }`;
const GRID = `query($id: ID!, $p: [Float!]!, $v: [Float!], $d: Int) { strategy(id: $id) {
  scenarioGrid(priceChangesPct: $p, volChangesPts: $v, daysForward: $d) {
    label priceChangePct volChangePts daysForward marketValue pnl } } }`;
const GRID_DEFAULTS = `query($id: ID!, $p: [Float!]!) { strategy(id: $id) {
  scenarioGrid(priceChangesPct: $p) { priceChangePct volChangePts daysForward } } }`;
const STRESS = `query($id: ID!, $s: [ScenarioInput!]) { portfolio(id: $id) { stressTest(scenarios: $s) {
  scenario { label priceChangePct volChangePts daysForward marketValue pnl netDelta }
  worstStrategies { pnl strategy { id name } } } } }`;
const PAYOFF = `query($id: ID!) { strategy(id: $id) { metrics { payoff {
  maxProfit curve(points: 20) { underlyingPrice pnl }
  now: tZeroCurve(points: 20) { underlyingPrice pnl }
  expired: tZeroCurve(points: 20, daysForward: 3650) { underlyingPrice pnl }
  volUp: tZeroCurve(points: 20, volChangePts: 20) { underlyingPrice pnl }
  probabilityOfProfit expectedMove } } } }`;
const QUALITY = `query($id: ID!) { strategy(id: $id) { dataQuality {
  flag message legCount marketPricedLegs modelPricedLegs entryPricedLegs privateLegs historyDays }
  metrics { payoff { maxLoss } } } }`;
const BETA = `query($id: ID!, $b: String) { portfolio(id: $id) { betaWeightedDelta(benchmark: $b) } }`;
const PREVIEW = `query($l: [ID!]!) { previewStrategy(legIds: $l) { type suggestedName confidence legs { id symbol }
  payoff { maxProfit maxLoss breakEvenPoints curve(points: 10) { underlyingPrice pnl }
           tZeroCurve(points: 10) { underlyingPrice pnl }
           probabilityOfProfit expectedMove } } }`;

/** A covered call on a fresh ticker priced at 100: long 100 shares at 95, short one 100 call at 3 (IV 25 %). */
async function coveredCall(portfolioId?: string) {
  const r = root();
  const p = portfolioId ?? (await createPortfolio(h, u.token));
  await setPrice(r, 100);
  const stock = await position(p, r, 100, 95);
  await position(p, occ(r, 'C', 100), -1, 3, { strategyId: stock.strategyId, impliedVolatility: 0.25 });
  return { root: r, portfolioId: p, strategyId: stock.strategyId };
}

describe('Strategy.scenario', () => {
  it('values the open legs: stocks linearly, options at intrinsic once expired, with a default label', async () => {
    const { strategyId } = await coveredCall();
    const base = ok(await h.gql(SCENARIO, { id: strategyId, i: {} }, u.token)).strategy.scenario;
    expect(base).toMatchObject({
      label: '0% / 0 vol / 0d',
      priceChangePct: 0,
      volChangePts: 0,
      daysForward: 0,
      pnl: '0',
    });
    // The call by Black-Scholes even without a market price: stock 10,000 minus the call's model value.
    const T = yearsToExpiry(EXP, new Date());
    const call = new Decimal(bsPrice(OptionType.CALL, 100, 100, T, 0.04, 0.25)).toDecimalPlaces(4).mul(100);
    expect(Math.abs(Number(base.marketValue) - (10000 - call.toNumber()))).toBeLessThan(0.02);

    // +10 % ten years on: 100 shares at 110, the call expired 10 in the money.
    const far = ok(await h.gql(SCENARIO, { id: strategyId, i: { priceChangePct: 10, daysForward: 3650 } }, u.token))
      .strategy.scenario;
    expect(far).toMatchObject({
      label: '+10% / 0 vol / +3650d',
      marketValue: '10000',
      netDelta: 0,
      netGamma: 0,
      netTheta: 0,
      netVega: 0,
    });
    expect(far.pnl).toBe(new Decimal('10000').minus(base.marketValue).toFixed());
    const down = ok(
      await h.gql(
        SCENARIO,
        { id: strategyId, i: { priceChangePct: -30, daysForward: 3650, label: '  Bad year ' } },
        u.token,
      ),
    ).strategy.scenario;
    expect(down).toMatchObject({ label: 'Bad year', marketValue: '7000' });
  });

  it('moves price, volatility and clock together as Black-Scholes does', async () => {
    const r = root();
    const p = await createPortfolio(h, u.token);
    await setPrice(r, 200);
    const { strategyId } = await position(p, occ(r, 'P', 190), 2, 8, { impliedVolatility: 0.3 });
    const s = ok(
      await h.gql(SCENARIO, { id: strategyId, i: { priceChangePct: -10, volChangePts: 5, daysForward: 30 } }, u.token),
    ).strategy.scenario;
    const T = yearsToExpiry(EXP, new Date(Date.now() + 30 * 86_400_000));
    const expected = 200 * bsPrice(OptionType.PUT, 180, 190, T, 0.04, 0.35);
    expect(Math.abs(Number(s.marketValue) - expected)).toBeLessThan(0.05);
    expect(s.netDelta).toBeLessThan(-100); // two long puts in the money: delta below −1 share per share × 100
    expect(s.netVega).toBeGreaterThan(0);
  });
});

describe('Strategy.scenarioGrid', () => {
  it('returns price changes outer, in the order given, each equal to the single scenario', async () => {
    const { strategyId } = await coveredCall();
    const grid = ok(await h.gql(GRID, { id: strategyId, p: [-10, 0, 10], v: [-5, 5], d: 3650 }, u.token)).strategy
      .scenarioGrid;
    expect(grid.map((g: any) => [g.priceChangePct, g.volChangePts, g.daysForward])).toEqual([
      [-10, -5, 3650],
      [-10, 5, 3650],
      [0, -5, 3650],
      [0, 5, 3650],
      [10, -5, 3650],
      [10, 5, 3650],
    ]);
    expect(grid.map((g: any) => g.marketValue)).toEqual(['9000', '9000', '10000', '10000', '10000', '10000']);
    expect(grid[0].label).toBe('-10% / -5 vol / +3650d');
    for (const g of [grid[1], grid[4]]) {
      const one = ok(
        await h.gql(
          SCENARIO,
          { id: strategyId, i: { priceChangePct: g.priceChangePct, volChangePts: g.volChangePts, daysForward: 3650 } },
          u.token,
        ),
      );
      expect(one.strategy.scenario.pnl).toBe(g.pnl);
    }
    const defaults = ok(await h.gql(GRID_DEFAULTS, { id: strategyId, p: [1, 2, 3] }, u.token)).strategy.scenarioGrid;
    expect(defaults).toEqual([1, 2, 3].map((p) => ({ priceChangePct: p, volChangePts: 0, daysForward: 0 })));
    const max = ok(
      await h.gql(
        GRID,
        { id: strategyId, p: Array.from({ length: 20 }, (_, i) => i - 10), v: Array.from({ length: 10 }, (_, i) => i) },
        u.token,
      ),
    );
    expect(max.strategy.scenarioGrid).toHaveLength(200);
  });
});

describe('Portfolio.stressTest', () => {
  /** Seven stock strategies with distinct values; two of them in one portfolio-wide environment. */
  async function stockPortfolio() {
    const p = await createPortfolio(h, u.token);
    const book: [number, number][] = [
      [10, 100],
      [45, 20],
      [-30, 10],
      [5, 40],
      [1, 250],
      [100, 1],
      [2, 300],
    ];
    const ids: string[] = [];
    for (const [qty, price] of book) {
      const r = root();
      await setPrice(r, price);
      ids.push((await position(p, r, qty, price)).strategyId);
    }
    return { p, ids };
  }

  it("runs the standard set in API.md's order, sums the portfolio, lists the five worst losers", async () => {
    const { p, ids } = await stockPortfolio();
    const res = ok(await h.gql(STRESS, { id: p }, u.token)).portfolio.stressTest;
    expect(res.map((r: any) => [r.scenario.priceChangePct, r.scenario.volChangePts, r.scenario.daysForward])).toEqual([
      [-20, 0, 0],
      [-10, 0, 0],
      [-5, 0, 0],
      [5, 0, 0],
      [10, 0, 0],
      [20, 0, 0],
      [0, 10, 0],
      [0, -10, 0],
      [-20, 15, 0],
    ]);
    expect(res.map((r: any) => r.scenario.label)).toEqual([
      '-20%',
      '-10%',
      '-5%',
      '+5%',
      '+10%',
      '+20%',
      'vol +10',
      'vol -10',
      'crash (-20% / vol +15)',
    ]);
    const down = res[0];
    expect(down.scenario).toMatchObject({ marketValue: '2200', pnl: '-550', netDelta: 10 + 45 - 30 + 5 + 1 + 100 + 2 });
    expect(down.worstStrategies.map((w: any) => [w.strategy.id, w.pnl])).toEqual([
      [ids[0], '-200'],
      [ids[1], '-180'],
      [ids[6], '-120'],
      [ids[4], '-50'],
      [ids[3], '-40'],
    ]);
    // Up 20 %: only the short loses; volatility moves no stock: nobody loses.
    expect(res[5].worstStrategies).toEqual([{ pnl: '-60', strategy: expect.objectContaining({ id: ids[2] }) }]);
    expect(res[6]).toMatchObject({ scenario: { pnl: '0' }, worstStrategies: [] });
  });

  it("runs given scenarios, equal to the sum of the strategies' own scenarios", async () => {
    const a = await coveredCall();
    const b = await coveredCall(a.portfolioId);
    const input = { priceChangePct: -7, volChangePts: 12, daysForward: 45, label: 'mine' };
    const [res] = ok(await h.gql(STRESS, { id: a.portfolioId, s: [input] }, u.token)).portfolio.stressTest;
    expect(res.scenario).toMatchObject({ label: 'mine', priceChangePct: -7, volChangePts: 12, daysForward: 45 });
    const each = await Promise.all(
      [a, b].map(async (x) => ok(await h.gql(SCENARIO, { id: x.strategyId, i: input }, u.token)).strategy.scenario),
    );
    // Valued at instants milliseconds apart: equal to the cent.
    expect(Number(res.scenario.pnl)).toBeCloseTo(Number(each[0].pnl) + Number(each[1].pnl), 1);
    expect(res.worstStrategies).toHaveLength(2);
  });

  it("reads the portfolio's strategies and legs in a constant number of statements", async () => {
    const count = async (n: number) => {
      const p = await createPortfolio(h, u.token);
      for (let i = 0; i < n; i++) {
        const r = root();
        await setPrice(r, 50);
        const s = await position(p, r, 10, 45);
        await position(p, occ(r, 'C', 55), -1, 1, { strategyId: s.strategyId });
      }
      h.sql.length = 0;
      const res = ok(await h.gql(STRESS, { id: p }, u.token)).portfolio.stressTest;
      expect(res[0].worstStrategies.length).toBe(Math.min(5, n));
      return h.sql.length;
    };
    const small = await count(2);
    const large = await count(25);
    expect(large).toBe(small);
    expect(large).toBeLessThanOrEqual(5); // portfolio, strategies, legs (+ their rows on a first read)
  });
});

describe('PayoffAnalysis: T+0 curve, probability of profit, expected move', () => {
  it("draws the T+0 curve on the curve's grid; past expiry it is the expiry payoff", async () => {
    const r = root();
    const p = await createPortfolio(h, u.token);
    await setPrice(r, 100);
    const { strategyId } = await position(p, occ(r, 'C', 100), 1, 5, { impliedVolatility: 0.3 });
    await h.app.metrics.recompute([strategyId]);
    const pay = ok(await h.gql(PAYOFF, { id: strategyId }, u.token)).strategy.metrics.payoff;
    const prices = pay.curve.map((c: any) => c.underlyingPrice);
    expect(prices).toContain('100'); // the strike is on the grid
    for (const c of [pay.now, pay.expired, pay.volUp]) expect(c.map((x: any) => x.underlyingPrice)).toEqual(prices);
    expect(pay.expired).toEqual(pay.curve);
    pay.curve.forEach((c: any, i: number) => {
      expect(Number(pay.now[i].pnl)).toBeGreaterThanOrEqual(Number(c.pnl) - 0.01); // time value ≥ 0
      expect(Number(pay.volUp[i].pnl)).toBeGreaterThanOrEqual(Number(pay.now[i].pnl) - 0.01);
    });

    // P(S_T > 105) in closed form, and one standard deviation 100 × 0.3 × √T.
    const T = yearsToExpiry(EXP, new Date());
    const d = (Math.log(100 / 105) + (0.04 - 0.045) * T) / (0.3 * Math.sqrt(T));
    expect(pay.probabilityOfProfit).toBeCloseTo(normCdf(d), 4);
    expect(Math.abs(Number(pay.expectedMove) - 30 * Math.sqrt(T))).toBeLessThanOrEqual(0.01);
  });

  it('stock only: a straight T+0 line, and no probability or expected move', async () => {
    const r = root();
    const p = await createPortfolio(h, u.token);
    await setPrice(r, 20);
    const { strategyId } = await position(p, r, 50, 18);
    await h.app.metrics.recompute([strategyId]);
    const pay = ok(await h.gql(PAYOFF, { id: strategyId }, u.token)).strategy.metrics.payoff;
    expect(pay.probabilityOfProfit).toBeNull();
    expect(pay.expectedMove).toBeNull();
    for (const x of pay.now) expect(x.pnl).toBe(new Decimal(x.underlyingPrice).minus(18).mul(50).toFixed());
  });
});

describe('Portfolio.betaWeightedDelta', () => {
  /** Closes of a benchmark and of an asset whose daily returns are exactly twice the benchmark's. */
  async function twinHistory(bench: string, asset: string, days: number, assetDays = days) {
    let b = 100,
      a = 50;
    const bc: { daysAgo: number; close: number }[] = [],
      ac: typeof bc = [];
    for (let i = days; i >= 1; i--) {
      const ret = Math.sin(i * 1.7) / 100;
      b *= 1 + ret;
      a *= 1 + 2 * ret;
      bc.push({ daysAgo: i, close: Number(b.toFixed(6)) });
      if (i <= assetDays) ac.push({ daysAgo: i, close: Number(a.toFixed(6)) });
    }
    await history(bench, bc);
    await history(asset, ac);
  }

  it('weights each delta by price and beta against the benchmark (the benchmark itself: beta 1)', async () => {
    const [bench, asset] = [root(), root()];
    await twinHistory(bench, asset, 40);
    await setPrice(bench, 100);
    await setPrice(asset, 50);
    const p = await createPortfolio(h, u.token);
    await position(p, asset, 100, 40);
    await position(p, bench, 10, 90);
    const bwd = ok(await h.gql(BETA, { id: p, b: ` ${bench.toLowerCase()} ` }, u.token)).portfolio.betaWeightedDelta;
    // 100 × 50 × 2 ÷ 100 + 10 × 100 × 1 ÷ 100
    expect(bwd).toBeCloseTo(110, 2);
  });

  it('is null with fewer than 20 common daily closes, or without a benchmark price', async () => {
    const [bench, asset] = [root(), root()];
    await twinHistory(bench, asset, 40, 19);
    await setPrice(bench, 100);
    await setPrice(asset, 50);
    const p = await createPortfolio(h, u.token);
    await position(p, asset, 100, 40);
    expect(ok(await h.gql(BETA, { id: p, b: bench }, u.token)).portfolio.betaWeightedDelta).toBeNull();
    expect(ok(await h.gql(BETA, { id: p, b: root() }, u.token)).portfolio.betaWeightedDelta).toBeNull();
    // Default benchmark SPY: no price in this database.
    expect(
      ok(await h.gql(`query($id: ID!) { portfolio(id: $id) { betaWeightedDelta } }`, { id: p }, u.token)).portfolio
        .betaWeightedDelta,
    ).toBeNull();
  });
});

describe('Strategy.dataQuality', () => {
  const quality = async (id: string) => ok(await h.gql(QUALITY, { id }, u.token)).strategy;

  it('COMPLETE with market prices, counting the days of history since the entry', async () => {
    const r = root();
    await setPrice(r, 10);
    await history(
      r,
      [5, 4, 3, 2, 1].map((daysAgo) => ({ daysAgo, close: 10 })),
    );
    const p = await createPortfolio(h, u.token);
    const { strategyId } = await position(p, r, 5, 9);
    const q = (await quality(strategyId)).dataQuality;
    expect(q).toMatchObject({
      flag: 'COMPLETE',
      legCount: 1,
      marketPricedLegs: 1,
      modelPricedLegs: 0,
      entryPricedLegs: 0,
      privateLegs: 0,
      historyDays: 5,
    });
    expect(q.message).toBe('Every leg has a market price; 5 days of history.');
  });

  it('PARTIAL: says which legs are at entry or modelled, and that performance needs history', async () => {
    const [r, dark] = [root(), root()];
    await setPrice(r, 100);
    const p = await createPortfolio(h, u.token);
    const s = await position(p, r, 100, 90);
    await position(p, occ(r, 'C', 110), -1, 2, { strategyId: s.strategyId });
    await position(p, dark, 10, 5, { strategyId: s.strategyId });
    const q = (await quality(s.strategyId)).dataQuality;
    expect(q).toMatchObject({
      flag: 'PARTIAL',
      legCount: 3,
      marketPricedLegs: 1,
      modelPricedLegs: 1,
      entryPricedLegs: 1,
      historyDays: 0,
    });
    expect(q.message).toContain(
      `1 of 3 legs has no market price (valued at entry): P&L is not live; publish prices for ${dark}.`,
    );
    expect(q.message).toContain('priced by Black-Scholes');
    expect(q.message).toContain(`No payoff: the legs have several underlyings (${r}, ${dark}).`);
    expect(q.message).toContain(
      'Performance figures need at least 2 days of daily closes; 0 days since the first entry.',
    );
  });

  it('INSUFFICIENT without any market price; PRIVATE legs explain a null payoff', async () => {
    const p = await createPortfolio(h, u.token);
    const blind = await position(p, root(), 10, 5);
    expect((await quality(blind.strategyId)).dataQuality).toMatchObject({
      flag: 'INSUFFICIENT',
      entryPricedLegs: 1,
      marketPricedLegs: 0,
    });

    const r = root();
    await setPrice(r, 10);
    const s = await position(p, r, 10, 5);
    await position(p, 'GARAGE_FUND_II', 1, 1000, { strategyId: s.strategyId });
    const q = await quality(s.strategyId);
    await h.app.metrics.recompute([s.strategyId]);
    expect((await quality(s.strategyId)).metrics.payoff).toBeNull();
    expect(q.dataQuality).toMatchObject({ flag: 'COMPLETE', legCount: 2, marketPricedLegs: 1, privateLegs: 1 });
    expect(q.dataQuality.message).toContain(
      '1 PRIVATE leg valued at the last known or entry price: left out of greeks and scenarios, ' +
        'and no payoff is drawn.',
    );
  });
});

/**
 * Every table of the database as an md5 of its rows with their row versions (xmin: a rewrite of a row with the same
 * values shows too), in a stable order, and every sequence's position.
 */
async function checksums(): Promise<Record<string, string>> {
  const tables: { t: string }[] = await h.app.ds.query(
    `SELECT table_name AS t FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const out: Record<string, string> = {};
  for (const { t } of tables) {
    const [{ sum, n }] = await h.app.ds.query(
      `SELECT md5(coalesce(string_agg(x.xmin::text || ' ' || x::text, E'\\n' ORDER BY x::text), '')) AS sum,
              count(*)::int AS n FROM "${t}" x`,
    );
    out[t] = `${n}:${sum}`;
  }
  const sequences: { s: string }[] = await h.app.ds.query(
    `SELECT sequence_name AS s FROM information_schema.sequences WHERE sequence_schema = 'public'`,
  );
  for (const { s } of sequences) {
    const [{ v }] = await h.app.ds.query(`SELECT last_value::text || '/' || is_called::text AS v FROM "${s}"`);
    out[`sequence ${s}`] = v;
  }
  return out;
}

describe('previewStrategy', () => {
  /** API.md's example: short 450C, long 460C, short 420P, long 410P, net credit 3.00. */
  async function condorLegs(portfolioId?: string) {
    const r = root();
    await setPrice(r, 435);
    const p = portfolioId ?? (await createPortfolio(h, u.token));
    const legs = [];
    for (const [t, k, q, e] of [
      ['C', 450, -1, 4],
      ['C', 460, 1, 2],
      ['P', 420, -1, 3],
      ['P', 410, 1, 2],
    ] as const) {
      legs.push((await position(p, occ(r, t, k), q, e, { impliedVolatility: 0.2 })).legId);
    }
    return { root: r, portfolioId: p, legs };
  }

  it('answers what combineLegs would make of the legs, and writes nothing', async () => {
    const { root: r, legs } = await condorLegs();
    const before = await checksums();
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining(['legs', 'strategies', 'strategy_versions', 'prices', 'market_data']),
    );
    const pv = ok(await h.gql(PREVIEW, { l: legs }, u.token)).previewStrategy;
    expect(pv).toMatchObject({ type: 'IRON_CONDOR', suggestedName: `Iron Condor ${r} Jan15'27`, confidence: 0.95 });
    expect(pv.legs.map((l: any) => l.id)).toEqual(legs);
    expect(pv.payoff).toMatchObject({ maxProfit: '300', maxLoss: '700', breakEvenPoints: ['417', '453'] });
    expect(pv.payoff.curve.length).toBeGreaterThan(5);
    expect(pv.payoff.tZeroCurve.map((x: any) => x.underlyingPrice)).toEqual(
      pv.payoff.curve.map((x: any) => x.underlyingPrice),
    );
    expect(pv.payoff.probabilityOfProfit).toBeGreaterThan(0);
    expect(pv.payoff.probabilityOfProfit).toBeLessThan(1);
    expect(Number(pv.payoff.expectedMove)).toBeGreaterThan(0);
    // Rejected previews write nothing either.
    for (const l of [[], [legs[0], legs[0]], [legs[0], randomUuid()]])
      expect(err(await h.gql(PREVIEW, { l }, u.token)).code).toBeDefined();
    expect(await checksums()).toEqual(before);

    // combineLegs then makes exactly what the preview said.
    const made = ok(
      await h.gql(`mutation($l: [ID!]!) { combineLegs(input: { legIds: $l }) { type name } }`, { l: legs }, u.token),
    ).combineLegs;
    expect(made).toEqual({ type: pv.type, name: pv.suggestedName });
  });

  it('one leg is STANDALONE with confidence 1; unmatched legs are CUSTOM with confidence 0', async () => {
    const { legs } = await condorLegs();
    expect(ok(await h.gql(PREVIEW, { l: [legs[0]] }, u.token)).previewStrategy).toMatchObject({
      type: 'STANDALONE',
      confidence: 1,
    });
    expect(ok(await h.gql(PREVIEW, { l: [legs[0], legs[3]] }, u.token)).previewStrategy).toMatchObject({
      type: 'CUSTOM',
      confidence: 0,
    });
  });
});

const randomUuid = () => '00000000-0000-4000-8000-' + randomBytes(6).toString('hex');

describe('bad input', () => {
  let strategyId: string, portfolioId: string, legs: string[];
  beforeAll(async () => {
    const c = await coveredCall();
    strategyId = c.strategyId;
    portfolioId = c.portfolioId;
    await h.app.metrics.recompute([strategyId]);
    legs = (
      ok(await h.gql(`query($id: ID!) { strategy(id: $id) { legs { id } } }`, { id: strategyId }, u.token)).strategy
        .legs as { id: string }[]
    ).map((l) => l.id);
  });

  const TZERO = `query($id: ID!, $n: Int, $d: Int, $v: Float) { strategy(id: $id) { metrics { payoff {
    tZeroCurve(points: $n, daysForward: $d, volChangePts: $v) { pnl } } } } }`;
  const cases: [string, () => [string, Record<string, unknown>], string][] = [
    ['price move of −100 %', () => [SCENARIO, { id: strategyId, i: { priceChangePct: -100 } }], 'priceChangePct'],
    ['price move below −100 %', () => [SCENARIO, { id: strategyId, i: { priceChangePct: -150 } }], 'priceChangePct'],
    ['absurd price move', () => [SCENARIO, { id: strategyId, i: { priceChangePct: 1e9 } }], 'priceChangePct'],
    [
      'volatility shift below −100 points',
      () => [SCENARIO, { id: strategyId, i: { volChangePts: -100.5 } }],
      'volChangePts',
    ],
    [
      'volatility shift above 500 points',
      () => [SCENARIO, { id: strategyId, i: { volChangePts: 501 } }],
      'volChangePts',
    ],
    ['negative daysForward', () => [SCENARIO, { id: strategyId, i: { daysForward: -1 } }], 'daysForward'],
    ['absurd daysForward', () => [SCENARIO, { id: strategyId, i: { daysForward: 3651 } }], 'daysForward'],
    ['a label over 100 characters', () => [SCENARIO, { id: strategyId, i: { label: 'x'.repeat(101) } }], 'label'],
    [
      'more than 200 grid pairs',
      () => [GRID, { id: strategyId, p: Array.from({ length: 67 }, (_, i) => i), v: [0, 1, 2] }],
      'priceChangesPct',
    ],
    ['a grid price move of −100 %', () => [GRID, { id: strategyId, p: [5, -100] }], 'priceChangesPct'],
    ['a grid volatility shift above 500', () => [GRID, { id: strategyId, p: [5], v: [600] }], 'volChangesPts'],
    ['a grid daysForward above 3,650', () => [GRID, { id: strategyId, p: [5], d: 4000 }], 'daysForward'],
    [
      'more than 50 stress scenarios',
      () => [STRESS, { id: portfolioId, s: Array.from({ length: 51 }, () => ({})) }],
      'scenarios',
    ],
    ['a bad stress scenario', () => [STRESS, { id: portfolioId, s: [{}, { daysForward: -2 }] }], 'daysForward'],
    ['a T+0 curve of 1 point', () => [TZERO, { id: strategyId, n: 1 }], 'points'],
    ['a T+0 curve with negative daysForward', () => [TZERO, { id: strategyId, d: -1 }], 'daysForward'],
    ['a T+0 curve with a volatility shift of −200', () => [TZERO, { id: strategyId, v: -200 }], 'volChangePts'],
    ['a benchmark that is no ticker', () => [BETA, { id: portfolioId, b: 'S&P 500!' }], 'benchmark'],
    ['an empty benchmark', () => [BETA, { id: portfolioId, b: '' }], 'benchmark'],
    ['a preview of no legs', () => [PREVIEW, { l: [] }], 'legIds'],
    ['a preview naming a leg twice', () => [PREVIEW, { l: [legs[0], legs[0]] }], 'legIds'],
  ];
  it.each(cases)('%s is BAD_USER_INPUT naming the argument', async (_what, make, field) => {
    const [query, variables] = make();
    const r: GqlResult = await h.gql(query, variables, u.token);
    expect(err(r)).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('a preview of legs of several portfolios is BAD_USER_INPUT; of a closed strategy too', async () => {
    const other = await coveredCall();
    const otherLeg = ok(
      await h.gql(`query($id: ID!) { strategy(id: $id) { legs { id } } }`, { id: other.strategyId }, u.token),
    ).strategy.legs[0].id;
    expect(err(await h.gql(PREVIEW, { l: [legs[0], otherLeg] }, u.token))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'legIds',
    });
    ok(await h.gql(`mutation($id: ID!) { closeStrategy(id: $id) { id } }`, { id: other.strategyId }, u.token));
    expect(err(await h.gql(PREVIEW, { l: [otherLeg] }, u.token))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'legIds',
    });
  });

  it("another user's legs are NOT_FOUND, like unknown ones; another user's strategy or portfolio is null", async () => {
    const stranger = await registerUser(h);
    expect(err(await h.gql(PREVIEW, { l: [legs[0]] }, stranger.token))).toMatchObject({
      code: 'NOT_FOUND',
      field: 'legIds',
    });
    expect(err(await h.gql(PREVIEW, { l: [randomUuid()] }, u.token))).toMatchObject({
      code: 'NOT_FOUND',
      field: 'legIds',
    });
    expect(err(await h.gql(PREVIEW, { l: ['not-an-id'] }, u.token))).toMatchObject({
      code: 'NOT_FOUND',
      field: 'legIds',
    });
    expect(ok(await h.gql(SCENARIO, { id: strategyId, i: {} }, stranger.token)).strategy).toBeNull();
    expect(ok(await h.gql(STRESS, { id: portfolioId }, stranger.token)).portfolio).toBeNull();
    expect(err(await h.gql(PREVIEW, { l: [legs[0]] }))).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
