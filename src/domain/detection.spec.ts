import Decimal from 'decimal.js';
import { Detection, detectStrategies } from './detection';
import { STRATEGY_TEMPLATES } from './templates';
import { InvestmentClass, LegData, OptionType, PositionType as P, positionSign, StrategyType as T } from './types';

let seq = 0;
const base = (over: Partial<LegData>): LegData => ({
  id: `L${String(++seq).padStart(6, '0')}`,
  symbol: 'AAPL',
  underlyingSymbol: 'AAPL',
  positionType: P.LONG,
  quantity: new Decimal(1),
  multiplier: 1,
  investmentClass: InvestmentClass.PUBLIC,
  optionType: null,
  strikePrice: null,
  expirationDate: null,
  impliedVolatility: null,
  entryPrice: new Decimal(1),
  entryDate: '2024-01-02',
  ...over,
});
const stock = (qty: number, u = 'AAPL', over: Partial<LegData> = {}) =>
  base({
    symbol: u,
    underlyingSymbol: u,
    positionType: qty > 0 ? P.LONG : P.SHORT,
    quantity: new Decimal(Math.abs(qty)),
    ...over,
  });
const opt = (positionType: P, strike: number, expiry = '2024-01-19', qty = 1, u = 'AAPL') =>
  base({
    symbol: `${u}-${strike}`,
    underlyingSymbol: u,
    positionType,
    quantity: new Decimal(qty),
    multiplier: 100,
    investmentClass: InvestmentClass.OPTIONS,
    optionType: positionType === P.LC || positionType === P.SC ? OptionType.CALL : OptionType.PUT,
    strikePrice: new Decimal(strike),
    expirationDate: expiry,
  });
const ids = (...legs: LegData[]) => legs.map((l) => l.id);
const only = (legs: LegData[]) => detectStrategies(legs).map((d) => ({ type: d.type, legIds: [...d.legIds].sort() }));
const one = (type: T, ...legs: LegData[]) => [{ type, legIds: ids(...legs).sort() }];

describe('detectStrategies: two-leg patterns', () => {
  it('covered call needs exactly 100 shares per contract', () => {
    const s = stock(100),
      c = opt(P.SC, 150);
    expect(detectStrategies([s, c])).toEqual([
      { type: T.COVERED_CALL, legIds: ids(s, c), suggestedName: "Covered Call AAPL Jan19'24", confidence: 0.95 },
    ]);
    const s2 = stock(200),
      c2 = opt(P.SC, 150, '2024-01-19', 2);
    expect(only([s2, c2])).toEqual(one(T.COVERED_CALL, s2, c2));
    expect(only([stock(150), opt(P.SC, 150)])).toEqual([]);
    expect(only([stock(100), opt(P.SC, 150, '2024-01-19', 2)])).toEqual([]);
    expect(only([stock(-100), opt(P.SC, 150)])).toEqual([]);
    expect(only([stock(100, 'MSFT'), opt(P.SC, 150)])).toEqual([]);
  });

  it('protective put', () => {
    const s = stock(300),
      p = opt(P.LP, 140, '2024-01-19', 3);
    expect(only([s, p])).toEqual(one(T.PROTECTIVE_PUT, s, p));
    expect(only([stock(150), opt(P.LP, 140)])).toEqual([]);
  });

  it('vertical spread: same type and expiry, different strikes, equal size', () => {
    const l = opt(P.LC, 150),
      s = opt(P.SC, 160);
    expect(only([l, s])).toEqual(one(T.VERTICAL_SPREAD, l, s));
    const lp = opt(P.LP, 150),
      sp = opt(P.SP, 140);
    expect(only([lp, sp])).toEqual(one(T.VERTICAL_SPREAD, lp, sp));
    expect(only([opt(P.LC, 150, '2024-01-19', 1), opt(P.SC, 160, '2024-01-19', 2)])).toEqual([]);
    expect(only([opt(P.LC, 150), opt(P.SC, 150)])).toEqual([]);
    expect(only([opt(P.LC, 150), opt(P.SP, 160)])).toEqual([]);
  });

  it('straddle: same strike, expiry and direction', () => {
    const c = opt(P.LC, 150),
      p = opt(P.LP, 150);
    expect(only([c, p])).toEqual(one(T.STRADDLE, c, p));
    const sc = opt(P.SC, 150, '2024-01-19', 2),
      sp = opt(P.SP, 150, '2024-01-19', 2);
    expect(only([sc, sp])).toEqual(one(T.STRADDLE, sc, sp));
    expect(only([opt(P.LC, 150), opt(P.LP, 150, '2024-02-16')])).toEqual([]);
    expect(only([opt(P.LC, 150), opt(P.SP, 150)])).toEqual([]);
  });

  it('strangle: put strike below call strike', () => {
    const p = opt(P.SP, 140),
      c = opt(P.SC, 160);
    expect(only([p, c])).toEqual(one(T.STRANGLE, p, c));
    expect(only([opt(P.LP, 160), opt(P.LC, 140)])).toEqual([]);
    expect(only([opt(P.LP, 140, '2024-01-19', 1), opt(P.LC, 160, '2024-01-19', 3)])).toEqual([]);
  });

  it('calendar and diagonal spreads', () => {
    const l = opt(P.LC, 150, '2024-03-15'),
      s = opt(P.SC, 150, '2024-01-19');
    const [cal] = detectStrategies([l, s]);
    expect(cal).toMatchObject({
      type: T.CALENDAR_SPREAD,
      suggestedName: "Calendar Spread AAPL Jan19'24",
      confidence: 0.8,
    });
    const dl = opt(P.LP, 140, '2024-03-15'),
      ds = opt(P.SP, 150, '2024-01-19');
    expect(detectStrategies([dl, ds])).toEqual([
      { type: T.DIAGONAL_SPREAD, legIds: ids(dl, ds), suggestedName: "Diagonal Spread AAPL Jan19'24", confidence: 0.7 },
    ]);
    expect(only([opt(P.LC, 150, '2024-03-15'), opt(P.SC, 150, '2024-01-19', 2)])).toEqual([]);
    expect(only([opt(P.LC, 150, '2024-03-15'), opt(P.LC, 160, '2024-01-19')])).toEqual([]);
  });
});

