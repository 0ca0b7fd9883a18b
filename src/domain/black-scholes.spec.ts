import fc from 'fast-check';
import { bsGreeks, bsPrice, expiryInstant, normCdf, normPdf, yearsToExpiry } from './black-scholes';
import { OptionType } from './types';

const { CALL, PUT } = OptionType;

describe('normCdf / normPdf', () => {
  it.each([
    [0, 0.5],
    [1, 0.8413447460685429],
    [-1.96, 0.024997895148220435],
    [2.5, 0.9937903346742238],
    [3, 0.9986501019683699],
    [-7.5, 3.190891672910919e-14],
  ])('N(%p) = %p', (x, expected) => {
    expect(Math.abs(normCdf(x) - expected)).toBeLessThan(1e-14);
  });

  it('is precise in the far tail and saturates', () => {
    expect(normCdf(-5) / 2.866515718791939e-7).toBeCloseTo(1, 9);
    expect(normCdf(-40)).toBe(0);
    expect(normCdf(40)).toBe(1);
  });

  it('is symmetric', () => {
    for (const x of [0.1, 0.7, 1.3, 4.2, 8]) expect(normCdf(x) + normCdf(-x)).toBeCloseTo(1, 14);
  });

  it('normPdf matches the density', () => {
    expect(normPdf(0)).toBeCloseTo(0.3989422804014327, 15);
    expect(normPdf(1.5)).toBeCloseTo(0.12951759566589174, 15);
  });
});

describe('bsPrice', () => {
  it('matches Hull (S=42, K=40, r=10%, sigma=20%, T=0.5)', () => {
    expect(bsPrice(CALL, 42, 40, 0.5, 0.1, 0.2)).toBeCloseTo(4.7594, 4);
    expect(bsPrice(PUT, 42, 40, 0.5, 0.1, 0.2)).toBeCloseTo(0.8086, 4);
  });

  it('satisfies put-call parity', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1000, noNaN: true }),
        fc.double({ min: 1, max: 1000, noNaN: true }),
        fc.double({ min: 0.001, max: 5, noNaN: true }),
        fc.double({ min: -0.02, max: 0.15, noNaN: true }),
        fc.double({ min: 0.01, max: 3, noNaN: true }),
        (S, K, T, r, sigma) => {
          const parity = bsPrice(CALL, S, K, T, r, sigma) - bsPrice(PUT, S, K, T, r, sigma);
          expect(parity).toBeCloseTo(S - K * Math.exp(-r * T), 8);
        },
      ),
    );
  });

  it('is intrinsic at or after expiry', () => {
    expect(bsPrice(CALL, 110, 100, 0, 0.04, 0.3)).toBe(10);
    expect(bsPrice(PUT, 110, 100, -1, 0.04, 0.3)).toBe(0);
    expect(bsPrice(PUT, 90, 100, 0, 0.04, 0.3)).toBe(10);
  });

  it('tends to the discounted forward intrinsic when deep in or out of the money', () => {
    const disc = Math.exp(-0.05);
    expect(bsPrice(CALL, 600, 100, 1, 0.05, 0.2)).toBeCloseTo(600 - 100 * disc, 10);
    expect(bsPrice(PUT, 600, 100, 1, 0.05, 0.2)).toBeCloseTo(0, 10);
    expect(bsPrice(PUT, 10, 100, 1, 0.05, 0.2)).toBeCloseTo(100 * disc - 10, 10);
    expect(bsPrice(CALL, 10, 100, 1, 0.05, 0.2)).toBeCloseTo(0, 10);
  });

  it('approaches intrinsic for very short expiries', () => {
    const minute = 1 / (365 * 24 * 60);
    expect(bsPrice(CALL, 105, 100, minute, 0.04, 0.3)).toBeCloseTo(105 - 100 * Math.exp(-0.04 * minute), 10);
    expect(bsPrice(PUT, 105, 100, minute, 0.04, 0.3)).toBeCloseTo(0, 10);
    const atm = bsPrice(CALL, 100, 100, minute, 0.04, 0.3);
    expect(atm).toBeGreaterThan(0);
    expect(atm).toBeCloseTo(0.4 * 100 * 0.3 * Math.sqrt(minute), 3);
  });

  it('handles zero volatility and a worthless stock', () => {
    const disc = Math.exp(-0.04);
    expect(bsPrice(CALL, 100, 90, 1, 0.04, 0)).toBeCloseTo(100 - 90 * disc, 12);
    expect(bsPrice(PUT, 100, 90, 1, 0.04, 0)).toBe(0);
    expect(bsPrice(PUT, 0, 90, 1, 0.04, 0.3)).toBeCloseTo(90 * disc, 12);
    expect(bsPrice(CALL, 0, 90, 1, 0.04, 0.3)).toBe(0);
  });
});

