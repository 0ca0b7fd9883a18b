import Decimal from 'decimal.js';
import { bsGreeks, bsPrice, expiryInstant } from './black-scholes';
import { valueLeg } from './valuation';
import { InvestmentClass, LegData, MarketEnv, OptionType, positionSign } from './types';

/**
 * The scenario engine (API.md "Risk analysis"): open legs valued with every underlying moved by a percentage,
 * implied volatility shifted by points (floored at 1 point) and the clock moved by calendar days. Options are
 * valued by Black-Scholes (intrinsic once expired by then), stocks linearly, PRIVATE legs do not move.
 * Pure: the callers choose the legs (open ones) and the market environment.
 */
export interface Scenario {
  priceChangePct: number; // −10 = every underlying down 10 %
  volChangePts: number; // +5 = 0.30 → 0.35
  daysForward: number; // calendar days from env.now
}

export interface ScenarioValuation {
  /** Exact; computed when first read (a stress test ranks hundreds of strategies by `approxValue` first). */
  readonly marketValue: Decimal;
  /** marketValue in floating point, for ranking. */
  approxValue: number;
  netDelta: number;
  netGamma: number;
  netTheta: number;
  netVega: number;
}

export const NO_CHANGE: Readonly<Scenario> = { priceChangePct: 0, volChangePts: 0, daysForward: 0 };

/** The standard stress set, in API.md's order (Portfolio.stressTest without scenarios). */
export const STANDARD_STRESS_SET: readonly (Scenario & { label: string })[] = [
  ...[-20, -10, -5, 5, 10, 20].map((p) => ({
    label: `${p > 0 ? '+' : ''}${p}%`,
    priceChangePct: p,
    volChangePts: 0,
    daysForward: 0,
  })),
  { label: 'vol +10', priceChangePct: 0, volChangePts: 10, daysForward: 0 },
  { label: 'vol -10', priceChangePct: 0, volChangePts: -10, daysForward: 0 },
  { label: 'crash (-20% / vol +15)', priceChangePct: -20, volChangePts: 15, daysForward: 0 },
];

/** The volatility a shift leaves, floored at 1 point. */
export const MIN_VOLATILITY = 0.01;
const MS_PER_DAY = 86_400_000;
const MS_PER_YEAR = 365 * MS_PER_DAY;

/** "-10% / +5 vol / +7d": the label of a scenario the caller did not name. */
export function scenarioLabel(s: Scenario): string {
  const signed = (x: number) => (x > 0 ? `+${x}` : `${x}`);
  return `${signed(s.priceChangePct)}% / ${signed(s.volChangePts)} vol / ${signed(s.daysForward)}d`;
}

interface OptionTerm {
  type: OptionType;
  strike: number;
  expiresAt: number; // ms since the epoch
  vol: number;
  spotN: number | null; // the underlying's price now; null: only a given price can value it
  scale: Decimal; // sign × quantity × multiplier
  scaleN: number;
  scaleInt: number | null; // the scale when it is a whole number
  current: Decimal; // its market value now: what it keeps when it cannot be modelled
  currentN: number;
}
/** Legs prepared once for any number of scenarios. */
export interface ScenarioBook {
  options: OptionTerm[];
  /** Stocks (and other linear legs) summed: Σ scale × price now, and Σ scale; all move by the same factor. */
  linearValue: Decimal;
  linearScale: Decimal;
  linearValueN: number;
  linearScaleN: number;
  /** Value of the legs that never move (PRIVATE). */
  fixed: Decimal;
  fixedN: number;
  /** Σ sign × quantity × multiplier × entry price of every leg. */
  costBasis: Decimal;
  now: number;
  riskFreeRate: number;
}

/** A leg, optionally with its market value and cost basis now (else computed here, as Leg valuation does). */
export type ScenarioLeg = LegData & { marketValue?: Decimal; costBasis?: Decimal };

/** Expiry instants by date (a book is built for every strategy of a stress test; expiries repeat). */
const expiries = new Map<string, number>();
function expiresAt(date: string): number {
  let t = expiries.get(date);
  if (t === undefined) {
    t = expiryInstant(date).getTime();
    if (expiries.size > 10_000) expiries.clear();
    expiries.set(date, t);
  }
  return t;
}

