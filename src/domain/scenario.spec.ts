import fc from 'fast-check';
import Decimal from 'decimal.js';
import { expiryInstant } from './black-scholes';
import { analyzePayoff } from './payoff';
import { expectedMove, expiryRisk, lognormalProbability, probabilityOfProfit } from './probability';
import {
  curvePnl,
  NO_CHANGE,
  runScenario,
  scenarioBook,
  scenarioLabel,
  smallestNegative,
  STANDARD_STRESS_SET,
  stressBook,
  stressGroupValue,
  valueScenario,
  valueStress,
  type ScenarioLeg,
} from './scenario';
import { InvestmentClass, type LegData, type MarketEnv, OptionType, PositionType } from './types';

const EXPIRY = '2027-01-15';
const YEAR_MS = 365 * 86_400_000;
/** The instant that leaves `years` (of 365 days) to EXPIRY. */
const yearsBefore = (years: number) => new Date(expiryInstant(EXPIRY).getTime() - years * YEAR_MS);

let n = 0;
function option(
  type: OptionType,
  pos: PositionType,
  strike: number,
  entry: number,
  iv: number | null = null,
  qty = 1,
): LegData {
  return {
    id: `o${n++}`,
    symbol: `XYZ${strike}${type[0]}`,
    positionType: pos,
    quantity: new Decimal(qty),
    multiplier: 100,
    investmentClass: InvestmentClass.OPTIONS,
    underlyingSymbol: 'XYZ',
    optionType: type,
    strikePrice: new Decimal(strike),
    expirationDate: EXPIRY,
    impliedVolatility: iv,
    entryPrice: new Decimal(entry),
    entryDate: '2026-01-05',
  };
}
function stock(qty: number, entry: number, symbol = 'XYZ', cls = InvestmentClass.PUBLIC): LegData {
  return {
    id: `s${n++}`,
    symbol,
    positionType: qty > 0 ? PositionType.LONG : PositionType.SHORT,
    quantity: new Decimal(Math.abs(qty)),
    multiplier: 1,
    investmentClass: cls,
    underlyingSymbol: symbol,
    optionType: null,
    strikePrice: null,
    expirationDate: null,
    impliedVolatility: null,
    entryPrice: new Decimal(entry),
    entryDate: '2026-01-05',
  };
}
function env(spot: number | null, now: Date, r = 0.1, prices: [string, number][] = []): MarketEnv {
  const all = new Map<string, Decimal>(prices.map(([s, p]) => [s, new Decimal(p)]));
  if (spot != null) all.set('XYZ', new Decimal(spot));
  return { now, riskFreeRate: r, defaultVolatility: 0.3, prices: all };
}
const { CALL, PUT } = OptionType;
const { LC, LP, SC, SP } = PositionType;

