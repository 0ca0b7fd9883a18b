export interface PerformanceStats {
  returnPct: number | null;
  sharpeRatio: number | null;
  sortinoRatio: number | null;
  maxDrawdown: number | null;
  volatility: number | null;
  var95: number | null;
  winRate: number | null;
}

const ANNUAL = Math.sqrt(252);
// Below this a deviation is rounding noise of a constant series, not risk: ratios over it would explode.
const EPS = 1e-12;
const NO_STATS: PerformanceStats = {
  returnPct: null,
  sharpeRatio: null,
  sortinoRatio: null,
  maxDrawdown: null,
  volatility: null,
  var95: null,
  winRate: null,
};

/**
 * Risk and return figures of a daily P&L series; `dailyValue[i]` is the capital base of day i.
 * Daily return = pnl / |value| (days with value 0 are skipped); all figures are fractions, annualised with
 * 252 trading days. Sharpe and Sortino assume a risk-free rate of 0. Null with fewer than 2 days.
 */
export function performanceStats(dailyPnl: number[], dailyValue: number[]): PerformanceStats {
  if (dailyPnl.length !== dailyValue.length) throw new RangeError('dailyPnl and dailyValue differ in length');
  const r = dailyPnl.flatMap((pnl, i) => (dailyValue[i] === 0 ? [] : [pnl / Math.abs(dailyValue[i])]));
  if (dailyPnl.length < 2 || r.length < 2) return { ...NO_STATS };

  const n = r.length,
    mean = r.reduce((s, x) => s + x, 0) / n;
  const stdev = Math.sqrt(r.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)); // sample standard deviation
  const downside = Math.sqrt(r.reduce((s, x) => s + Math.min(x, 0) ** 2, 0) / n);

  // Compounded equity curve; a loss of everything ends it at 0 rather than going negative.
  let equity = 1,
    peak = 1,
    maxDrawdown = 0;
  for (const x of r) {
    equity = Math.max(0, equity * (1 + x));
    peak = Math.max(peak, equity);
    maxDrawdown = Math.max(maxDrawdown, (peak - equity) / peak);
  }

  // Historical 5th percentile, interpolating linearly between order statistics.
  const sorted = [...r].sort((a, b) => a - b),
    h = (n - 1) * 0.05,
    lo = Math.floor(h);
  const q05 = sorted[lo] + (h - lo) * (sorted[Math.min(lo + 1, n - 1)] - sorted[lo]);

  return {
    returnPct: equity - 1,
    sharpeRatio: stdev > EPS ? (mean / stdev) * ANNUAL : null,
    sortinoRatio: downside > EPS ? (mean / downside) * ANNUAL : null,
    maxDrawdown,
    volatility: stdev > EPS ? stdev * ANNUAL : 0,
    var95: Math.max(0, -q05),
    winRate: dailyPnl.filter((pnl) => pnl > 0).length / dailyPnl.length,
  };
}