export function scenarioBook(legs: readonly ScenarioLeg[], env: MarketEnv): ScenarioBook {
  const zero = new Decimal(0);
  const book: ScenarioBook = {
    options: [],
    linearValue: zero,
    linearScale: zero,
    linearValueN: 0,
    linearScaleN: 0,
    fixed: zero,
    fixedN: 0,
    costBasis: zero,
    now: env.now.getTime(),
    riskFreeRate: env.riskFreeRate,
  };
  for (const leg of legs) {
    const units = leg.multiplier === 1 ? leg.quantity : leg.quantity.mul(leg.multiplier);
    const scale = positionSign(leg.positionType) === 1 ? units : units.neg();
    book.costBasis = book.costBasis.plus(leg.costBasis ?? scale.mul(leg.entryPrice));
    const current = () => leg.marketValue ?? valueLeg(leg, env).marketValue;
    if (leg.investmentClass === InvestmentClass.PRIVATE) {
      book.fixed = book.fixed.plus(current());
    } else if (leg.optionType && leg.strikePrice && leg.expirationDate) {
      const scaleN = scale.toNumber();
      book.options.push({
        type: leg.optionType,
        strike: leg.strikePrice.toNumber(),
        expiresAt: expiresAt(leg.expirationDate),
        vol: leg.impliedVolatility ?? env.defaultVolatility,
        spotN: env.prices.get(leg.underlyingSymbol)?.toNumber() ?? null,
        scale,
        scaleN,
        // Below 2^21 a float keeps 8 decimals apart from whole numbers, so its integer test is the decimal's.
        scaleInt: Number.isInteger(scaleN) && Math.abs(scaleN) < 2 ** 21 ? scaleN : null,
        current: current(),
        currentN: 0,
      });
    } else {
      // A stock without a published price is valued at its entry price, and moves from there.
      book.linearValue = book.linearValue.plus(
        leg.marketValue ?? scale.mul(env.prices.get(leg.symbol) ?? leg.entryPrice),
      );
      book.linearScale = book.linearScale.plus(scale);
    }
  }
  book.linearValueN = book.linearValue.toNumber();
  book.fixedN = book.fixed.toNumber();
  for (const o of book.options) if (o.spotN === null) o.currentN = o.current.toNumber();
  book.linearScaleN = book.linearScale.toNumber();
  return book;
}

/** 1 + pct/100 as an exact decimal, kept for the few percentages a request uses. */
const growths = new Map<number, Decimal>();
function growth(pct: number): Decimal {
  let g = growths.get(pct);
  if (!g) {
    g = new Decimal(pct).div(100).plus(1);
    if (growths.size > 1000) growths.clear();
    growths.set(pct, g);
  }
  return g;
}

/**
 * The book's value and net greeks under a scenario. With `underlyingPrice` every underlying is at that price
 * instead of moved by the percentage (the T+0 curve of a one-underlying strategy). An option whose underlying has
 * no price (and no price is given) keeps its current value and has no greeks.
 */
