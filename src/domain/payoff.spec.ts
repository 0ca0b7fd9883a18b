import Decimal from 'decimal.js';
import fc from 'fast-check';
import { bsPrice, expiryInstant, yearsToExpiry } from './black-scholes';
import { analyzePayoff, PayoffAnalysis } from './payoff';
import { InvestmentClass, LegData, MarketEnv, OptionType, PositionType } from './types';

const { CALL, PUT } = OptionType;
const d = (v: Decimal.Value) => new Decimal(v);
const env = (prices: Record<string, Decimal.Value> = {}): MarketEnv => ({
  now: new Date('2024-01-02T15:00:00Z'),
  riskFreeRate: 0.04,
  defaultVolatility: 0.3,
  prices: new Map(Object.entries(prices).map(([k, v]) => [k, d(v)])),
});

let id = 0;
const base = { quantity: d(1), impliedVolatility: null, entryDate: '2023-12-01', underlyingSymbol: 'SPY' };
const opt = (
  long: boolean,
  type: OptionType,
  strike: Decimal.Value,
  entry: Decimal.Value,
  { qty = 1, expiry = '2024-03-15', underlying = 'SPY' } = {},
): LegData => ({
  ...base,
  id: String(++id),
  symbol: `${underlying}${expiry}${type}${strike}`,
  underlyingSymbol: underlying,
  positionType: type === CALL ? (long ? PositionType.LC : PositionType.SC) : long ? PositionType.LP : PositionType.SP,
  quantity: d(qty),
  multiplier: 100,
  investmentClass: InvestmentClass.OPTIONS,
  optionType: type,
  strikePrice: d(strike),
  expirationDate: expiry,
  entryPrice: d(entry),
});
const stock = (long: boolean, qty: Decimal.Value, entry: Decimal.Value, symbol = 'SPY'): LegData => ({
  ...base,
  id: String(++id),
  symbol,
  underlyingSymbol: symbol,
  positionType: long ? PositionType.LONG : PositionType.SHORT,
  quantity: d(qty),
  multiplier: 1,
  investmentClass: InvestmentClass.PUBLIC,
  optionType: null,
  strikePrice: null,
  expirationDate: null,
  entryPrice: d(entry),
});

const str = (x: Decimal | null) => x?.toFixed(2) ?? null;
const summary = (a: PayoffAnalysis | null) =>
  a && { maxProfit: str(a.maxProfit), maxLoss: str(a.maxLoss), breakEvens: a.breakEvenPoints.map(str) };
const analyze = (legs: LegData[], e = env()) => summary(analyzePayoff(legs, e));

const condor = () => [
  opt(false, CALL, 450, 5),
  opt(true, CALL, 460, 2),
  opt(false, PUT, 420, 3),
  opt(true, PUT, 410, 3),
];

