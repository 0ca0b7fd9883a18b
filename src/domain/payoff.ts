import Decimal from 'decimal.js';
import { bsPrice, expiryInstant, yearsToExpiry } from './black-scholes';
import { InvestmentClass, LegData, MarketEnv, OptionType, positionSign } from './types';

export interface PayoffPoint {
  underlyingPrice: Decimal;
  pnl: Decimal;
}

export interface PayoffAnalysis {
  maxProfit: Decimal | null; // null = unlimited
  maxLoss: Decimal | null; // positive magnitude; null = unlimited
  breakEvenPoints: Decimal[]; // ascending, rounded to cents
  /** The zeros behind breakEvenPoints, unrounded (the bounds of the profit intervals). */
  zeros: Decimal[];
  pnlAt(s: Decimal): Decimal;
  /** The underlying prices `curve` is evaluated at: `points` evenly spaced, plus strikes and break-evens. */
  grid(points: number): Decimal[];
  curve(points: number): PayoffPoint[];
}

type Pnl = (s: Decimal) => Decimal;

const ZERO = new Decimal(0);
const SAMPLES = 2000;

function uniqueSorted(xs: Decimal[]): Decimal[] {
  return [...xs].sort((a, b) => a.cmp(b)).filter((x, i, all) => i === 0 || !x.eq(all[i - 1]));
}

/** A leg's value per share at the analysis instant as a function of the underlying price. */
function valueAt(leg: LegData, earliest: string, at: Date, env: MarketEnv): Pnl {
  const { optionType: type, strikePrice: K, expirationDate } = leg;
  if (!type || !K || !expirationDate) return (s) => s;
  if (expirationDate === earliest) {
    return type === OptionType.CALL ? (s) => Decimal.max(s.minus(K), 0) : (s) => Decimal.max(K.minus(s), 0);
  }
  const T = yearsToExpiry(expirationDate, at);
  const vol = leg.impliedVolatility ?? env.defaultVolatility;
  return (s) => new Decimal(bsPrice(type, s.toNumber(), K.toNumber(), T, env.riskFreeRate, vol));
}

/**
 * P&L at the earliest option expiry (API.md "Payoff") of legs on one underlying; null for no legs, several
 * underlyings or any PRIVATE leg. When every option expires then, the payoff is piecewise linear with kinks at
 * the strikes and every figure is exact. When some legs expire later (calendars, diagonals) it is curved: the
 * extremes come from ~2000 samples up to 3x the highest strike plus a far point, break-evens from bisection,
 * all rounded to cents.
 */
export function analyzePayoff(legs: readonly LegData[], env: MarketEnv): PayoffAnalysis | null {
  if (legs.length === 0 || legs.some((l) => l.investmentClass === InvestmentClass.PRIVATE)) return null;
  if (new Set(legs.map((l) => l.underlyingSymbol)).size > 1) return null;
  const options = legs.filter((l) => l.optionType);
  if (options.some((l) => !l.strikePrice || !l.expirationDate)) return null;

  const strikes = uniqueSorted(options.map((l) => l.strikePrice!));
  const expiries = options.map((l) => l.expirationDate!).sort();
  const earliest = expiries[0] ?? '';
  const numeric = expiries.some((e) => e !== earliest);
  const at = earliest ? expiryInstant(earliest) : env.now;
  const terms = legs.map((leg) => ({
    scale: leg.quantity.mul(leg.multiplier).mul(positionSign(leg.positionType)),
    entry: leg.entryPrice,
    value: valueAt(leg, earliest, at, env),
  }));
  const pnl: Pnl = (s) => terms.reduce((a, t) => a.plus(t.scale.mul(t.value(s).minus(t.entry))), ZERO);
  // As the price goes to infinity stock and calls (later ones too: worth S - K*e^(-rT)) gain 1:1, puts vanish.
  const slope = legs.reduce((a, l, i) => (l.optionType === OptionType.PUT ? a : a.plus(terms[i].scale)), ZERO);

  // Linear pieces need only their kinks; the curved case is sampled (the far point catches a flat tail's level).
  const top = strikes[strikes.length - 1] ?? ZERO;
  const knots = numeric
    ? uniqueSorted([
        ...Array.from({ length: SAMPLES + 1 }, (_, i) => top.mul(3 * i).div(SAMPLES)),
        ...strikes,
        top.mul(100),
      ])
    : uniqueSorted([ZERO, ...strikes]);
  const values = knots.map(pnl);

  const root = numeric
    ? (a: Decimal, b: Decimal, fa: Decimal) => {
        for (let i = 0; i < 100 && b.minus(a).gt(1e-6); i++) {
          const m = a.plus(b).div(2);
          if (pnl(m).cmp(0) === fa.cmp(0)) a = m;
          else b = m;
        }
        return a.plus(b).div(2);
      }
    : (a: Decimal, b: Decimal, fa: Decimal, fb: Decimal) => a.minus(b.minus(a).mul(fa).div(fb.minus(fa)));

  // A zero counts where P&L is non-zero on a side (not inside a flat zero stretch); sign changes are solved for.
  const found: Decimal[] = [];
  const last = knots.length - 1;
  knots.forEach((k, i) => {
    const sign = values[i].cmp(0);
    const next = i < last ? values[i + 1].cmp(0) : 0;
    if (sign === 0) {
      if ((i > 0 && !values[i - 1].isZero()) || (i < last ? next !== 0 : !slope.isZero())) found.push(k);
    } else if (next === -sign) {
      found.push(root(k, knots[i + 1], values[i], values[i + 1]));
    }
  });
  const tailSign = values[last].cmp(0);
  if (tailSign !== 0 && slope.cmp(0) === -tailSign) {
    let b = Decimal.max(knots[last], 1).mul(2);
    for (let i = 0; i < 200 && pnl(b).cmp(0) === tailSign; i++) b = b.mul(2);
    found.push(root(knots[last], b, values[last], pnl(b)));
  }
  const breakEvenPoints = uniqueSorted(found.map((x) => x.toDecimalPlaces(2)));

  const money = (x: Decimal) => (numeric ? x.toDecimalPlaces(2) : x);
  const spot = env.prices.get(legs[0].underlyingSymbol);
  const marks = [...strikes, ...breakEvenPoints, ...(spot ? [spot] : [])];
  const grid = (points: number): Decimal[] => {
    const n = Math.min(1000, Math.max(2, Math.trunc(points) || 2));
    const lo = marks.length ? Decimal.max(Decimal.min(...marks).mul(0.8), 0) : ZERO;
    const hi = Decimal.max(marks.length ? Decimal.max(...marks).mul(1.2) : 0, lo.plus(1));
    const span = hi.minus(lo);
    const xs = Array.from({ length: n }, (_, i) => lo.plus(span.mul(i).div(n - 1)).toDecimalPlaces(2));
    return uniqueSorted([...xs, ...strikes, ...breakEvenPoints]);
  };
  return {
    maxProfit: slope.gt(0) ? null : money(Decimal.max(...values)),
    maxLoss: slope.lt(0) ? null : money(Decimal.max(Decimal.min(...values).neg(), 0)),
    breakEvenPoints,
    zeros: uniqueSorted(found),
    pnlAt: pnl,
    grid,
    curve: (points: number): PayoffPoint[] =>
      grid(points).map((x) => ({ underlyingPrice: x, pnl: pnl(x).toDecimalPlaces(2) })),
  };
}