export function valueScenario(book: ScenarioBook, s: Scenario, underlyingPrice?: Decimal): ScenarioValuation {
  const factor = 1 + s.priceChangePct / 100;
  const given = underlyingPrice?.toNumber();
  const at = book.now + s.daysForward * MS_PER_DAY;
  const shift = s.volChangePts / 100;
  // Decimal parts: legs that do not move, and option terms too large to count exactly in floating point.
  let extra = book.fixed;
  let extraN = book.fixedN;
  // Per-share model values are kept to 4 decimals (as Leg valuation does for MODEL prices), counted in ten-thousandths:
  // with a whole-number scale the sum is an exact integer in floating point, and one Decimal is made at the end.
  let ticks = 0;
  let netDelta = book.linearScaleN,
    netGamma = 0,
    netTheta = 0,
    netVega = 0;
  for (const o of book.options) {
    const S = given ?? (o.spotN === null ? null : o.spotN * factor);
    if (S === null) {
      extra = extra.plus(o.current);
      extraN += o.currentN;
      continue;
    }
    const T = Math.max(0, (o.expiresAt - at) / MS_PER_YEAR);
    const vol = Math.max(o.vol + shift, MIN_VOLATILITY);
    const price = Math.round(bsPrice(o.type, S, o.strike, T, book.riskFreeRate, vol) * 10_000);
    const term = o.scaleInt === null ? NaN : o.scaleInt * price;
    if (Number.isSafeInteger(term) && Number.isSafeInteger(ticks + term)) ticks += term;
    else {
      extra = extra.plus(o.scale.mul(price).div(10_000));
      extraN += (o.scaleN * price) / 10_000;
    }
    const g = bsGreeks(o.type, S, o.strike, T, book.riskFreeRate, vol);
    netDelta += o.scaleN * g.delta;
    netGamma += o.scaleN * g.gamma;
    netTheta += o.scaleN * g.theta;
    netVega += o.scaleN * g.vega;
  }
  const linear = () =>
    underlyingPrice
      ? book.linearScale.mul(underlyingPrice)
      : s.priceChangePct === 0
        ? book.linearValue
        : book.linearValue.mul(growth(s.priceChangePct));
  const linearN =
    given !== undefined ? book.linearScaleN * given : book.linearValueN * (s.priceChangePct === 0 ? 1 : factor);
  let exact: Decimal | undefined;
  return {
    get marketValue() {
      // (Long and short stock may cancel in scale but not in value: a pairs trade.)
      exact ??= [
        book.linearScale.isZero() && book.linearValue.isZero() ? null : linear(),
        ticks ? new Decimal(`${ticks}e-4`) : null,
      ].reduce<Decimal>((a, x) => (x ? a.plus(x) : a), extra);
      return exact;
    },
    approxValue: extraN + linearN + ticks / 10_000,
    netDelta,
    netGamma,
    netTheta,
    netVega,
  };
}

/** A decimal with at most 4 decimals in ten-thousandths, or null when it has more or is too large to count exactly. */
function tenThousandths(d: Decimal, n = num(d)): number | null {
  if (d.decimalPlaces() > 4) return null;
  const t = Math.round(n * 10_000);
  // Below 2^50 the float product is within 1/4 of the exact whole number, so rounding recovers it.
  return Math.abs(t) < 2 ** 50 ? t : null;
}

/**
 * The T+0 curve's P&L: at each price, the book's value with every underlying at that price under the scenario,
 * minus its cost basis, to the cent: `valueScenario(book, s, x).marketValue.minus(book.costBasis)
 * .toDecimalPlaces(2)`. Counted in whole ten-thousandths when every part allows it (as it does for listed legs), with
 * the same rounding (half away from zero); any other point is valued by valueScenario itself.
 */