describe('detectStrategies: larger patterns', () => {
  it('iron condor (the API example)', () => {
    const legs = [opt(P.SC, 450), opt(P.LC, 460), opt(P.SP, 420), opt(P.LP, 410)].map((l) => ({
      ...l,
      expirationDate: '2025-12-19',
    }));
    const [ic, ...rest] = detectStrategies(legs);
    expect(rest).toEqual([]);
    expect(ic).toEqual({
      type: T.IRON_CONDOR,
      legIds: ids(legs[3], legs[2], legs[0], legs[1]),
      suggestedName: "Iron Condor AAPL Dec19'25",
      confidence: 0.95,
    });
  });

  it('iron condor near misses fall back to smaller patterns', () => {
    const unequal = [opt(P.LP, 410), opt(P.SP, 420), opt(P.SC, 450, '2024-01-19', 2), opt(P.LC, 460)];
    expect(only(unequal).map((d) => d.type)).toEqual([T.VERTICAL_SPREAD]);
    const split = [opt(P.LP, 410), opt(P.SP, 420), opt(P.SC, 450, '2024-02-16'), opt(P.LC, 460, '2024-02-16')];
    expect(only(split).map((d) => d.type)).toEqual([T.VERTICAL_SPREAD, T.VERTICAL_SPREAD]);
  });

  it('iron butterfly is not split into a straddle and a strangle', () => {
    const legs = [opt(P.SC, 420), opt(P.SP, 420), opt(P.LC, 440), opt(P.LP, 400)];
    expect(only(legs)).toEqual(one(T.IRON_BUTTERFLY, ...legs));
  });

  it('collar: put strike below call strike, one expiry, 100 shares per contract', () => {
    const s = stock(200),
      p = opt(P.LP, 140, '2024-01-19', 2),
      c = opt(P.SC, 160, '2024-01-19', 2);
    expect(only([s, p, c])).toEqual(one(T.COLLAR, s, p, c));
    expect(
      only([stock(200), opt(P.LP, 160, '2024-01-19', 2), opt(P.SC, 140, '2024-01-19', 2)]).map((d) => d.type),
    ).not.toContain(T.COLLAR);
    expect(
      only([stock(200), opt(P.LP, 140, '2024-01-19', 2), opt(P.SC, 160, '2024-02-16', 2)]).map((d) => d.type),
    ).not.toContain(T.COLLAR);
    expect(only([stock(150), opt(P.LP, 140), opt(P.SC, 160)])).toEqual([]);
  });

  it('butterfly: 1-2-1 calls or puts with any wing widths', () => {
    const calls = [opt(P.LC, 100), opt(P.SC, 110, '2024-01-19', 2), opt(P.LC, 125)];
    expect(only(calls)).toEqual(one(T.BUTTERFLY, ...calls));
    const puts = [opt(P.LP, 100, '2024-01-19', 2), opt(P.SP, 110, '2024-01-19', 4), opt(P.LP, 120, '2024-01-19', 2)];
    expect(only(puts)).toEqual(one(T.BUTTERFLY, ...puts));
    const even = [opt(P.LC, 100), opt(P.SC, 110), opt(P.LC, 120)];
    expect(only(even).map((d) => d.type)).toEqual([T.VERTICAL_SPREAD]);
  });
});

