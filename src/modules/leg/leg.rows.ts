import type Decimal from 'decimal.js';
import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import type { MarketEnv } from '../../domain/types';
import type { valueLeg } from '../../domain/valuation';
import { rowsOf } from '../../infra/rows';
import { marketEnv } from '../market-data/price-snapshot';
import { LegEntity } from './leg.entity';

type Valuation = ReturnType<typeof valueLeg>;

/** How a read selects a legs row and makes it a LegEntity (from the entity's columns, see rowsOf). */
export const legRows = (ds: DataSource) => rowsOf(ds, LegEntity);

/**
 * A leg as the API shows it: the stored columns plus its valuation at the request's prices (price, source,
 * market value, cost basis, P&L, greeks) and the latest prices of its symbol and underlying, as plain properties.
 */
export type LegView = LegEntity & Valuation & { lastPrice: Decimal | null; underlyingPrice: Decimal | null };

/**
 * A new object per valuation (the cached row is shared and never written to): the row's columns (the same list the
 * read selects), then the valuation's fields, then the prices, always in this order, so every view has one shape
 * (spreading the entity made slow dictionary-mode objects, measured 4 µs each).
 */
export function legView(
  ds: DataSource,
  leg: Readonly<LegEntity>,
  valuation: Readonly<Valuation>,
  lastPrice: Decimal | null,
  underlyingPrice: Decimal | null,
): LegView {
  const view: Record<string, unknown> = {};
  for (const p of legRows(ds).props) view[p] = leg[p];
  return Object.assign(view, valuation, { lastPrice, underlyingPrice }) as unknown as LegView;
}

/** What a load asks for each leg: id, row version and the latest prices of its symbol and underlying. */
export interface LegKeyRow {
  id: string;
  v: string;
  symbol_price: string | null;
  underlying_price: string | null;
}
/** LegKeyRow's columns over `legs l` joined with LEG_PRICE_JOINS. */
export const LEG_KEY_COLUMNS =
  'l.id, l.xmin::text AS v, ms.last_price AS symbol_price, mu.last_price AS underlying_price';
export const LEG_PRICE_JOINS =
  'LEFT JOIN market_data ms ON ms.symbol = l.symbol LEFT JOIN market_data mu ON mu.symbol = l.underlying_symbol';
/** The order legs are listed in: open before closed, then by leg order. */
export const LEG_ORDER = 'l.status, l.leg_order, l.created_at';

/** The prices a set of leg views was valued with, as a market environment (for payoff analysis). */
export function envOfLegs(cfg: Config, legs: readonly LegView[], now = new Date()): MarketEnv {
  const prices: [string, Decimal][] = [];
  for (const l of legs) {
    if (l.lastPrice) prices.push([l.symbol, l.lastPrice]);
    if (l.underlyingPrice) prices.push([l.underlyingSymbol, l.underlyingPrice]);
  }
  return marketEnv(cfg, prices, now);
}
