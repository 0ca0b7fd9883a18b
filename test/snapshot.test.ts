import { randomBytes } from 'node:crypto';
import Decimal from 'decimal.js';
import fc from 'fast-check';
import type { AuthUser } from '../src/context';
import { sumTotals, sumValuations, valueLeg } from '../src/domain/valuation';
import { createLoaders } from '../src/loaders';
import { legRows, type LegView } from '../src/modules/leg/leg.rows';
import { marketEnv } from '../src/modules/market-data/price-snapshot';
import { StrategyEntity } from '../src/modules/strategy/strategy.entity';
import {
  createPortfolio,
  createPosition,
  ok,
  registerUser,
  startHarness,
  until,
  type Harness,
} from './helpers/harness';

/**
 * One snapshot per read (API.md "Money and risk conventions"): within one answer the legs, their strategies' metrics
 * and the portfolio totals are valued at the same prices and add up exactly, while prices stream at full speed
 * through the same path as publishPrices and the simulated feed (MarketDataService.publish) and the worker recomputes.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const FEED: AuthUser = { id: 'feed', username: 'feed', isAdmin: true };
const FIGURES = 'marketValue costBasis unrealizedPnl netDelta netGamma netTheta netVega';
const READ = `query($p: ID!, $s: ID!) {
  portfolio(id: $p) {
    totals { strategyCount legCount ${FIGURES} }
    strategies(first: 500) { edges { node { id
      legs { id symbol priceSource lastPrice marketValue costBasis unrealizedPnl greeks { delta gamma theta vega } }
      metrics { ${FIGURES} stale }
    } } }
    groupedStrategies(by: STRATEGY_TYPE) { key strategies { id } totals { legCount ${FIGURES} } }
  }
  strategy(id: $s) { id legs { id marketValue greeks { delta } } metrics { ${FIGURES} } }
}`;

type Figures = Record<'marketValue' | 'costBasis' | 'unrealizedPnl', string> &
  Record<'netDelta' | 'netGamma' | 'netTheta' | 'netVega', number>;
interface LegOut {
  id: string;
  symbol: string;
  priceSource: string;
  lastPrice: string | null;
  marketValue: string;
  costBasis: string;
  unrealizedPnl: string;
  greeks: { delta: number; gamma: number; theta: number; vega: number } | null;
}
interface Node {
  id: string;
  legs: LegOut[];
  metrics: (Figures & { stale: boolean }) | null;
}

const MONEY = ['marketValue', 'costBasis', 'unrealizedPnl'] as const;
const GREEKS = [
  ['netDelta', 'delta'],
  ['netGamma', 'gamma'],
  ['netTheta', 'theta'],
  ['netVega', 'vega'],
] as const;

/** Figures summed in order, exactly as the API sums them: decimals exactly, greeks as floats from 0 (none counts 0). */
function sumLegs(legs: LegOut[]): Figures {
  const out: any = {};
  for (const k of MONEY) out[k] = legs.reduce((a, l) => a.plus(l[k]), new Decimal(0)).toString();
  for (const [net, g] of GREEKS) out[net] = legs.reduce((a, l) => a + (l.greeks?.[g] ?? 0), 0);
  return out;
}
function sumFigures(parts: Figures[]): Figures {
  const out: any = {};
  for (const k of MONEY) out[k] = parts.reduce((a, p) => a.plus(p[k]), new Decimal(0)).toString();
  for (const [net] of GREEKS) out[net] = parts.reduce((a, p) => a + p[net], 0);
  return out;
}
/** The differences between two sets of figures (decimals compared by value, floats exactly); empty when they agree. */
function differences(what: string, expected: Figures, got: Figures): string[] {
  const d: string[] = [];
  const say = (k: keyof Figures) => `${what}.${k}: ${got[k]}, its parts add up to ${expected[k]}`;
  for (const k of MONEY) if (!new Decimal(expected[k]).eq(got[k])) d.push(say(k));
  for (const [net] of GREEKS) if (expected[net] !== got[net]) d.push(say(net));
  return d;
}

