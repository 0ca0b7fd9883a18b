import Decimal from 'decimal.js';
import type { Config } from '../../config';
import type { MarketEnv } from '../../domain/types';

/** Market environment for a set of price rows: the one place where `now`, rate and volatility are chosen. */
export function marketEnv(cfg: Config, prices: Iterable<[string, Decimal]>, now = new Date()): MarketEnv {
  return {
    now,
    riskFreeRate: cfg.RISK_FREE_RATE,
    defaultVolatility: cfg.DEFAULT_IMPLIED_VOLATILITY,
    prices: new Map(prices),
  };
}

/** Requests value at whole seconds, so reads within one second at unchanged prices reuse their valuations. */
export const VALUATION_CLOCK_MS = 1000;

/** The instant a request values at: `now` truncated to VALUATION_CLOCK_MS. */
export function valuationInstant(now = new Date()): Date {
  return new Date(now.getTime() - (now.getTime() % VALUATION_CLOCK_MS));
}

/**
 * One snapshot per read: the prices and the instant everything in one response is valued at. A symbol's price is
 * the first one a statement of the request returned for it (or its absence); later statements of the same request
 * (the portfolio's totals, a leg or a strategy read on its own) are valued at that same price even when a newer one
 * arrived meanwhile, so the legs, their strategies' metrics and the totals of one answer add up exactly.
 * `env` is the market environment of the snapshot (its price map grows as symbols are first seen).
 */
export class PriceSnapshot {
  /** Each symbol's price as PostgreSQL sent it (null: no price), once seen. */
  private readonly text = new Map<string, string | null>();
  private readonly prices = new Map<string, Decimal>();
  readonly env: MarketEnv;

  constructor(
    cfg: Config,
    readonly now: Date,
  ) {
    // The environment's price map is this snapshot's own: it grows as symbols are first seen.
    this.env = { ...marketEnv(cfg, [], now), prices: this.prices };
  }

  /** `symbol`'s price in this snapshot, as text: the one taken before, else `seen` (a statement's), which it keeps. */
  take(symbol: string, seen: string | null): string | null {
    const known = this.text.get(symbol);
    if (known !== undefined) return known;
    this.text.set(symbol, seen);
    if (seen != null) this.prices.set(symbol, new Decimal(seen));
    return seen;
  }

  price(symbol: string): Decimal | null {
    return this.prices.get(symbol) ?? null;
  }
}