describe('detectStrategies: grouping', () => {
  it('leaves unmatched legs out and uses each leg once', () => {
    const s = stock(100),
      c1 = opt(P.SC, 150),
      c2 = opt(P.SC, 155);
    expect(only([s, c1, c2])).toEqual(one(T.COVERED_CALL, s, c1));
  });

  it('ignores PRIVATE legs, never mixes underlyings and never detects pairs trades', () => {
    const fund = stock(100, 'AAPL', { investmentClass: InvestmentClass.PRIVATE });
    expect(only([fund, opt(P.SC, 150)])).toEqual([]);
    expect(only([stock(100, 'AAPL'), stock(-100, 'MSFT')])).toEqual([]);
    expect(only([opt(P.LC, 150, '2024-01-19', 1, 'AAPL'), opt(P.SC, 160, '2024-01-19', 1, 'MSFT')])).toEqual([]);
  });

  it('orders by underlying, then larger patterns first, independent of input order', () => {
    const legs = [
      opt(P.LC, 100, '2024-01-19', 1, 'SPY'),
      opt(P.SC, 110, '2024-01-19', 1, 'SPY'),
      stock(100, 'AAPL'),
      opt(P.SC, 150),
      opt(P.LP, 140, '2024-01-19', 2),
      opt(P.SP, 145, '2024-01-19', 2),
      opt(P.LP, 400, '2024-01-19', 1, 'SPY'),
      opt(P.SP, 410, '2024-01-19', 1, 'SPY'),
      opt(P.SC, 420, '2024-01-19', 1, 'SPY'),
      opt(P.LC, 430, '2024-01-19', 1, 'SPY'),
    ];
    const result = detectStrategies(legs);
    expect(result.map((d) => `${d.suggestedName.split(' ').slice(-2).join(' ')}:${d.type}`)).toEqual([
      "AAPL Jan19'24:COVERED_CALL",
      "AAPL Jan19'24:VERTICAL_SPREAD",
      "SPY Jan19'24:IRON_CONDOR",
      "SPY Jan19'24:VERTICAL_SPREAD",
    ]);
    expect(detectStrategies([...legs].reverse())).toEqual(result);
  });

  it('returns nothing for no legs', () => expect(detectStrategies([])).toEqual([]));
});

