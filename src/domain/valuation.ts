import Decimal from 'decimal.js';
import { bsGreeks, bsPrice, yearsToExpiry } from './black-scholes';
import { Greeks, InvestmentClass, LegData, LegStatus, MarketEnv, PriceSource, positionSign } from './types';

export interface LegValuation {
  price: Decimal;
  priceSource: PriceSource;
  marketValue: Decimal;
  costBasis: Decimal;
  unrealizedPnl: Decimal;
  greeks: Greeks | null;
}

export interface ValuationTotals {
  marketValue: Decimal;
  costBasis: Decimal;
  unrealizedPnl: Decimal;
  netDelta: number;
  netGamma: number;
  netTheta: number;
  netVega: number;
}

/** Black-Scholes inputs of an option leg, or null when it is not an option or its underlying price is unknown. */
function modelInputs(leg: LegData, env: MarketEnv) {
  const S = env.prices.get(leg.underlyingSymbol);
  if (!leg.optionType || !leg.strikePrice || !leg.expirationDate || !S) return null;
  return [
    leg.optionType,
    S.toNumber(),
    leg.strikePrice.toNumber(),
    yearsToExpiry(leg.expirationDate, env.now),
    env.riskFreeRate,
    leg.impliedVolatility ?? env.defaultVolatility,
  ] as const;
}

function priceOf(leg: LegData, env: MarketEnv, lastKnownPrice?: Decimal | null): [Decimal, PriceSource] {
  // PRIVATE holdings have no market data feed: their last known price (e.g. a published NAV) is the market price.
  const market =
    (leg.investmentClass === InvestmentClass.PRIVATE ? lastKnownPrice : null) ?? env.prices.get(leg.symbol);
  if (market) return [market, PriceSource.MARKET];
  const inputs = leg.investmentClass === InvestmentClass.PRIVATE ? null : modelInputs(leg, env);
  if (inputs) return [new Decimal(bsPrice(...inputs)).toDecimalPlaces(4), PriceSource.MODEL];
  return [leg.entryPrice, PriceSource.ENTRY];
}

function greeksOf(leg: LegData, env: MarketEnv, scale: number): Greeks | null {
  if (leg.investmentClass === InvestmentClass.PRIVATE) return null;
  if (!leg.optionType) return { delta: scale, gamma: 0, theta: 0, vega: 0, rho: 0 };
  const inputs = modelInputs(leg, env);
  if (!inputs) return null;
  const g = bsGreeks(...inputs);
  return {
    delta: scale * g.delta,
    gamma: scale * g.gamma,
    theta: scale * g.theta,
    vega: scale * g.vega,
    rho: scale * g.rho,
  };
}

/**
 * Values one leg (API.md "Money and risk conventions"). `lastKnownPrice` is only used for PRIVATE legs, which
 * never fail for lack of market data and carry no greeks.
 */
export function valueLeg(leg: LegData, env: MarketEnv, lastKnownPrice?: Decimal | null): LegValuation {
  // A CLOSED leg is frozen: it holds nothing (no value, cost or greeks) and its mark is the exit price.
  if (leg.status === LegStatus.CLOSED) {
    const zero = new Decimal(0);
    return {
      price: leg.exitPrice!,
      priceSource: PriceSource.MARKET,
      marketValue: zero,
      costBasis: zero,
      unrealizedPnl: zero,
      greeks: null,
    };
  }
  const scale = signedUnits(leg);
  const [price, priceSource] = priceOf(leg, env, lastKnownPrice);
  const costBasis = scale.mul(leg.entryPrice);
  const marketValue = scale.mul(price);
  return {
    price,
    priceSource,
    marketValue,
    costBasis,
    unrealizedPnl: marketValue.minus(costBasis),
    greeks: greeksOf(leg, env, scale.toNumber()),
  };
}

/** sign × quantity × multiplier; the common multiplier 1 and the sign need no decimal multiplication. */
export function signedUnits(leg: Pick<LegData, 'quantity' | 'multiplier' | 'positionType'>): Decimal {
  const units = leg.multiplier === 1 ? leg.quantity : leg.quantity.mul(leg.multiplier);
  return positionSign(leg.positionType) === 1 ? units : units.neg();
}

/** Realized P&L of a leg: sign × quantity × multiplier × (exitPrice − entryPrice) once CLOSED, else 0. */
export function realizedPnl(
  leg: Pick<LegData, 'quantity' | 'multiplier' | 'positionType' | 'entryPrice' | 'status' | 'exitPrice'>,
): Decimal {
  if (leg.status !== LegStatus.CLOSED || !leg.exitPrice) return new Decimal(0);
  return signedUnits(leg).mul(leg.exitPrice.minus(leg.entryPrice));
}

/** Only the legs still held: every market calculation (totals, greeks, payoff, detection) counts these. */
export const openLegs = <T extends { status?: LegStatus }>(legs: readonly T[]): T[] =>
  legs.filter((l) => l.status !== LegStatus.CLOSED);

/** Strategy or portfolio totals; legs without greeks count as zero. */
export function sumValuations(values: readonly LegValuation[]): ValuationTotals {
  const zero = new Decimal(0);
  const sum = (f: (v: LegValuation) => Decimal) => values.reduce((a, v) => a.plus(f(v)), zero);
  const net = (k: keyof Greeks) => values.reduce((a, v) => a + (v.greeks?.[k] ?? 0), 0);
  return {
    marketValue: sum((v) => v.marketValue),
    costBasis: sum((v) => v.costBasis),
    unrealizedPnl: sum((v) => v.unrealizedPnl),
    netDelta: net('delta'),
    netGamma: net('gamma'),
    netTheta: net('theta'),
    netVega: net('vega'),
  };
}

/**
 * Totals of totals (a portfolio's or a group's, from its strategies' sums): added in the order given, so a client
 * adding the strategies of one answer in that order gets these figures exactly, greeks included.
 */
export function sumTotals(parts: readonly ValuationTotals[]): ValuationTotals {
  const zero = new Decimal(0);
  const sum = (f: (t: ValuationTotals) => Decimal) => parts.reduce((a, t) => a.plus(f(t)), zero);
  const net = (f: (t: ValuationTotals) => number) => parts.reduce((a, t) => a + f(t), 0);
  return {
    marketValue: sum((t) => t.marketValue),
    costBasis: sum((t) => t.costBasis),
    unrealizedPnl: sum((t) => t.unrealizedPnl),
    netDelta: net((t) => t.netDelta),
    netGamma: net((t) => t.netGamma),
    netTheta: net((t) => t.netTheta),
    netVega: net((t) => t.netVega),
  };
}
