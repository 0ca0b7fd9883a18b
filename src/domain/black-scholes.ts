import { Greeks, OptionType } from './types';

const SQRT_2PI = Math.sqrt(2 * Math.PI);
const MS_PER_YEAR = 365 * 24 * 3600 * 1000;

/** Standard normal density. */
export function normPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT_2PI;
}

/**
 * Standard normal CDF by Hart's double-precision algorithm (as given by G. West, "Better approximations to
 * cumulative normal functions"): about 1e-15 absolute error, where Abramowitz-Stegun 7.1.26 only gives 1e-7.
 */
export function normCdf(x: number): number {
  const a = Math.abs(x);
  let tail = 0;
  if (a <= 37) {
    const e = Math.exp(-0.5 * a * a);
    if (a < 7.07106781186547) {
      const num =
        (((((0.0352624965998911 * a + 0.700383064443688) * a + 6.37396220353165) * a + 33.912866078383) * a +
          112.079291497871) *
          a +
          221.213596169931) *
          a +
        220.206867912376;
      const den =
        ((((((0.0883883476483184 * a + 1.75566716318264) * a + 16.064177579207) * a + 86.7807322029461) * a +
          296.564248779674) *
          a +
          637.333633378831) *
          a +
          793.826512519948) *
          a +
        440.413735824752;
      tail = (e * num) / den;
    } else {
      tail = e / (a + 1 / (a + 2 / (a + 3 / (a + 4 / (a + 0.65))))) / 2.506628274631;
    }
  }
  return x > 0 ? 1 - tail : tail;
}

/** d1, d2 and the discount factor for T > 0. */
function terms(S: number, K: number, T: number, r: number, sigma: number) {
  const disc = Math.exp(-r * T);
  const sqrtT = Math.sqrt(T);
  // Without volatility (or with a worthless stock) the outcome is certain: in or out of the money at the forward.
  if (sigma <= 0 || S <= 0) {
    const d = S > K * disc ? Infinity : -Infinity;
    return { d1: d, d2: d, disc, sqrtT };
  }
  const d1 = (Math.log(S / K) + (r + 0.5 * sigma * sigma) * T) / (sigma * sqrtT);
  return { d1, d2: d1 - sigma * sqrtT, disc, sqrtT };
}

/** Black-Scholes-Merton value per share, no dividends; T in years. Intrinsic value at or after expiry. */
export function bsPrice(type: OptionType, S: number, K: number, T: number, r: number, sigma: number): number {
  if (T <= 0) return Math.max(type === OptionType.CALL ? S - K : K - S, 0);
  const { d1, d2, disc } = terms(S, K, T, r, sigma);
  return type === OptionType.CALL
    ? S * normCdf(d1) - K * disc * normCdf(d2)
    : K * disc * normCdf(-d2) - S * normCdf(-d1);
}

/**
 * Greeks per share: theta per calendar day, vega per volatility point, rho per rate point.
 * At or after expiry delta is 1 (call) / -1 (put) when strictly in the money, else 0 (also at the money).
 */
export function bsGreeks(type: OptionType, S: number, K: number, T: number, r: number, sigma: number): Greeks {
  const call = type === OptionType.CALL;
  if (T <= 0) {
    const delta = call ? (S > K ? 1 : 0) : S < K ? -1 : 0;
    return { delta, gamma: 0, theta: 0, vega: 0, rho: 0 };
  }
  const { d1, d2, disc, sqrtT } = terms(S, K, T, r, sigma);
  const pdf = normPdf(d1);
  const decay = sigma > 0 ? (-S * pdf * sigma) / (2 * sqrtT) : 0;
  const kd = K * disc;
  return {
    delta: call ? normCdf(d1) : normCdf(d1) - 1,
    gamma: Number.isFinite(d1) ? pdf / (S * sigma * sqrtT) : 0,
    theta: (call ? decay - r * kd * normCdf(d2) : decay + r * kd * normCdf(-d2)) / 365,
    vega: (S * pdf * sqrtT) / 100,
    rho: (call ? kd * T * normCdf(d2) : -kd * T * normCdf(-d2)) / 100,
  };
}

/** The n-th Sunday (1-based) of a month (0-based), as a day of the month. */
function nthSunday(year: number, month: number, n: number): number {
  return 1 + ((7 - new Date(Date.UTC(year, month, 1)).getUTCDay()) % 7) + 7 * (n - 1);
}

/**
 * The instant an option expiring on `expirationDate` (YYYY-MM-DD) stops trading: 16:00 America/New_York.
 * US DST is applied by rule (EDT from the second Sunday of March to the first Sunday of November; the switch
 * happens at 02:00, so 16:00 on a switch day is already in the new offset), so no time-zone database is needed.
 */
export function expiryInstant(expirationDate: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(expirationDate);
  if (!m) throw new Error(`invalid expiration date: ${expirationDate}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const afterStart = mo > 2 || (mo === 2 && d >= nthSunday(y, 2, 2));
  const beforeEnd = mo < 10 || (mo === 10 && d < nthSunday(y, 10, 1));
  return new Date(Date.UTC(y, mo, d, 16 + (afterStart && beforeEnd ? 4 : 5)));
}

/** Years of 365 days from `now` to the expiry instant; 0 once past. */
export function yearsToExpiry(expirationDate: string, now: Date): number {
  return Math.max(0, (expiryInstant(expirationDate).getTime() - now.getTime()) / MS_PER_YEAR);
}
