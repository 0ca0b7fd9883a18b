import { randomBytes } from 'node:crypto';
import Decimal from 'decimal.js';
import type { AuthUser } from '../src/context';
import { createPortfolio, createPosition, ok, registerUser, startHarness, until, type Harness } from './helpers/harness';

/**
 * One snapshot per read (API.md "Money and risk conventions"): within one answer the legs, their strategies' metrics
 * and the portfolio totals are valued at the same prices and add up exactly, while prices stream at full speed
 * through the same path as publishPrices and the simulated feed (MarketDataService.publish) and the worker recomputes.
 */
let h: Harness;
beforeAll(async () => { h = await startHarness(); });
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

type Figures = Record<'marketValue' | 'costBasis' | 'unrealizedPnl', string> & Record<'netDelta' | 'netGamma' | 'netTheta' | 'netVega', number>;
interface LegOut { id: string; symbol: string; priceSource: string; lastPrice: string | null; marketValue: string; costBasis: string; unrealizedPnl: string;
  greeks: { delta: number; gamma: number; theta: number; vega: number } | null }
interface Node { id: string; legs: LegOut[]; metrics: (Figures & { stale: boolean }) | null }

const MONEY = ['marketValue', 'costBasis', 'unrealizedPnl'] as const;
const GREEKS = [['netDelta', 'delta'], ['netGamma', 'gamma'], ['netTheta', 'theta'], ['netVega', 'vega']] as const;

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
  for (const k of MONEY) if (!new Decimal(expected[k]).eq(got[k])) d.push(`${what}.${k}: ${got[k]}, its parts add up to ${expected[k]}`);
  for (const [net] of GREEKS) if (expected[net] !== got[net]) d.push(`${what}.${net}: ${got[net]}, its parts add up to ${expected[net]}`);
  return d;
}

/** Every invariant of one answer; returns what does not hold (empty when all do). */
function check(data: any, probeId: string): string[] {
  const p = data.portfolio;
  const nodes: Node[] = p.strategies.edges.map((e: any) => e.node);
  const problems: string[] = [];
  for (const n of nodes) {
    for (const l of n.legs) if (l.marketValue == null || l.priceSource == null) problems.push(`leg ${l.id} has no valuation`);
    if (n.metrics) problems.push(...differences(`strategy ${n.id} metrics`, sumLegs(n.legs), n.metrics));
  }
  // Every strategy here has metrics (computed before the stream started, or summed from its legs when a leg joined).
  problems.push(...differences('portfolio totals', sumFigures(nodes.map((n) => n.metrics ?? sumLegs(n.legs))), p.totals));
  if (p.totals.legCount !== nodes.reduce((a, n) => a + n.legs.length, 0)) problems.push('totals.legCount is not the number of legs');
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const g of p.groupedStrategies) {
    const members = g.strategies.map((s: { id: string }) => byId.get(s.id)!);
    problems.push(...differences(`group ${g.key} totals`, sumFigures(members.map((n: Node) => n.metrics ?? sumLegs(n.legs))), g.totals));
  }
  // The same strategy read on its own in the same answer: the same legs, the same figures.
  const probe = byId.get(probeId)!;
  if (JSON.stringify(data.strategy.metrics) !== JSON.stringify(Object.fromEntries(FIGURES.split(' ').map((k) => [k, (probe.metrics as any)[k]])))) {
    problems.push(`strategy(id) metrics ${JSON.stringify(data.strategy.metrics)} differ from the page's ${JSON.stringify(probe.metrics)}`);
  }
  const probeLegs = probe.legs.map((l) => ({ id: l.id, marketValue: l.marketValue, greeks: l.greeks && { delta: l.greeks.delta } }));
  if (JSON.stringify(data.strategy.legs) !== JSON.stringify(probeLegs)) problems.push('strategy(id) legs differ from the page\'s');
  return problems;
}