export function curvePnl(book: ScenarioBook, s: Scenario, prices: readonly Decimal[]): Decimal[] {
  const exactly = (x: Decimal) => valueScenario(book, s, x).marketValue.minus(book.costBasis).toDecimalPlaces(2);
  const fixed = tenThousandths(book.fixed);
  const cost = tenThousandths(book.costBasis);
  const linearScale = book.linearScale.isInteger() ? num(book.linearScale) : NaN;
  if (
    Decimal.rounding !== Decimal.ROUND_HALF_UP ||
    fixed === null ||
    cost === null ||
    !Number.isSafeInteger(linearScale) ||
    book.options.some((o) => o.scaleInt === null)
  ) {
    return prices.map(exactly);
  }
  const at = book.now + s.daysForward * MS_PER_DAY;
  const shift = s.volChangePts / 100;
  const terms = book.options.map((o) => ({
    o,
    T: Math.max(0, (o.expiresAt - at) / MS_PER_YEAR),
    vol: Math.max(o.vol + shift, MIN_VOLATILITY),
  }));
  return prices.map((x) => {
    // (A point is a new decimal: converted once, not kept.)
    const S = x.toNumber();
    const X = tenThousandths(x, S);
    if (X === null) return exactly(x);
    // Whole numbers below 2^52 at every step: every sum and product is exact.
    const small = (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 52;
    let ticks = fixed - cost;
    const linear = linearScale * X;
    let ok = small(linear) && small((ticks += linear));
    for (let i = 0; ok && i < terms.length; i++) {
      const { o, T, vol } = terms[i];
      const term = o.scaleInt! * Math.round(bsPrice(o.type, S, o.strike, T, book.riskFreeRate, vol) * 10_000);
      ok = small(term) && small((ticks += term));
    }
    if (!ok) return exactly(x);
    // To the cent, half away from zero (Decimal's ROUND_HALF_UP), on the magnitude.
    const up = Math.abs(ticks) + 50;
    return new Decimal(`${ticks < 0 ? '-' : ''}${(up - (up % 100)) / 100}e-2`);
  });
}

/** One scenario's value and its P&L against the same engine with nothing changed (0 for a scenario of zeros). */
export function runScenario(
  book: ScenarioBook,
  s: Scenario,
  base = valueScenario(book, NO_CHANGE),
): ScenarioValuation & { readonly pnl: Decimal; approxPnl: number } {
  const v = valueScenario(book, s);
  return {
    get marketValue() {
      return v.marketValue;
    },
    get pnl() {
      return v.marketValue.minus(base.marketValue);
    },
    approxValue: v.approxValue,
    approxPnl: v.approxValue - base.approxValue,
    netDelta: v.netDelta,
    netGamma: v.netGamma,
    netTheta: v.netTheta,
    netVega: v.netVega,
  };
}

// ---- the stress test: many strategies under a few scenarios ------------------------------------------------

/** Decimal → number, kept per Decimal object (decimal.js converts through a string; legs share their rows' values). */
const numbers = new WeakMap<Decimal, number>();
function num(d: Decimal): number {
  let n = numbers.get(d);
  if (n === undefined) {
    n = d.toNumber();
    numbers.set(d, n);
  }
  return n;
}

/** What a leg brings to a book whatever the market: its kind, scale and contract terms. */
interface LegTerms {
  kind: 'fixed' | 'option' | 'linear';
  scale: Decimal;
  scaleN: number;
  scaleInt: number | null;
  type: OptionType | null;
  strike: number;
  expiresAt: number;
  vol: number | null; // the leg's own implied volatility
  /** The contract's terms as a key (type, strike, expiry, own volatility); with the underlying's price, a contract. */
  contractKey: string;
}

/**
 * A leg's terms, kept per leg object when it is frozen (the read path's leg views are, and are shared by the reads
 * that find their row and prices unchanged), so a stress test does not convert the same decimals again.
 */
const legTermsCache = new WeakMap<object, LegTerms>();
function legTerms(leg: ScenarioLeg): LegTerms {
  const known = legTermsCache.get(leg);
  if (known) return known;
  const units = leg.multiplier === 1 ? leg.quantity : leg.quantity.mul(leg.multiplier);
  const scale = positionSign(leg.positionType) === 1 ? units : units.neg();
  const scaleN = num(scale);
  const option = leg.optionType && leg.strikePrice && leg.expirationDate;
  const t: LegTerms = {
    kind: leg.investmentClass === InvestmentClass.PRIVATE ? 'fixed' : option ? 'option' : 'linear',
    scale,
    scaleN,
    // Below 2^21 a float keeps 8 decimals apart from whole numbers, so its integer test is the decimal's.
    scaleInt: Number.isInteger(scaleN) && Math.abs(scaleN) < 2 ** 21 ? scaleN : null,
    type: leg.optionType,
    strike: option ? num(leg.strikePrice!) : 0,
    expiresAt: option ? expiresAt(leg.expirationDate!) : 0,
    vol: leg.impliedVolatility,
    contractKey: option
      ? `${leg.optionType}|${num(leg.strikePrice!)}|${leg.expirationDate}|${leg.impliedVolatility}`
      : '',
  };
  if (Object.isFrozen(leg)) legTermsCache.set(leg, t);
  return t;
}

/**
 * Groups of legs (a portfolio's strategies) prepared for any number of scenarios: every distinct option contract
 * (type, strike, expiry, volatility, underlying price) is valued once per scenario, whatever the number of legs
 * holding it, and each leg adds its scaled value to its group and to the whole. The whole's figures are those of
 * `valueScenario` over `scenarioBook` of all the legs (the same operations in the same order); a group's are its
 * value in floating point (`approxValue`), for ranking, and its exact value on demand (`stressGroupValue`).
 */
export interface StressBook {
  groups: number;
  now: number;
  riskFreeRate: number;
  /** Distinct contracts: type (1 call, 0 put), strike, expiry, volatility, spot (NaN: no price). */
  contracts: { call: Uint8Array; strike: Float64Array; expiresAt: Float64Array; vol: Float64Array; spot: Float64Array };
  /** Option legs in the order given: contract, group, scale, whole-number scale (NaN when none). */
  options: { contract: Int32Array; group: Int32Array; scaleN: Float64Array; scaleInt: Float64Array };
  /** Per option leg: its scale and current value as decimals (for the rare terms counted exactly in decimals). */
  optionScale: Decimal[];
  optionCurrent: (Decimal | null)[];
  optionCurrentN: Float64Array;
  /** Per group: fixed value and linear value now, in floating point; 1 when every option of it can be modelled. */
  groupFixedN: Float64Array;
  groupLinearN: Float64Array;
  groupModelled: Uint8Array;
  /** The groups' legs and the environment, for a group's exact parts (made when first asked for). */
  legs: readonly (readonly ScenarioLeg[])[];
  env: MarketEnv;
  groupParts: ({ fixed: Decimal; linearValue: Decimal; linearScale: Decimal } | undefined)[];
  /** The whole, as scenarioBook would have it. */
  fixed: Decimal;
  fixedN: number;
  linearValue: Decimal;
  linearScale: Decimal;
  linearValueN: number;
  linearScaleN: number;
}

export function stressBook(groups: readonly (readonly ScenarioLeg[])[], env: MarketEnv): StressBook {
  let n = 0;
  for (const legs of groups) n += legs.length;
  // Contracts: a local number per terms (the same string per cached leg, hashed once) and per underlying price.
  const termIds = new Map<string, number>();
  const spots = new Map<string, { i: number; spot: number }>();
  const keys = new Map<number, number>();
  const c = {
    call: new Uint8Array(n),
    strike: new Float64Array(n),
    expiresAt: new Float64Array(n),
    vol: new Float64Array(n),
    spot: new Float64Array(n),
  };
  const o = {
    contract: new Int32Array(n),
    group: new Int32Array(n),
    scaleN: new Float64Array(n),
    scaleInt: new Float64Array(n),
  };
  const optionScale: Decimal[] = [];
  const optionCurrent: (Decimal | null)[] = [];
  const optionCurrentN = new Float64Array(n);
  const groupFixedN = new Float64Array(groups.length);
  const groupLinearN = new Float64Array(groups.length);
  const groupModelled = new Uint8Array(groups.length).fill(1);
  let contracts = 0;
  let options = 0;
  let fixed = new Decimal(0);
  let linearValue = fixed;
  let linearScale = fixed;
  for (let g = 0; g < groups.length; g++) {
    for (const leg of groups[g]) {
      const t = legTerms(leg);
      if (t.kind === 'fixed') {
        const value = leg.marketValue ?? valueLeg(leg, env).marketValue;
        fixed = fixed.plus(value);
        groupFixedN[g] += num(value);
      } else if (t.kind === 'option') {
        let u = spots.get(leg.underlyingSymbol);
        if (!u) {
          const p = env.prices.get(leg.underlyingSymbol);
          spots.set(leg.underlyingSymbol, (u = { i: spots.size, spot: p ? num(p) : NaN }));
        }
        let id = termIds.get(t.contractKey);
        if (id === undefined) termIds.set(t.contractKey, (id = termIds.size));
        // One contract per terms and underlying (each fewer than the legs, n: the key is unique).
        const key = id * n + u.i;
        let k = keys.get(key);
        if (k === undefined) {
          keys.set(key, (k = contracts++));
          c.call[k] = t.type === OptionType.CALL ? 1 : 0;
          c.strike[k] = t.strike;
          c.expiresAt[k] = t.expiresAt;
          c.vol[k] = t.vol ?? env.defaultVolatility;
          c.spot[k] = u.spot;
        }
        const i = options++;
        o.contract[i] = k;
        o.group[i] = g;
        o.scaleN[i] = t.scaleN;
        o.scaleInt[i] = t.scaleInt ?? NaN;
        optionScale.push(t.scale);
        // Only an option that cannot be modelled (no underlying price) keeps its current value.
        const current = Number.isNaN(u.spot) ? (leg.marketValue ?? valueLeg(leg, env).marketValue) : null;
        optionCurrent.push(current);
        if (current) {
          groupModelled[g] = 0;
          optionCurrentN[i] = num(current);
        }
      } else {
        const value = leg.marketValue ?? t.scale.mul(env.prices.get(leg.symbol) ?? leg.entryPrice);
        linearValue = linearValue.plus(value);
        linearScale = linearScale.plus(t.scale);
        groupLinearN[g] += num(value);
      }
    }
  }
  return {
    groups: groups.length,
    now: env.now.getTime(),
    riskFreeRate: env.riskFreeRate,
    contracts: {
      call: c.call.subarray(0, contracts),
      strike: c.strike.subarray(0, contracts),
      expiresAt: c.expiresAt.subarray(0, contracts),
      vol: c.vol.subarray(0, contracts),
      spot: c.spot.subarray(0, contracts),
    },
    options: {
      contract: o.contract.subarray(0, options),
      group: o.group.subarray(0, options),
      scaleN: o.scaleN.subarray(0, options),
      scaleInt: o.scaleInt.subarray(0, options),
    },
    optionScale,
    optionCurrent,
    optionCurrentN: optionCurrentN.subarray(0, options),
    groupFixedN,
    groupLinearN,
    groupModelled,
    legs: groups,
    env,
    groupParts: [],
    fixed,
    fixedN: fixed.toNumber(),
    linearValue,
    linearScale,
    linearValueN: linearValue.toNumber(),
    linearScaleN: linearScale.toNumber(),
  };
}

/** A stress book's valuation under one scenario. */
export interface StressValuation {
  whole: ScenarioValuation;
  /** Each group's value in floating point. */
  groups: Float64Array;
  /** Each group's option values in ten-thousandths, exact where `groupExact` is 1 (no term needed a decimal). */
  groupTicks: Float64Array;
  groupExact: Uint8Array;
}

/** The whole's valuation under a scenario, and each group's value in floating point. */
export function valueStress(book: StressBook, s: Scenario): StressValuation {
  const factor = 1 + s.priceChangePct / 100;
  const at = book.now + s.daysForward * MS_PER_DAY;
  const shift = s.volChangePts / 100;
  const r = book.riskFreeRate;
  // Every contract once: its price per share in ten-thousandths (as valueScenario rounds it) and its greeks.
  const { call, strike, expiresAt: exp, vol: vols, spot } = book.contracts;
  const n = call.length;
  const ticksOf = new Float64Array(n);
  const delta = new Float64Array(n);
  const gamma = new Float64Array(n);
  const theta = new Float64Array(n);
  const vega = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    if (Number.isNaN(spot[k])) continue;
    const type = call[k] ? OptionType.CALL : OptionType.PUT;
    const S = spot[k] * factor;
    const T = Math.max(0, (exp[k] - at) / MS_PER_YEAR);
    const vol = Math.max(vols[k] + shift, MIN_VOLATILITY);
    ticksOf[k] = Math.round(bsPrice(type, S, strike[k], T, r, vol) * 10_000);
    const g = bsGreeks(type, S, strike[k], T, r, vol);
    delta[k] = g.delta;
    gamma[k] = g.gamma;
    theta[k] = g.theta;
    vega[k] = g.vega;
  }
  // The legs, in order: the whole's sums exactly as valueScenario makes them, and each group's.
  const groups = new Float64Array(book.groups);
  const groupTicks = new Float64Array(book.groups);
  const groupExact = Uint8Array.from(book.groupModelled);
  const { contract, group, scaleN, scaleInt } = book.options;
  const extraTerms: Decimal[] = [];
  let extraN = book.fixedN;
  let ticks = 0;
  let netDelta = book.linearScaleN,
    netGamma = 0,
    netTheta = 0,
    netVega = 0;
  for (let i = 0; i < contract.length; i++) {
    const k = contract[i];
    const g = group[i];
    const current = book.optionCurrent[i];
    if (current) {
      extraTerms.push(current);
      extraN += book.optionCurrentN[i];
      groups[g] += book.optionCurrentN[i];
      continue;
    }
    const price = ticksOf[k];
    const term = scaleInt[i] * price; // NaN without a whole-number scale
    if (Number.isSafeInteger(term) && Number.isSafeInteger(ticks + term)) ticks += term;
    else {
      extraTerms.push(book.optionScale[i].mul(price).div(10_000));
      extraN += (scaleN[i] * price) / 10_000;
    }
    if (Number.isSafeInteger(term) && Number.isSafeInteger(groupTicks[g] + term)) groupTicks[g] += term;
    else {
      groups[g] += (scaleN[i] * price) / 10_000;
      groupExact[g] = 0;
    }
    netDelta += scaleN[i] * delta[k];
    netGamma += scaleN[i] * gamma[k];
    netTheta += scaleN[i] * theta[k];
    netVega += scaleN[i] * vega[k];
  }
  const move = s.priceChangePct === 0 ? 1 : factor;
  for (let g = 0; g < book.groups; g++) {
    groups[g] += book.groupFixedN[g] + book.groupLinearN[g] * move + groupTicks[g] / 10_000;
  }
  let exact: Decimal | undefined;
  const whole: ScenarioValuation = {
    get marketValue() {
      if (exact) return exact;
      let extra = book.fixed;
      for (const x of extraTerms) extra = extra.plus(x);
      exact = exactValue(extra, book, ticks, s);
      return exact;
    },
    approxValue: extraN + book.linearValueN * move + ticks / 10_000,
    netDelta,
    netGamma,
    netTheta,
    netVega,
  };
  return { whole, groups, groupTicks, groupExact };
}

