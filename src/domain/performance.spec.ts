import { performanceStats } from './performance';

const ANNUAL = Math.sqrt(252);

describe('performanceStats', () => {
  it('computes every figure of a small series by hand', () => {
    // returns 0.10, -0.20, 0.30, -0.05: mean 0.0375, squared deviations sum to 0.136875
    const s = performanceStats([10, -20, 30, -5], [100, 100, 100, 100]);
    const stdev = Math.sqrt(0.136875 / 3),
      downside = Math.sqrt((0.04 + 0.0025) / 4);
    expect(s.returnPct).toBeCloseTo(1.1 * 0.8 * 1.3 * 0.95 - 1, 12); // 0.0868
    expect(s.volatility).toBeCloseTo(stdev * ANNUAL, 12);
    expect(s.sharpeRatio).toBeCloseTo((0.0375 / stdev) * ANNUAL, 12);
    expect(s.sortinoRatio).toBeCloseTo((0.0375 / downside) * ANNUAL, 12);
    expect(s.maxDrawdown).toBeCloseTo(0.2, 12); // 1.10 → 0.88
    expect(s.var95).toBeCloseTo(0.1775, 12); // -0.20 + 0.15 × (-0.05 − -0.20)
    expect(s.winRate).toBe(0.5);
  });

  it('uses |value| as the base, skips days without capital, and counts wins over all days', () => {
    const s = performanceStats([5, 7, -3], [0, 100, -100]); // returns 0.07, -0.03
    expect(s.returnPct).toBeCloseTo(1.07 * 0.97 - 1, 12);
    expect(s.maxDrawdown).toBeCloseTo(0.03, 12);
    expect(s.winRate).toBeCloseTo(2 / 3, 12);
    expect(s.sharpeRatio).toBeCloseTo((0.02 / Math.sqrt(0.005)) * ANNUAL, 12);
  });

  it('gives null ratios when nothing varies or nothing is lost', () => {
    const s = performanceStats([1, 1, 1], [100, 100, 100]);
    expect(s).toMatchObject({
      sharpeRatio: null,
      sortinoRatio: null,
      volatility: 0,
      maxDrawdown: 0,
      var95: 0,
      winRate: 1,
    });
    expect(s.returnPct).toBeCloseTo(1.01 ** 3 - 1, 12);
    const rising = performanceStats([1, 2], [100, 100]);
    expect(rising.sortinoRatio).toBeNull();
    expect(rising.sharpeRatio).not.toBeNull();
  });

  it('ends the equity curve at a total loss', () => {
    expect(performanceStats([-150, 10], [100, 100])).toMatchObject({
      returnPct: -1,
      maxDrawdown: 1,
      var95: expect.any(Number) as unknown,
    });
  });

  it('is all null with fewer than 2 days of returns', () => {
    const none = {
      returnPct: null,
      sharpeRatio: null,
      sortinoRatio: null,
      maxDrawdown: null,
      volatility: null,
      var95: null,
      winRate: null,
    };
    expect(performanceStats([], [])).toEqual(none);
    expect(performanceStats([5], [100])).toEqual(none);
    expect(performanceStats([5, 3], [100, 0])).toEqual(none);
  });

  it('rejects series of different lengths', () => {
    expect(() => performanceStats([1, 2], [100])).toThrow(RangeError);
  });
});