describe('scenario engine against Hull', () => {
  // Hull, Options, Futures and Other Derivatives, Example 15.6: S=42, K=40, r=10%, σ=20%, T=0.5 → c=4.76, p=0.81.
  it("values calls and puts at the Black-Scholes prices of Hull's example", () => {
    const book = scenarioBook([option(CALL, LC, 40, 0, 0.2), option(PUT, LP, 40, 0, 0.2)], env(42, yearsBefore(0.5)));
    expect(valueScenario(book, NO_CHANGE).marketValue.toNumber()).toBeCloseTo(475.94 + 80.86, 1);
    const call = scenarioBook([option(CALL, LC, 40, 0, 0.2)], env(42, yearsBefore(0.5)));
    expect(valueScenario(call, NO_CHANGE).marketValue.toNumber()).toBeCloseTo(475.94, 1);
  });

  it("reaches Hull's example by moving price, volatility and the clock", () => {
    // From S=40, σ=15 %, 0.5 years + 10 days: +5 % → 42, +5 vol → 20 %, 10 days on → T = 0.5.
    const at = new Date(yearsBefore(0.5).getTime() - 10 * 86_400_000);
    const book = scenarioBook([option(CALL, LC, 40, 0, 0.15), option(PUT, SP, 40, 0, 0.15)], env(40, at));
    const v = valueScenario(book, { priceChangePct: 5, volChangePts: 5, daysForward: 10 });
    expect(v.marketValue.toNumber()).toBeCloseTo(475.94 - 80.86, 1);
  });

  // Hull, Example 19.1 and Table 19.x: S=49, K=50, r=5%, σ=20%, T=20 weeks: delta 0.522, gamma 0.066,
  // vega 12.1 per 100 % (0.121 per point), theta −4.31 per year.
  it("gives Hull's greeks (per contract: ×100 shares)", () => {
    const book = scenarioBook([option(CALL, LC, 50, 0, 0.2)], env(49, yearsBefore(20 / 52), 0.05));
    const v = valueScenario(book, NO_CHANGE);
    expect(v.marketValue.toNumber() / 100).toBeCloseTo(2.4, 2);
    expect(v.netDelta / 100).toBeCloseTo(0.522, 3);
    expect(v.netGamma / 100).toBeCloseTo(0.066, 3);
    expect(v.netVega).toBeCloseTo(12.1, 1);
    expect((v.netTheta / 100) * 365).toBeCloseTo(-4.31, 2);
  });
});