/**
 * Group `g`'s exact value under the scenario of `run` (valueStress's), as `valueScenario` over `scenarioBook` of the
 * group's legs makes it (the same decimals added in the same order); null when one of its terms is not counted in
 * whole ten-thousandths (an option that cannot be modelled, a fractional or huge term): value its own book then.
 */
export function stressGroupValue(book: StressBook, g: number, s: Scenario, run: StressValuation): Decimal | null {
  if (!run.groupExact[g]) return null;
  let parts = book.groupParts[g];
  if (!parts) {
    let fixed = new Decimal(0);
    let linearValue = fixed;
    let linearScale = fixed;
    for (const leg of book.legs[g]) {
      const t = legTerms(leg);
      if (t.kind === 'fixed') fixed = fixed.plus(leg.marketValue ?? valueLeg(leg, book.env).marketValue);
      else if (t.kind === 'linear') {
        linearValue = linearValue.plus(
          leg.marketValue ?? t.scale.mul(book.env.prices.get(leg.symbol) ?? leg.entryPrice),
        );
        linearScale = linearScale.plus(t.scale);
      }
    }
    book.groupParts[g] = parts = { fixed, linearValue, linearScale };
  }
  return exactValue(parts.fixed, parts, run.groupTicks[g], s);
}

/**
 * An exact value under scenario `s`, as valueScenario adds it up: `start` (the fixed terms), then the linear terms'
 * value moved by the scenario's price change, then `ticks` ten-thousandths (the modelled options' values).
 */
function exactValue(
  start: Decimal,
  { linearValue, linearScale }: { linearValue: Decimal; linearScale: Decimal },
  ticks: number,
  s: Scenario,
): Decimal {
  const linear =
    linearScale.isZero() && linearValue.isZero()
      ? null
      : s.priceChangePct === 0
        ? linearValue
        : linearValue.mul(growth(s.priceChangePct));
  return [linear, ticks ? new Decimal(`${ticks}e-4`) : null].reduce<Decimal>((a, x) => (x ? a.plus(x) : a), start);
}

/**
 * The indices of the `k` smallest negative values, smallest first, equal values in index order: what a stable sort of
 * the negative ones, cut to `k`, gives, in one pass without sorting them all.
 */
export function smallestNegative(values: ArrayLike<number>, k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v < 0)) continue;
    // After every kept value not above it: a later index goes after the equal ones.
    let at = out.length;
    while (at > 0 && values[out[at - 1]] > v) at--;
    if (at < k) {
      out.splice(at, 0, i);
      if (out.length > k) out.pop();
    }
  }
  return out;
}