/** Every invariant of one answer; returns what does not hold (empty when all do). */
function check(data: any, probeId: string): string[] {
  const p = data.portfolio;
  const nodes: Node[] = p.strategies.edges.map((e: any) => e.node);
  const problems: string[] = [];
  for (const n of nodes) {
    for (const l of n.legs) {
      if (l.marketValue == null || l.priceSource == null) problems.push(`leg ${l.id} has no valuation`);
    }
    if (n.metrics) problems.push(...differences(`strategy ${n.id} metrics`, sumLegs(n.legs), n.metrics));
  }
  // Every strategy here has metrics (computed before the stream started, or summed from its legs when a leg joined).
  const figuresOf = (n: Node) => n.metrics ?? sumLegs(n.legs);
  problems.push(...differences('portfolio totals', sumFigures(nodes.map(figuresOf)), p.totals));
  const legCount = nodes.reduce((a, n) => a + n.legs.length, 0);
  if (p.totals.legCount !== legCount) problems.push('totals.legCount is not the number of legs');
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const g of p.groupedStrategies) {
    const members = g.strategies.map((s: { id: string }) => byId.get(s.id)!);
    problems.push(...differences(`group ${g.key} totals`, sumFigures(members.map(figuresOf)), g.totals));
  }
  // The same strategy read on its own in the same answer: the same legs, the same figures.
  const probe = byId.get(probeId)!;
  const own = JSON.stringify(data.strategy.metrics);
  const page = JSON.stringify(Object.fromEntries(FIGURES.split(' ').map((k) => [k, (probe.metrics as any)[k]])));
  if (own !== page) problems.push(`strategy(id) metrics ${own} differ from the page's ${page}`);
  const probeLegs = JSON.stringify(
    probe.legs.map((l) => ({
      id: l.id,
      marketValue: l.marketValue,
      greeks: l.greeks && { delta: l.greeks.delta },
    })),
  );
  if (JSON.stringify(data.strategy.legs) !== probeLegs) problems.push("strategy(id) legs differ from the page's");
  return problems;
}

describe('one snapshot per read', () => {
  it("legs add up to their strategy's metrics, strategies to the totals, on every read as prices stream", async () => {
    const u = await registerUser(h);
    const p = await createPortfolio(h, u.token);
    const tag = randomBytes(2)
      .toString('hex')
      .toUpperCase()
      .replace(/[0-9]/g, (c) => 'GHIJKLMNOP'[Number(c)]);
    const [A, B] = [`QA${tag}`, `QB${tag}`];
    const occ = (root: string, type: 'C' | 'P', strike: number) =>
      `${root}271217${type}${String(strike * 1000).padStart(8, '0')}`;
    const position = (input: Record<string, unknown>) => createPosition(h, u.token, { portfolioId: p, ...input });
    // An iron condor on A (model-priced options), a covered call on A, a stock on B, an option on B with a market
    // price of its own, and a private holding (no market data, no greeks).
    const condor = await position({ symbol: occ(A, 'P', 90), quantity: 1, entryPrice: '1.1' });
    await position({ symbol: occ(A, 'P', 95), quantity: -1, entryPrice: '2.2', strategyId: condor.strategyId });
    await position({ symbol: occ(A, 'C', 110), quantity: -1, entryPrice: '2.05', strategyId: condor.strategyId });
    await position({ symbol: occ(A, 'C', 115), quantity: 1, entryPrice: '0.95', strategyId: condor.strategyId });
    const covered = await position({ symbol: A, quantity: 100, entryPrice: '99.5' });
    await position({ symbol: occ(A, 'C', 105), quantity: -1, entryPrice: '3.3', strategyId: covered.strategyId });
    const stockB = await position({ symbol: B, quantity: 37, entryPrice: '41.13' });
    await position({ symbol: occ(B, 'P', 40), quantity: 3, entryPrice: '1.75' });
    await position({ symbol: `FUND_${tag}`, quantity: 2, entryPrice: '1000' });
    const nodesOf = (data: any): Node[] => data.portfolio.strategies.edges.map((e: any) => e.node);

    let [a, b, put] = [100, 41, 1.8];
    const publish = () =>
      h.app.marketData.publish(FEED, [
        { symbol: A, price: new Decimal(a.toFixed(2)) },
        { symbol: B, price: new Decimal(b.toFixed(2)) },
        { symbol: occ(B, 'P', 40), price: new Decimal(put.toFixed(2)) },
      ]);
    await publish();
    // Every strategy has metrics and nothing is pending before the stream starts.
    await until(
      async () => {
        const nodes = nodesOf(ok(await h.gql(READ, { p, s: condor.strategyId }, u.token)));
        return nodes.length === 5 && nodes.every((n) => n.metrics && !n.metrics.stale);
      },
      60000,
      'the first metrics',
    );

    // The feed at full speed: a random walk published as fast as it is accepted, while pages are read.
    let streaming = true;
    let ticks = 0;
    const feed = (async () => {
      let seed = 7;
      const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647 - 0.5;
      while (streaming) {
        a *= 1 + rnd() / 50;
        b *= 1 + rnd() / 50;
        put = Math.max(0.05, put * (1 + rnd() / 10));
        await publish();
        ticks++;
      }
    })();
    const seenValues = new Set<string>();
    let staleReads = 0;
    let reads = 0;
    const failures: string[] = [];
    const readAndCheck = async () => {
      const data = ok(await h.gql(READ, { p, s: condor.strategyId }, u.token));
      reads++;
      const problems = check(data, condor.strategyId);
      if (problems.length) failures.push(`read ${reads}:\n  ${problems.join('\n  ')}`);
      seenValues.add(data.portfolio.totals.marketValue);
      if (nodesOf(data).some((n) => n.metrics?.stale)) staleReads++;
      return data;
    };
    try {
      const end = Date.now() + 4000;
      while (Date.now() < end) await readAndCheck();
      // A leg created a moment ago shows a valuation at once and counts in its strategy's figures.
      const added = await position({ symbol: B, quantity: 5, entryPrice: '40', strategyId: stockB.strategyId });
      const node = nodesOf(await readAndCheck()).find((n) => n.id === stockB.strategyId)!;
      const leg = node.legs.find((l) => l.id === added.legId)!;
      expect(leg).toMatchObject({ priceSource: 'MARKET' });
      expect(new Decimal(leg.marketValue).eq(new Decimal(leg.lastPrice!).mul(5))).toBe(true);
      const more = Date.now() + 2000;
      while (Date.now() < more) await readAndCheck();
    } finally {
      streaming = false;
      await feed;
    }
    expect(failures.slice(0, 3)).toEqual([]);
    // The reads really did meet moving prices and pending computations.
    expect(ticks).toBeGreaterThan(10);
    expect(reads).toBeGreaterThan(10);
    expect(seenValues.size).toBeGreaterThan(3);
    expect(staleReads).toBeGreaterThan(0);

    // Once the worker has caught up, nothing is pending and the figures still add up.
    const settled = await until(
      async () => {
        const d = ok(await h.gql(READ, { p, s: condor.strategyId }, u.token));
        return nodesOf(d).every((n) => !n.metrics!.stale) && d;
      },
      60000,
      'the worker to catch up',
    );
    expect(check(settled, condor.strategyId)).toEqual([]);
  }, 120000);
});