describe('one snapshot per read', () => {
  it('legs add up to their strategy\'s metrics and strategies to the totals on every read while prices stream', async () => {
    const u = await registerUser(h);
    const p = await createPortfolio(h, u.token);
    const tag = randomBytes(2).toString('hex').toUpperCase().replace(/[0-9]/g, (c) => 'GHIJKLMNOP'[Number(c)]);
    const [A, B] = [`QA${tag}`, `QB${tag}`];
    const occ = (root: string, type: 'C' | 'P', strike: number) => `${root}271217${type}${String(strike * 1000).padStart(8, '0')}`;
    // An iron condor on A (model-priced options), a covered call on A, a stock on B, an option on B with a market
    // price of its own, and a private holding (no market data, no greeks).
    const condor = await createPosition(h, u.token, { portfolioId: p, symbol: occ(A, 'P', 90), quantity: 1, entryPrice: '1.1' });
    await createPosition(h, u.token, { portfolioId: p, symbol: occ(A, 'P', 95), quantity: -1, entryPrice: '2.2', strategyId: condor.strategyId });
    await createPosition(h, u.token, { portfolioId: p, symbol: occ(A, 'C', 110), quantity: -1, entryPrice: '2.05', strategyId: condor.strategyId });
    await createPosition(h, u.token, { portfolioId: p, symbol: occ(A, 'C', 115), quantity: 1, entryPrice: '0.95', strategyId: condor.strategyId });
    const covered = await createPosition(h, u.token, { portfolioId: p, symbol: A, quantity: 100, entryPrice: '99.5' });
    await createPosition(h, u.token, { portfolioId: p, symbol: occ(A, 'C', 105), quantity: -1, entryPrice: '3.3', strategyId: covered.strategyId });
    const stockB = await createPosition(h, u.token, { portfolioId: p, symbol: B, quantity: 37, entryPrice: '41.13' });
    await createPosition(h, u.token, { portfolioId: p, symbol: occ(B, 'P', 40), quantity: 3, entryPrice: '1.75' });
    await createPosition(h, u.token, { portfolioId: p, symbol: `FUND_${tag}`, quantity: 2, entryPrice: '1000' });

    let [a, b, put] = [100, 41, 1.8];
    const publish = () => h.app.marketData.publish(FEED, [
      { symbol: A, price: new Decimal(a.toFixed(2)) }, { symbol: B, price: new Decimal(b.toFixed(2)) },
      { symbol: occ(B, 'P', 40), price: new Decimal(put.toFixed(2)) },
    ]);
    await publish();
    // Every strategy has metrics and nothing is pending before the stream starts.
    await until(async () => {
      const nodes: Node[] = ok(await h.gql(READ, { p, s: condor.strategyId }, u.token)).portfolio.strategies.edges.map((e: any) => e.node);
      return nodes.length === 5 && nodes.every((n) => n.metrics && !n.metrics.stale);
    }, 20000, 'the first metrics');

    // The feed at full speed: a random walk published as fast as it is accepted, while pages are read.
    let streaming = true;
    let ticks = 0;
    const feed = (async () => {
      let seed = 7;
      const rnd = () => ((seed = (seed * 48271) % 2147483647) / 2147483647) - 0.5;
      while (streaming) {
        a *= 1 + rnd() / 50; b *= 1 + rnd() / 50; put = Math.max(0.05, put * (1 + rnd() / 10));
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
      if (data.portfolio.strategies.edges.some((e: any) => e.node.metrics?.stale)) staleReads++;
      return data;
    };
    try {
      const end = Date.now() + 4000;
      while (Date.now() < end) await readAndCheck();
      // A leg created a moment ago shows a valuation at once and counts in its strategy's figures.
      const added = await createPosition(h, u.token, { portfolioId: p, symbol: B, quantity: 5, entryPrice: '40', strategyId: stockB.strategyId });
      const data = await readAndCheck();
      const node: Node = data.portfolio.strategies.edges.map((e: any) => e.node).find((n: Node) => n.id === stockB.strategyId);
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
    const settled = await until(async () => {
      const d = ok(await h.gql(READ, { p, s: condor.strategyId }, u.token));
      return d.portfolio.strategies.edges.every((e: any) => !e.node.metrics.stale) && d;
    }, 20000, 'the worker to catch up');
    expect(check(settled, condor.strategyId)).toEqual([]);
  });
});