/** An independent check of each detected shape, given the leg order detection emits. */
function fits(d: Detection, legs: LegData[]): boolean {
  const q = (l: LegData) => l.quantity,
    k = (l: LegData) => l.strikePrice!,
    e = (l: LegData) => l.expirationDate;
  const is = (l: LegData, ...t: P[]) => t.includes(l.positionType);
  const covers = (s: LegData, o: LegData) => is(s, P.LONG) && q(s).eq(q(o).times(100));
  const sameType = (a: LegData, b: LegData) => a.optionType === b.optionType && a.optionType !== null;
  const opposite = (a: LegData, b: LegData) => positionSign(a.positionType) > 0 && positionSign(b.positionType) < 0;
  const [a, b, c, x] = legs;
  switch (d.type) {
    case T.IRON_CONDOR:
    case T.IRON_BUTTERFLY:
      return (
        is(a, P.LP) &&
        is(b, P.SP) &&
        is(c, P.SC) &&
        is(x, P.LC) &&
        legs.every((l) => e(l) === e(a) && q(l).eq(q(a))) &&
        k(a).lt(k(b)) &&
        (d.type === T.IRON_CONDOR ? k(b).lt(k(c)) : k(b).eq(k(c))) &&
        k(c).lt(k(x))
      );
    case T.COLLAR:
      return covers(a, b) && is(b, P.LP) && is(c, P.SC) && q(b).eq(q(c)) && e(b) === e(c) && k(b).lt(k(c));
    case T.BUTTERFLY:
      return (
        sameType(a, b) &&
        sameType(b, c) &&
        opposite(a, b) &&
        opposite(c, b) &&
        e(a) === e(b) &&
        e(b) === e(c) &&
        q(a).eq(q(c)) &&
        q(b).eq(q(a).times(2)) &&
        k(a).lt(k(b)) &&
        k(b).lt(k(c))
      );
    case T.COVERED_CALL:
      return covers(a, b) && is(b, P.SC);
    case T.PROTECTIVE_PUT:
      return covers(a, b) && is(b, P.LP);
    case T.STRADDLE:
    case T.STRANGLE:
      return (
        !sameType(a, b) &&
        a.optionType !== null &&
        b.optionType !== null &&
        q(a).eq(q(b)) &&
        e(a) === e(b) &&
        positionSign(a.positionType) === positionSign(b.positionType) &&
        (d.type === T.STRADDLE ? k(a).eq(k(b)) : a.optionType === OptionType.PUT && k(a).lt(k(b)))
      );
    case T.VERTICAL_SPREAD:
    case T.CALENDAR_SPREAD:
    case T.DIAGONAL_SPREAD: {
      const base = sameType(a, b) && opposite(a, b) && q(a).eq(q(b));
      const strikes = !k(a).eq(k(b)),
        expiries = e(a) !== e(b);
      return (
        base &&
        (d.type === T.VERTICAL_SPREAD
          ? strikes && !expiries
          : d.type === T.CALENDAR_SPREAD
            ? !strikes && expiries
            : strikes && expiries)
      );
    }
    default:
      return false;
  }
}

describe('detectStrategies on a large random portfolio', () => {
  it('keeps every invariant over 10,000 legs and 500 underlyings', () => {
    let s = 42;
    const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <V>(xs: V[]) => xs[Math.floor(rand() * xs.length)];
    const strikes = [85, 90, 95, 100, 105, 110, 115],
      expiries = ['2024-01-19', '2024-02-16'];
    const legs: LegData[] = [];
    while (legs.length < 10_000) {
      const u = `U${Math.floor(rand() * 500)}`,
        r = rand(),
        expiry = pick(expiries);
      if (r < 0.03) legs.push(stock(100, u, { investmentClass: InvestmentClass.PRIVATE }));
      else if (r < 0.2) legs.push(stock(pick([100, 200, 150, -100]), u));
      else if (r < 0.23) {
        // plant a condor-like shape so 4-leg patterns occur; neighbours may still claim its legs
        const ks = strikes.filter(() => rand() < 0.6).slice(0, 4);
        if (ks.length === 4) legs.push(...[P.LP, P.SP, P.SC, P.LC].map((t, i) => opt(t, ks[i], expiry, 1, u)));
      } else legs.push(opt(pick([P.LC, P.SC, P.LP, P.SP]), pick(strikes), expiry, pick([1, 1, 1, 2]), u));
    }
    const byId = new Map(legs.map((l) => [l.id, l]));
    const detections = detectStrategies(legs);
    expect(detections.length).toBeGreaterThan(1000);
    expect(new Set(detections.map((d) => d.type)).size).toBe(11); // every detectable pattern occurs

    const seen = new Set<string>();
    for (const d of detections) {
      const ls = d.legIds.map((id) => byId.get(id)!);
      expect(ls.every((l) => l && !seen.has(l.id) && l.investmentClass !== InvestmentClass.PRIVATE)).toBe(true);
      ls.forEach((l) => seen.add(l.id));
      expect(new Set(ls.map((l) => l.underlyingSymbol)).size).toBe(1);
      expect(ls.length).toBe(STRATEGY_TEMPLATES.find((t) => t.type === d.type)!.legCount);
      if (!fits(d, ls)) throw new Error(`${d.type} does not fit: ${JSON.stringify(ls)}`);
      expect(d.confidence).toBeGreaterThan(0);
      expect(d.confidence).toBeLessThanOrEqual(1);
    }
    // Sorted by underlying, then by pattern size, largest first.
    const order = detections.map((d) => `${byId.get(d.legIds[0])!.underlyingSymbol} ${9 - d.legIds.length}`);
    expect(order).toEqual([...order].sort());
    expect(detectStrategies([...legs].reverse())).toEqual(detections);
  });
});