describe('scenario engine', () => {
  const scenario = fc.record({
    priceChangePct: fc.double({ min: -99, max: 300, noNaN: true }),
    volChangePts: fc.double({ min: -100, max: 500, noNaN: true }),
    daysForward: fc.integer({ min: 0, max: 3650 }),
  });

  it('keeps put-call parity under every scenario (C − P = S − K·e^(−rT), and S − K once expired)', () => {
    const now = yearsBefore(0.75);
    const book = scenarioBook([option(CALL, LC, 100, 7, 0.25), option(PUT, SP, 100, 5, 0.25)], env(103, now, 0.04));
    fc.assert(
      fc.property(scenario, (s) => {
        const v = valueScenario(book, s);
        const S = 103 * (1 + s.priceChangePct / 100);
        const T = Math.max(0, (expiryInstant(EXPIRY).getTime() - now.getTime() - s.daysForward * 86_400_000) / YEAR_MS);
        // Two per-share values rounded to 4 decimals each.
        expect(Math.abs(v.marketValue.toNumber() / 100 - (S - 100 * Math.exp(-0.04 * T)))).toBeLessThan(2e-4);
        // The floating-point value a stress test ranks by agrees with the exact one.
        expect(v.approxValue).toBeCloseTo(v.marketValue.toNumber(), 6);
        // Delta of C − P is one share per share.
        expect(T > 0 ? v.netDelta : 100).toBeCloseTo(100, 6);
      }),
    );
  });

  it('is worth intrinsic value once the options have expired, with no gamma, theta or vega', () => {
    const book = scenarioBook(
      [option(CALL, LC, 100, 7), option(PUT, LP, 90, 2), option(CALL, SC, 120, 1)],
      env(100, yearsBefore(0.1)),
    );
    const after = (pct: number) => valueScenario(book, { priceChangePct: pct, volChangePts: 20, daysForward: 60 });
    expect(after(10).marketValue.toString()).toBe('1000'); // 110: call 100 in the money by 10
    expect(after(-20).marketValue.toString()).toBe('1000'); // 80: put 90 in the money by 10
    expect(after(30).marketValue.toString()).toBe('2000'); // 130: 30 − 10
    expect(after(10)).toMatchObject({ netDelta: 100, netGamma: 0, netTheta: 0, netVega: 0 });
  });

  it('moves stocks linearly, leaves PRIVATE legs alone, and has pnl 0 under no change', () => {
    const legs: ScenarioLeg[] = [
      stock(100, 50, 'ABC'),
      stock(-10, 20, 'DEF'),
      { ...stock(3, 1000, 'HOUSE_FUND', InvestmentClass.PRIVATE), marketValue: new Decimal(3300) },
      stock(5, 40, 'NOPRICE'),
    ];
    const book = scenarioBook(
      legs,
      env(null, new Date('2026-06-01T00:00:00Z'), 0.04, [
        ['ABC', 60],
        ['DEF', 25],
      ]),
    );
    const base = valueScenario(book, NO_CHANGE);
    // 100 × 60 − 10 × 25 + 3300 + 5 × 40 (no price: entry)
    expect(base.marketValue.toString()).toBe('9250');
    expect(base.netDelta).toBe(95);
    const down = runScenario(book, { priceChangePct: -10, volChangePts: 0, daysForward: 30 });
    expect(down.marketValue.toString()).toBe('8655');
    expect(down.pnl.toString()).toBe('-595');
    expect(runScenario(book, NO_CHANGE).pnl.toString()).toBe('0');
    expect(book.costBasis.toString()).toBe(String(100 * 50 - 10 * 20 + 3000 + 200));
  });

  it('moves a pairs trade whose shares cancel out (long 100 at 60, short 100 at 25)', () => {
    const book = scenarioBook(
      [stock(100, 50, 'ABC'), stock(-100, 20, 'DEF')],
      env(null, new Date(), 0.04, [
        ['ABC', 60],
        ['DEF', 25],
      ]),
    );
    expect(runScenario(book, { priceChangePct: 10, volChangePts: 0, daysForward: 0 })).toMatchObject({ netDelta: 0 });
    expect(runScenario(book, { priceChangePct: 10, volChangePts: 0, daysForward: 0 }).pnl.toString()).toBe('350');
  });

  it('values fractional contracts exactly (a scale that is no whole number)', () => {
    const book = scenarioBook([option(CALL, LC, 100, 7, 0.3, 0.333)], env(100, yearsBefore(0.1)));
    const v = valueScenario(book, { priceChangePct: 10, volChangePts: 0, daysForward: 60 });
    expect(v.marketValue.toString()).toBe('333');
    expect(v.approxValue).toBeCloseTo(333, 9);
    expect(v.netDelta).toBeCloseTo(33.3, 12);
  });

  it('floors volatility at 1 point', () => {
    const book = scenarioBook([option(CALL, LC, 100, 0, 0.2)], env(100, yearsBefore(0.5), 0));
    const floor = valueScenario(book, { priceChangePct: 0, volChangePts: -100, daysForward: 0 });
    const onePoint = scenarioBook([option(CALL, LC, 100, 0, 0.01)], env(100, yearsBefore(0.5), 0));
    expect(floor.marketValue.toString()).toBe(valueScenario(onePoint, NO_CHANGE).marketValue.toString());
    expect(floor.marketValue.gt(0)).toBe(true);
  });

  it('keeps an option whose underlying has no price at its current value, unless a price is given', () => {
    const legs = [{ ...option(CALL, LC, 100, 3), marketValue: new Decimal(300) }];
    const book = scenarioBook(legs, env(null, yearsBefore(0.5), 0.04));
    const v = valueScenario(book, { priceChangePct: -50, volChangePts: 0, daysForward: 0 });
    expect(v).toMatchObject({ netDelta: 0 });
    expect(v.marketValue.toString()).toBe('300');
    expect(
      valueScenario(
        book,
        { priceChangePct: 0, volChangePts: 0, daysForward: 400 },
        new Decimal(130),
      ).marketValue.toString(),
    ).toBe('3000');
  });

  it("values a stress book's whole exactly as one book of all its legs, and each group as its own book", () => {
    const now = yearsBefore(0.4);
    const prices: [string, number][] = [
      ['ABC', 60],
      ['DEF', 25.5],
    ];
    const leg = fc.oneof(
      fc.record({
        type: fc.constantFrom(CALL, PUT),
        pos: fc.constantFrom(LC, LP, SC, SP),
        strike: fc.constantFrom(80, 95, 100, 100.5, 120),
        iv: fc.constantFrom(null, 0.2, 0.25, 0.6),
        qty: fc.constantFrom(1, 2, 3, 10, 0.5, 0.333),
        priced: fc.constantFrom(true, true, true, false),
      }),
      fc.record({
        qty: fc.constantFrom(100, -50, 7, 0.25),
        symbol: fc.constantFrom('XYZ', 'ABC', 'DEF', 'NOPRICE'),
        priv: fc.boolean(),
      }),
    );
    type LegSpec = typeof leg extends fc.Arbitrary<infer T> ? T : never;
    const toLeg = (x: LegSpec, freeze: boolean): ScenarioLeg => {
      const l: ScenarioLeg =
        'type' in x
          ? {
              ...option(x.type, x.pos, x.strike, 2, x.iv, x.qty),
              underlyingSymbol: x.priced ? 'XYZ' : 'NOPRICE',
              ...(x.priced ? {} : { marketValue: new Decimal(123.45) }),
            }
          : x.priv
            ? { ...stock(x.qty, 10, 'FUND', InvestmentClass.PRIVATE), marketValue: new Decimal(x.qty * 11) }
            : stock(x.qty, 30, x.symbol);
      return freeze ? Object.freeze(l) : l;
    };
    let exacts = 0;
    fc.assert(
      fc.property(
        fc.array(fc.array(leg, { maxLength: 5 }), { minLength: 1, maxLength: 6 }),
        scenario,
        fc.boolean(),
        (specs, s, freeze) => {
          const groups = specs.map((g) => g.map((x) => toLeg(x, freeze)));
          const e = env(103, now, 0.04, prices);
          const book = stressBook(groups, e);
          for (let round = 0; round < 2; round++) {
            const { whole, groups: values } = valueStress(book, s);
            const one = valueScenario(scenarioBook(groups.flat(), e), s);
            expect(whole.marketValue.toString()).toBe(one.marketValue.toString());
            for (const k of ['approxValue', 'netDelta', 'netGamma', 'netTheta', 'netVega'] as const) {
              expect(whole[k]).toBe(one[k]);
            }
            const run = valueStress(book, s);
            groups.forEach((g, i) => {
              const own = valueScenario(scenarioBook(g, e), s);
              expect(Math.abs(values[i] - own.approxValue)).toBeLessThan(1e-6 * Math.max(1, Math.abs(own.approxValue)));
              const exact = stressGroupValue(book, i, s, run);
              if (exact) exacts++;
              expect((exact ?? own.marketValue).toString()).toBe(own.marketValue.toString());
            });
          }
        },
      ),
    );
    // Most groups are counted exactly by the pass itself.
    expect(exacts).toBeGreaterThan(100);
  });

  it("counts the T+0 curve's P&L to the cent exactly as valueScenario's decimals do", () => {
    const now = yearsBefore(0.3);
    const leg = fc.oneof(
      fc.record({
        type: fc.constantFrom(CALL, PUT),
        pos: fc.constantFrom(LC, LP, SC, SP),
        strike: fc.constantFrom(80, 95, 100, 100.5, 120.125),
        entry: fc.constantFrom(0, 1.25, 2.3333, 7.123456),
        qty: fc.constantFrom(1, 2, 10, 0.5, 0.333),
        priced: fc.boolean(),
      }),
      fc.record({
        qty: fc.constantFrom(100, -50, 7, 0.25, 1e9),
        entry: fc.constantFrom(30, 12.345, 0.00001),
        priv: fc.constantFrom(false, false, true),
      }),
    );
    const price = fc.oneof(
      fc.integer({ min: 0, max: 100_000 }).map((c) => new Decimal(c).div(100)),
      fc.double({ min: 0, max: 1e6, noNaN: true }).map((x) => new Decimal(x)),
      fc.constantFrom(new Decimal('0.005'), new Decimal('99.995'), new Decimal('1e14'), new Decimal(0)),
    );
    fc.assert(
      fc.property(
        fc.array(leg, { minLength: 1, maxLength: 5 }),
        scenario,
        fc.array(price, { maxLength: 8 }),
        (specs, s, xs) => {
          const legs: ScenarioLeg[] = specs.map((x) =>
            'type' in x
              ? {
                  ...option(x.type, x.pos, x.strike, x.entry, 0.3, x.qty),
                  ...(x.priced ? {} : { underlyingSymbol: 'NOPRICE', marketValue: new Decimal(5) }),
                }
              : x.priv
                ? {
                    ...stock(x.qty, x.entry, 'FUND', InvestmentClass.PRIVATE),
                    marketValue: new Decimal(x.qty).mul(1.23456),
                  }
                : stock(x.qty, x.entry),
          );
          const book = scenarioBook(legs, env(100, now, 0.04));
          const got = curvePnl(book, { ...s, priceChangePct: 0 }, xs);
          xs.forEach((x, i) => {
            const want = valueScenario(book, { ...s, priceChangePct: 0 }, x)
              .marketValue.minus(book.costBasis)
              .toDecimalPlaces(2);
            expect([got[i].toString(), got[i].isNegative()]).toEqual([want.toString(), want.isNegative()]);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('picks the smallest negative values as a stable sort of them would, cut to k', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5, max: 3 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 12 }),
        (xs, k) => {
          const sorted = xs
            .map((v, i) => ({ v, i }))
            .filter((x) => x.v < 0)
            .sort((a, b) => a.v - b.v)
            .slice(0, k)
            .map((x) => x.i);
          expect(smallestNegative(Float64Array.from(xs), k)).toEqual(sorted);
        },
      ),
    );
  });

  it("labels scenarios and lists the standard stress set in API.md's order", () => {
    expect(scenarioLabel({ priceChangePct: -10, volChangePts: 5, daysForward: 7 })).toBe('-10% / +5 vol / +7d');
    expect(STANDARD_STRESS_SET.map((s) => [s.priceChangePct, s.volChangePts, s.daysForward])).toEqual([
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
  });
});

/** P(pnl(S_T) > 0) by integrating the lognormal density numerically (Simpson's rule over ln S). */
function integratedPop(pnl: (s: number) => number, spot: number, T: number, r: number, sigma: number): number {
  const sd = sigma * Math.sqrt(T);
  const mean = Math.log(spot) + (r - 0.5 * sigma * sigma) * T;
  const steps = 400_000;
  const lo = mean - 12 * sd,
    h = (24 * sd) / steps;
  let sum = 0;
  for (let i = 0; i <= steps; i++) {
    const x = lo + i * h;
    const f = pnl(Math.exp(x)) > 0 ? Math.exp(-0.5 * ((x - mean) / sd) ** 2) / (sd * Math.sqrt(2 * Math.PI)) : 0;
    sum += f * (i === 0 || i === steps ? 1 : i % 2 ? 4 : 2);
  }
  return (sum * h) / 3;
}

/** P&L at expiry of single-expiry option legs, in floats, written independently of payoff.ts. */
const expiryPnl = (legs: LegData[]) => (s: number) =>
  legs.reduce((a, l) => {
    const k = l.strikePrice!.toNumber();
    const sign = l.positionType === LC || l.positionType === LP ? 1 : -1;
    const intrinsic = l.optionType === CALL ? Math.max(s - k, 0) : Math.max(k - s, 0);
    return a + sign * 100 * l.quantity.toNumber() * (intrinsic - l.entryPrice.toNumber());
  }, 0);

describe('probability of profit and expected move', () => {
  const now = yearsBefore(0.25);
  const popOf = (legs: LegData[], spot: number) => {
    const e = env(spot, now, 0.04);
    const payoff = analyzePayoff(legs, e)!;
    const risk = expiryRisk(legs, e)!;
    return {
      exact: probabilityOfProfit(payoff, risk.spot, risk.T, 0.04, risk.sigma),
      numeric: () => integratedPop(expiryPnl(legs), risk.spot, risk.T, 0.04, risk.sigma),
    };
  };

  it.each([
    ['long call', [option(CALL, LC, 100, 5, 0.3)], 100],
    ['short put', [option(PUT, SP, 95, 3, 0.25)], 100],
    [
      'iron condor',
      [
        option(CALL, SC, 450, 6, 0.2),
        option(CALL, LC, 460, 3, 0.2),
        option(PUT, SP, 420, 5, 0.2),
        option(PUT, LP, 410, 5, 0.2),
      ],
      435,
    ],
    ['long straddle', [option(CALL, LC, 100, 4, 0.35), option(PUT, LP, 100, 4, 0.35)], 100],
    ['short straddle, mixed volatilities', [option(CALL, SC, 100, 4, 0.3), option(PUT, SP, 100, 4, 0.4)], 102],
  ] as [string, LegData[], number][])(
    '%s: exact over the break-even intervals = numerical integration',
    (_name, legs, spot) => {
      const { exact, numeric } = popOf(legs, spot);
      expect(exact).toBeGreaterThan(0.01);
      expect(exact).toBeLessThan(0.99);
      expect(Math.abs(exact - numeric())).toBeLessThan(1e-4);
    },
  );

  it('long call: P(S_T > K + premium) in closed form', () => {
    const { exact } = popOf([option(CALL, LC, 100, 5, 0.3)], 100);
    const sd = 0.3 * Math.sqrt(0.25);
    const d = (Math.log(100 / 105) + (0.04 - 0.045) * 0.25) / sd;
    const N = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
    expect(exact).toBeCloseTo(N(d), 6);
  });

  it('iron condor and its complement add up to one (short vs long)', () => {
    const legs = [
      option(CALL, SC, 450, 6, 0.2),
      option(CALL, LC, 460, 3, 0.2),
      option(PUT, SP, 420, 5, 0.2),
      option(PUT, LP, 410, 5, 0.2),
    ];
    const flip = (l: LegData): LegData => ({
      ...l,
      positionType: ({ LC: SC, SC: LC, LP: SP, SP: LP } as Record<string, PositionType>)[l.positionType],
    });
    expect(popOf(legs, 435).exact + popOf(legs.map(flip), 435).exact).toBeCloseTo(1, 9);
  });

  it('lognormal probabilities cover the whole line', () => {
    expect(lognormalProbability(100, 0, Infinity, 1, 0.04, 0.3)).toBeCloseTo(1, 12);
    expect(lognormalProbability(100, 0, 100, 1, 0, 0.3)).toBeCloseTo(0.5 + 0.5 * erf(0.15 / Math.SQRT2), 9);
  });

  it('is the payoff at spot when no time is left', () => {
    const legs = [option(CALL, LC, 100, 5, 0.3)];
    const p = analyzePayoff(legs, env(110, now))!;
    expect(probabilityOfProfit(p, 110, 0, 0.04, 0.3)).toBe(1);
    expect(probabilityOfProfit(p, 104, 0, 0.04, 0.3)).toBe(0);
  });

  it('expected move = spot × σ × √T with the mean implied volatility, null without options or a spot', () => {
    const risk = expiryRisk([option(CALL, LC, 100, 5, 0.3), option(PUT, LP, 100, 5, 0.1)], env(100, now))!;
    expect(risk.sigma).toBeCloseTo(0.2, 12);
    expect(expectedMove(risk).toString()).toBe('10');
    expect(expiryRisk([stock(100, 5)], env(100, now))).toBeNull();
    expect(expiryRisk([option(CALL, LC, 100, 5)], env(null, now))).toBeNull();
  });
});

/** Abramowitz-Stegun 7.1.26 would be too coarse here: erf by its Taylor series (|x| ≤ 3 in these tests). */
function erf(x: number): number {
  let term = x,
    sum = x;
  for (let k = 1; k < 200; k++) {
    term *= (-x * x) / k;
    sum += term / (2 * k + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