describe('bsGreeks', () => {
  it('matches Hull (S=49, K=50, r=5%, sigma=20%, T=0.3846)', () => {
    const g = bsGreeks(CALL, 49, 50, 0.3846, 0.05, 0.2);
    expect(g.delta).toBeCloseTo(0.522, 3);
    expect(g.gamma).toBeCloseTo(0.066, 3);
    expect(g.theta * 365).toBeCloseTo(-4.31, 2);
    expect(g.vega * 100).toBeCloseTo(12.1, 1);
    expect(g.rho * 100).toBeCloseTo(8.91, 2);
  });

  it.each([
    [CALL, 100, 100, 0.5, 0.04, 0.3],
    [PUT, 100, 100, 0.5, 0.04, 0.3],
    [CALL, 80, 100, 0.1, 0.02, 0.5],
    [PUT, 120, 100, 2, 0.06, 0.2],
    [PUT, 450, 420, 0.05, 0.04, 0.15],
  ])('agree with finite differences of bsPrice (%s S=%p K=%p T=%p)', (type, S, K, T, r, sigma) => {
    const p = (s = S, t = T, rr = r, v = sigma) => bsPrice(type, s, K, t, rr, v);
    const g = bsGreeks(type, S, K, T, r, sigma);
    const h = S * 1e-4,
      e = 1e-5;
    expect(g.delta).toBeCloseTo((p(S + h) - p(S - h)) / (2 * h), 6);
    expect(g.gamma).toBeCloseTo((p(S + h) - 2 * p() + p(S - h)) / (h * h), 4);
    expect(g.theta).toBeCloseTo(-(p(S, T + e) - p(S, T - e)) / (2 * e) / 365, 6);
    expect(g.vega).toBeCloseTo((p(S, T, r, sigma + e) - p(S, T, r, sigma - e)) / (2 * e) / 100, 6);
    expect(g.rho).toBeCloseTo((p(S, T, r + e) - p(S, T, r - e)) / (2 * e) / 100, 6);
  });

  it('at expiry has delta by intrinsic value and no other greeks', () => {
    expect(bsGreeks(CALL, 110, 100, 0, 0.04, 0.3)).toEqual({ delta: 1, gamma: 0, theta: 0, vega: 0, rho: 0 });
    expect(bsGreeks(CALL, 90, 100, 0, 0.04, 0.3).delta).toBe(0);
    expect(bsGreeks(CALL, 100, 100, 0, 0.04, 0.3).delta).toBe(0);
    expect(bsGreeks(PUT, 90, 100, 0, 0.04, 0.3).delta).toBe(-1);
    expect(bsGreeks(PUT, 110, 100, 0, 0.04, 0.3).delta).toBe(0);
  });

  it('stays finite with zero volatility or a worthless stock', () => {
    for (const g of [bsGreeks(CALL, 100, 90, 1, 0.04, 0), bsGreeks(PUT, 0, 90, 1, 0.04, 0.3)]) {
      for (const v of Object.values(g)) expect(Number.isFinite(v)).toBe(true);
    }
    expect(bsGreeks(CALL, 100, 90, 1, 0.04, 0)).toMatchObject({ delta: 1, gamma: 0, vega: 0 });
    expect(bsGreeks(PUT, 0, 90, 1, 0.04, 0.3).delta).toBe(-1);
  });
});

describe('yearsToExpiry', () => {
  it.each([
    ['2024-01-19', '2024-01-19T21:00:00.000Z'], // EST
    ['2024-03-09', '2024-03-09T21:00:00.000Z'], // day before DST starts
    ['2024-03-10', '2024-03-10T20:00:00.000Z'], // second Sunday of March: EDT by 16:00
    ['2024-07-19', '2024-07-19T20:00:00.000Z'], // EDT
    ['2024-11-02', '2024-11-02T20:00:00.000Z'], // day before DST ends
    ['2024-11-03', '2024-11-03T21:00:00.000Z'], // first Sunday of November: EST by 16:00
    ['2025-03-09', '2025-03-09T20:00:00.000Z'],
    ['2025-03-08', '2025-03-08T21:00:00.000Z'],
    ['2025-11-02', '2025-11-02T21:00:00.000Z'],
    ['2025-11-01', '2025-11-01T20:00:00.000Z'],
  ])('expires %s at %s', (date, instant) => {
    expect(expiryInstant(date).toISOString()).toBe(instant);
  });

  it('measures years of 365 days up to 16:00 New York time', () => {
    expect(yearsToExpiry('2025-01-17', new Date('2024-01-17T21:00:00Z'))).toBeCloseTo(366 / 365, 12);
    expect(yearsToExpiry('2024-07-19', new Date('2024-07-19T19:00:00Z'))).toBeCloseTo(1 / (365 * 24), 12);
    expect(yearsToExpiry('2024-01-19', new Date('2024-01-19T20:00:00Z'))).toBeCloseTo(1 / (365 * 24), 12);
  });

  it('is never negative', () => {
    expect(yearsToExpiry('2024-07-19', new Date('2024-07-19T20:00:00Z'))).toBe(0);
    expect(yearsToExpiry('2024-01-19', new Date('2024-06-01T00:00:00Z'))).toBe(0);
  });

  it('rejects malformed dates', () => {
    expect(() => yearsToExpiry('19/01/2024', new Date())).toThrow('invalid expiration date');
  });
});