describe('a snapshot read', () => {
  /** Decimals as their exact values, floats as they are: what "equal" means for the figures below. */
  const plain = (v: unknown): unknown => {
    if (Decimal.isDecimal(v)) return (v as Decimal).toString();
    if (Array.isArray(v)) return v.map(plain);
    return v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v;
  };
  const valuationOf = (l: LegView) =>
    plain({
      price: l.price,
      priceSource: l.priceSource,
      marketValue: l.marketValue,
      costBasis: l.costBasis,
      unrealizedPnl: l.unrealizedPnl,
      greeks: l.greeks,
    });

  const cents = (min: number, max: number) => fc.integer({ min, max }).map((n) => new Decimal(n).div(100).toString());
  const leg = fc.record({
    kind: fc.constantFrom('stock', 'option', 'option', 'private'),
    root: fc.constantFrom(0, 1),
    call: fc.boolean(),
    long: fc.boolean(),
    strike: fc.integer({ min: 60, max: 140 }),
    expiry: fc.constantFrom('2025-06-20', '2027-01-15', '2028-06-16'),
    quantity: cents(1, 50000),
    entry: cents(0, 20000),
    iv: fc.option(fc.integer({ min: 5, max: 150 }).map((n) => n / 100)),
  });
  const price = fc.option(cents(1, 30000), { freq: 5 });
  const step = fc.record({ prices: fc.tuple(price, price), optionPrices: fc.boolean(), touch: fc.option(fc.nat()) });
  type Step = { prices: [string | null, string | null]; optionPrices: boolean; touch: number | null };

  it('equals the same read from scratch at the same prices (warm caches, prices moving meanwhile)', async () => {
    const u = await registerUser(h);
    const portfolioId = await createPortfolio(h, u.token);
    let run = 0;
    const books = fc.array(fc.array(leg, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 });
    const q = (sql: string, params: unknown[]) => h.app.ds.query(sql, params);
    await fc.assert(
      fc.asyncProperty(books, fc.array(step, { minLength: 1, maxLength: 4 }), async (book, steps) => {
        const roots = [0, 1].map((i) => `PX${(++run).toString(36).toUpperCase()}${'AB'[i]}`);
        const strategyIds: string[] = [];
        for (const [si, legs] of book.entries()) {
          const [{ id }] = await q(
            `INSERT INTO strategies (portfolio_id, name, type, status, stale, row_version)
            VALUES ($1, $2, 'CUSTOM', 'ACTIVE', false, 1) RETURNING id`,
            [portfolioId, `P${run}S${si}`],
          );
          strategyIds.push(id);
          for (const [k, l] of legs.entries()) {
            const root = roots[l.root];
            const option = l.kind === 'option';
            const priv = l.kind === 'private';
            const symbol = option ? `${root}${l.expiry}${l.call ? 'C' : 'P'}${l.strike}` : priv ? `${root}_FUND` : root;
            const positionType = option ? `${l.long ? 'L' : 'S'}${l.call ? 'C' : 'P'}` : l.long ? 'LONG' : 'SHORT';
            await q(
              `INSERT INTO legs (strategy_id, portfolio_id, symbol, position_type, quantity, multiplier,
              investment_class, underlying_symbol, option_type, strike_price, expiration_date, implied_volatility,
              entry_price, entry_date, leg_order)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, '2024-01-05', $14)`,
              [
                id,
                portfolioId,
                symbol,
                positionType,
                l.quantity,
                option ? 100 : 1,
                option ? 'OPTIONS' : priv ? 'PRIVATE' : 'PUBLIC',
                priv ? symbol : root,
                option ? (l.call ? 'CALL' : 'PUT') : null,
                option ? l.strike : null,
                option ? l.expiry : null,
                option ? l.iv : null,
                l.entry,
                k,
              ],
            );
          }
        }
        const legIds: string[] = (
          await q(`SELECT id FROM legs WHERE strategy_id = ANY($1) ORDER BY id`, [strategyIds])
        ).map((r: any) => r.id);
        const optionSymbols: string[] = (
          await q(
            `SELECT DISTINCT symbol FROM legs
          WHERE strategy_id = ANY($1) AND option_type IS NOT NULL`,
            [strategyIds],
          )
        ).map((r: any) => r.symbol);
        /** market_data as a step has it: each root's price or none, options with a price of their own or not. */
        const setPrices = async (s: Step, scale = 1) => {
          const prices = new Map<string, string>();
          s.prices.forEach((p, i) => {
            if (p != null) prices.set(roots[i], new Decimal(p).mul(scale).toString());
          });
          // Options with a price of their own: 0.25, 0.50, … (scaled like the rest).
          const own = (i: number) => new Decimal(i + 1).div(4).mul(scale).toString();
          if (s.optionPrices) optionSymbols.forEach((o, i) => prices.set(o, own(i)));
          await q(`DELETE FROM market_data WHERE symbol = ANY($1)`, [[...roots, ...optionSymbols]]);
          for (const [symbol, p] of prices) {
            await q(`INSERT INTO market_data (symbol, last_price, price_at) VALUES ($1, $2, now())`, [symbol, p]);
          }
          return prices;
        };
        // Earlier reads at other prices (and a leg changed between them) fill the process's valuation cache.
        for (const s of steps.slice(0, -1)) {
          await setPrices(s);
          await createLoaders(h.app).legsByStrategy.loadMany(strategyIds);
          const touched = s.touch == null ? null : legIds[s.touch % legIds.length];
          if (touched) await q(`UPDATE legs SET quantity = quantity + 1 WHERE id = $1`, [touched]);
        }
        const prices = await setPrices(steps[steps.length - 1]);
        const loaders = createLoaders(h.app);
        const byStrategy = (await loaders.legsByStrategy.loadMany(strategyIds)) as LegView[][];
        // Prices move in the middle of the request: what it reads afterwards (a leg on its own, the totals over
        // legs it loads again) is still valued at its snapshot.
        await setPrices(steps[steps.length - 1], 2);
        const single = (await loaders.leg.loadMany(legIds)) as LegView[];
        loaders.legsByStrategy.clearAll();
        loaders.sums.clearAll();
        const strategies = strategyIds.map((id) => Object.assign(new StrategyEntity(), { id }));
        // The totals object also carries its legs and portfolio id for the lifecycle's fields resolved on demand.
        const { legs: _legs, portfolioId: _portfolioId, ...totals } = await h.app.queries.totals(loaders, strategies);
        const sums = await loaders.sums.loadMany(strategyIds);

        // From scratch: the rows as stored, the prices as set, the request's instant, no cache.
        const env = marketEnv(
          h.app.cfg,
          [...prices].map(([k, v]) => [k, new Decimal(v)] as [string, Decimal]),
          loaders.now,
        );
        const rows = await q(`SELECT * FROM legs WHERE strategy_id = ANY($1) ORDER BY leg_order, created_at`, [
          strategyIds,
        ]);
        const scratch = new Map<string, ReturnType<typeof valueLeg>>(
          rows.map((r: any) => [r.id, valueLeg(legRows(h.app.ds).from(r), env)]),
        );
        const scratchSums = strategyIds.map((id) =>
          sumValuations(rows.filter((r: any) => r.strategy_id === id).map((r: any) => scratch.get(r.id)!)),
        );

        expect(byStrategy.flat().map(valuationOf)).toEqual(byStrategy.flat().map((l) => plain(scratch.get(l.id))));
        expect(single.map(valuationOf)).toEqual(single.map((l) => plain(scratch.get(l.id))));
        expect(plain(sums)).toEqual(plain(scratchSums));
        const scratchTotals = { strategyCount: strategyIds.length, legCount: legIds.length, ...sumTotals(scratchSums) };
        expect(plain(totals)).toEqual(plain(scratchTotals));
      }),
      { numRuns: 25 },
    );
  }, 120000);
});