describe('analyzePayoff, all options expiring together (exact)', () => {
  it('matches the API.md iron condor example', () => {
    const a = analyzePayoff(condor(), env())!;
    expect(summary(a)).toEqual({ maxProfit: '300.00', maxLoss: '700.00', breakEvens: ['417.00', '453.00'] });
    expect(a.maxProfit!.eq(300) && a.maxLoss!.eq(700)).toBe(true);
    expect(a.breakEvenPoints.map((x) => x.toString())).toEqual(['417', '453']);
  });

  it.each([
    ['long call', [opt(true, CALL, 100, 5)], { maxProfit: null, maxLoss: '500.00', breakEvens: ['105.00'] }],
    ['short call', [opt(false, CALL, 100, 5)], { maxProfit: '500.00', maxLoss: null, breakEvens: ['105.00'] }],
    ['long put', [opt(true, PUT, 100, 5)], { maxProfit: '9500.00', maxLoss: '500.00', breakEvens: ['95.00'] }],
    [
      'covered call',
      [stock(true, 100, 95), opt(false, CALL, 100, 3)],
      { maxProfit: '800.00', maxLoss: '9200.00', breakEvens: ['92.00'] },
    ],
    [
      'long straddle',
      [opt(true, CALL, 100, 4), opt(true, PUT, 100, 3)],
      { maxProfit: null, maxLoss: '700.00', breakEvens: ['93.00', '107.00'] },
    ],
    ['long stock', [stock(true, 10, '50.5')], { maxProfit: null, maxLoss: '505.00', breakEvens: ['50.50'] }],
    ['short stock', [stock(false, 10, '50.5')], { maxProfit: '505.00', maxLoss: null, breakEvens: ['50.50'] }],
    [
      'bull call spread',
      [opt(true, CALL, 100, 5), opt(false, CALL, 110, 2)],
      { maxProfit: '700.00', maxLoss: '300.00', breakEvens: ['103.00'] },
    ],
    [
      'always profitable (loss 0)',
      [opt(true, CALL, 100, 0)],
      { maxProfit: null, maxLoss: '0.00', breakEvens: ['100.00'] },
    ],
    [
      'always losing (negative max profit)',
      [opt(true, CALL, 100, 3), opt(false, CALL, 100, 1)],
      { maxProfit: '-200.00', maxLoss: '200.00', breakEvens: [] },
    ],
    [
      '6 legs: call butterfly + put butterfly',
      [
        opt(true, CALL, 90, 12),
        opt(false, CALL, 100, 6, { qty: 2 }),
        opt(true, CALL, 110, 2),
        opt(true, PUT, 90, 2),
        opt(false, PUT, 100, 6, { qty: 2 }),
        opt(true, PUT, 110, 12),
      ],
      { maxProfit: '1600.00', maxLoss: '400.00', breakEvens: ['92.00', '108.00'] },
    ],
  ])('%s', (_, legs, expected) => {
    expect(analyze(legs)).toEqual(expected);
  });

  it('keeps amounts exact and rounds break-evens to cents', () => {
    const a = analyzePayoff([opt(true, CALL, 100, '0.1', { qty: 3 }), opt(true, PUT, 100, '0.2', { qty: 3 })], env())!;
    expect(a.maxLoss!.toString()).toBe('90');
    expect(a.breakEvenPoints.map((x) => x.toString())).toEqual(['99.7', '100.3']);
    const third = analyzePayoff([opt(true, CALL, 100, '0.5', { qty: 2 }), opt(true, CALL, 100, 0)], env())!;
    expect(third.breakEvenPoints.map((x) => x.toString())).toEqual(['100.33']);
  });

  it('returns null for no legs, several underlyings or a PRIVATE leg', () => {
    expect(analyzePayoff([], env())).toBeNull();
    expect(analyzePayoff([opt(true, CALL, 100, 5), opt(true, CALL, 100, 5, { underlying: 'QQQ' })], env())).toBeNull();
    const fund = { ...stock(true, 1, 1000, 'TWO_SIGMA_FUND'), investmentClass: InvestmentClass.PRIVATE };
    expect(analyzePayoff([fund], env())).toBeNull();
  });

  it('bounds every curve point by maxProfit and maxLoss, with P&L near zero at break-evens', () => {
    const leg = fc.record({
      long: fc.boolean(),
      type: fc.constantFrom(CALL, PUT),
      strike: fc.integer({ min: 1, max: 40 }),
      entry: fc.integer({ min: 0, max: 2000 }),
      qty: fc.integer({ min: 1, max: 5 }),
    });
    fc.assert(
      fc.property(fc.array(leg, { minLength: 1, maxLength: 6 }), (specs) => {
        const legs = specs.map((s) => opt(s.long, s.type, s.strike * 5, d(s.entry).div(100), { qty: s.qty }));
        const a = analyzePayoff(legs, env())!;
        const curve = a.curve(200);
        const outside = curve.filter(
          (p) =>
            (a.maxProfit && p.pnl.gt(a.maxProfit.toDecimalPlaces(2))) ||
            (a.maxLoss && p.pnl.lt(a.maxLoss.neg().toDecimalPlaces(2))),
        );
        expect(outside).toEqual([]);
        const scale = specs.reduce((n, s) => n + s.qty * 100, 0);
        for (const be of a.breakEvenPoints) {
          expect(
            curve
              .find((p) => p.underlyingPrice.eq(be))!
              .pnl.abs()
              .lte(scale * 0.005 + 0.01),
          ).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('analyzePayoff, legs expiring later (numeric)', () => {
  const calendar = () => [
    opt(false, CALL, 100, 2, { expiry: '2024-01-19' }),
    opt(true, CALL, 100, '3.5', { expiry: '2024-02-16' }),
  ];

  it('values the later leg with Black-Scholes at the earliest expiry', () => {
    const a = analyzePayoff(calendar(), env())!;
    const T = yearsToExpiry('2024-02-16', expiryInstant('2024-01-19'));
    expect(T).toBeCloseTo(28 / 365, 12);
    const peak = (bsPrice(CALL, 100, 100, T, 0.04, 0.3) - 1.5) * 100;
    expect(a.maxProfit!.toNumber()).toBeCloseTo(peak, 2);
    expect(a.maxLoss!.toFixed(2)).toBe('150.00'); // the net debit, lost when the stock is worthless
    expect(a.breakEvenPoints).toHaveLength(2);
    const [lo, hi] = a.breakEvenPoints.map((x) => x.toNumber());
    expect(lo).toBeLessThan(100);
    expect(hi).toBeGreaterThan(100);
    for (const p of a.curve(50).filter((q) => a.breakEvenPoints.some((be) => be.eq(q.underlyingPrice)))) {
      expect(Math.abs(p.pnl.toNumber())).toBeLessThan(1);
    }
  });

  it('prices the later leg with its own implied volatility', () => {
    const [near, far] = calendar();
    const rich = analyzePayoff([near, { ...far, impliedVolatility: 0.6 }], env())!;
    const T = yearsToExpiry('2024-02-16', expiryInstant('2024-01-19'));
    expect(rich.maxProfit!.toNumber()).toBeCloseTo((bsPrice(CALL, 100, 100, T, 0.04, 0.6) - 1.5) * 100, 2);
  });

  it('sees an unlimited side by the asymptotic slope; a diagonal stays bounded', () => {
    const legs = [
      opt(false, CALL, 100, 2, { expiry: '2024-01-19' }),
      { ...opt(true, CALL, 100, '3.5', { qty: 2, expiry: '2024-06-21' }), impliedVolatility: 0.5 },
    ];
    const a = analyzePayoff(legs, env())!;
    expect(a.maxProfit).toBeNull();
    expect(a.maxLoss!.toFixed(2)).toBe('500.00');
    const diagonal = analyzePayoff(
      [opt(true, PUT, 90, 4, { expiry: '2024-06-21' }), opt(false, PUT, 95, 3, { expiry: '2024-02-16' })],
      env(),
    )!;
    expect(diagonal.maxProfit).not.toBeNull();
    expect(diagonal.maxLoss).not.toBeNull();
  });
});

describe('curve', () => {
  it('covers every strike, break-even and the spot, with exact marks merged in', () => {
    const a = analyzePayoff(condor(), env({ SPY: 440 }))!;
    const c = a.curve(50);
    const xs = c.map((p) => p.underlyingPrice);
    expect(c.length).toBeGreaterThanOrEqual(50);
    expect(c.length).toBeLessThanOrEqual(56);
    expect(xs[0].toString()).toBe('328');
    expect(xs[xs.length - 1].toString()).toBe('552');
    for (const mark of [410, 417, 420, 450, 453, 460]) expect(xs.some((x) => x.eq(mark))).toBe(true);
    expect(xs.every((x, i) => i === 0 || x.gt(xs[i - 1]))).toBe(true);
    expect(c.find((p) => p.underlyingPrice.eq(435))?.pnl.toString() ?? '300').toBe('300');
    expect(c.find((p) => p.underlyingPrice.eq(460))!.pnl.toString()).toBe('-700');
    expect(c.every((p) => p.pnl.decimalPlaces() <= 2 && p.underlyingPrice.decimalPlaces() <= 2)).toBe(true);
  });

  it('clamps the number of points', () => {
    const a = analyzePayoff([stock(true, 1, 100)], env())!;
    expect(a.curve(5000).length).toBe(1001); // 1000 evenly spaced plus the break-even
    expect(a.curve(1).map((p) => [p.underlyingPrice.toString(), p.pnl.toString()])).toEqual([
      ['80', '-20'],
      ['100', '0'],
      ['120', '20'],
    ]);
  });
});
