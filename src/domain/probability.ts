import Decimal from 'decimal.js';
import { normCdf, yearsToExpiry } from './black-scholes';
import type { PayoffAnalysis } from './payoff';
import type { LegData, MarketEnv } from './types';

/**
 * P(a < S_T < b) for a lognormal S_T with drift `r` and volatility `sigma` over `T` years from `spot`
 * (ln S_T ~ N(ln spot + (r − σ²/2)T, σ²T)); `b` may be Infinity.
 */
export function lognormalProbability(spot: number, a: number, b: number, T: number, r: number, sigma: number): number {
  const sd = sigma * Math.sqrt(T);
  const mean = Math.log(spot) + (r - 0.5 * sigma * sigma) * T;
  const cdf = (x: number) => (x <= 0 ? 0 : x === Infinity ? 1 : normCdf((Math.log(x) - mean) / sd));
  return Math.max(0, cdf(b) - cdf(a));
}

/**
 * Probability that the payoff at its earliest expiry is positive: the payoff's zeros cut (0, ∞) into intervals of
 * one sign each; the sign of each comes from its midpoint (beyond the last zero: a point past it), and the lognormal
 * probability of the positive ones is summed exactly (no sampling). With T = 0 the outcome is the payoff at spot.
 */
export function probabilityOfProfit(payoff: PayoffAnalysis, spot: number, T: number, r: number, sigma: number): number {
  if (T <= 0 || sigma <= 0) return payoff.pnlAt(new Decimal(spot)).gt(0) ? 1 : 0;
  const bounds = [0, ...payoff.zeros.map((z) => z.toNumber()).filter((z) => z > 0)];
  let p = 0;
  bounds.forEach((a, i) => {
    const b = i + 1 < bounds.length ? bounds[i + 1] : Infinity;
    const probe = b === Infinity ? Math.max(2 * a, a + 1) : (a + b) / 2;
    if (payoff.pnlAt(new Decimal(probe)).gt(0)) p += lognormalProbability(spot, a, b, T, r, sigma);
  });
  return Math.min(1, p);
}

/** The inputs of the expiry-risk figures: spot, years to the earliest expiry and the mean implied volatility. */
export interface ExpiryRisk {
  spot: number;
  T: number;
  sigma: number;
}

/** Null without option legs or without a price of the (first) underlying. */
export function expiryRisk(legs: readonly LegData[], env: MarketEnv): ExpiryRisk | null {
  const options = legs.filter((l) => l.optionType && l.expirationDate);
  const spot = legs.length ? env.prices.get(legs[0].underlyingSymbol) : undefined;
  if (!options.length || !spot) return null;
  const earliest = options.map((l) => l.expirationDate!).sort()[0];
  const sigma = options.reduce((a, l) => a + (l.impliedVolatility ?? env.defaultVolatility), 0) / options.length;
  return { spot: spot.toNumber(), T: yearsToExpiry(earliest, env.now), sigma };
}

/** One standard deviation of the underlying up to the earliest expiry: spot × σ × √T, in cents. */
export function expectedMove(r: ExpiryRisk): Decimal {
  return new Decimal(r.spot * r.sigma * Math.sqrt(r.T)).toDecimalPlaces(2);
}
