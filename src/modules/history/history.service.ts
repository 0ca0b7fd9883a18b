import Decimal from 'decimal.js';
import type { DataSource } from 'typeorm';
import { read } from '../../data-source';
import {
  dailyReturns,
  pnlTimeline,
  returnFigures,
  type DailyClose,
  type HistoryLeg,
  type PerformanceFigures,
  type PnlDayRow,
} from '../../domain/history';
import { LegStatus } from '../../domain/types';
import { openLegs, realizedPnl, signedUnits } from '../../domain/valuation';
import type { Loaders } from '../../loaders';
import type { LegView } from '../leg/leg.rows';
import { REALIZED_SQL } from './history.loaders';

const today = () => new Date().toISOString().slice(0, 10);

export interface TradeFigures {
  closedCount: number;
  winningCount: number;
  losingCount: number;
  realizedPnl: Decimal;
  averageHoldingDays: number | null;
  profitFactor: number | null;
}

/**
 * Realized P&L, day P&L and the P&L history (API.md "Trade lifecycle and history"). History is computed on read from
 * the legs (entry and exit) and the daily bars: nothing per strategy is stored, so combine, split, add and remove
 * never lose it (see the README, "History: computed on read").
 */
export class HistoryService {
  constructor(private readonly ds: DataSource) {}

  /** Σ realized P&L of the CLOSED legs among `legs`. */
  realizedOf(legs: readonly LegView[]): Decimal {
    return legs.reduce((s, l) => (l.status === LegStatus.CLOSED ? s.plus(realizedPnl(l)) : s), new Decimal(0));
  }

  /** Every closed leg of the portfolio, in closed strategies too. */
  realizedOfPortfolio(loaders: Loaders, portfolioId: string): Promise<Decimal> {
    return loaders.history.realizedOfPortfolio.load(portfolioId);
  }

  /**
   * A leg's day P&L: market value now minus its value at the previous trading day's close; a leg opened since then
   * against its cost basis; null for CLOSED legs and when the symbol has no previous close.
   */
  async dayPnl(loaders: Loaders, leg: LegView): Promise<Decimal | null> {
    if (leg.status === LegStatus.CLOSED) return null;
    const h = loaders.history;
    if (leg.entryDate > h.previousDay) return leg.unrealizedPnl;
    const close = await h.previousClose.load(leg.symbol);
    return close && leg.marketValue.minus(signedUnits(leg).mul(close));
  }

  /** Σ day P&L of the OPEN legs; null when none of them has one. */
  async sumDayPnl(loaders: Loaders, legs: readonly LegView[]): Promise<Decimal | null> {
    const each = await Promise.all(openLegs(legs).map((l) => this.dayPnl(loaders, l)));
    return each.reduce<Decimal | null>((s, d) => (d == null ? s : (s ?? new Decimal(0)).plus(d)), null);
  }

  /** Closes of `symbols` from `from` to `to`, one statement. */
  private async closes(symbols: string[], from: string, to: string): Promise<DailyClose[]> {
    if (!symbols.length) return [];
    return read<DailyClose>(
      this.ds,
      `SELECT symbol, date, close::text AS close FROM daily_bars WHERE symbol = ANY($1) AND date >= $2 AND date <= $3`,
      [symbols, from, to],
    );
  }

  /** The history of a set of legs within [from, to]. */
  async timelineOf(legs: readonly HistoryLeg[], from: string | null, to: string | null): Promise<PnlDayRow[]> {
    if (!legs.length) return [];
    const start = legs.reduce((m, l) => (l.entryDate < m ? l.entryDate : m), legs[0].entryDate);
    const end = to ?? today();
    return pnlTimeline(legs, await this.closes([...new Set(legs.map((l) => l.symbol))], start, end), end, from, to);
  }

  /** A strategy's history: its legs (OPEN and CLOSED) wherever they were held before. */
  async strategyTimeline(
    loaders: Loaders,
    strategyId: string,
    from: string | null,
    to: string | null,
  ): Promise<PnlDayRow[]> {
    return this.timelineOf(await loaders.legsByStrategy.load(strategyId), from, to);
  }

  /** A portfolio's history: every leg of its active strategies and every closed leg (the sum of its strategies). */
  async portfolioTimeline(portfolioId: string, from: string | null, to: string | null): Promise<PnlDayRow[]> {
    const rows = await read<{
      symbol: string;
      position_type: HistoryLeg['positionType'];
      quantity: string;
      multiplier: number;
      entry_price: string;
      entry_date: string;
      exit_price: string | null;
      exit_date: string | null;
    }>(
      this.ds,
      `SELECT l.symbol, l.position_type, l.quantity::text, l.multiplier, l.entry_price::text, l.entry_date,
              l.exit_price::text, l.exit_date
       FROM legs l JOIN strategies s ON s.id = l.strategy_id
       WHERE l.portfolio_id = $1 AND (l.status = 'CLOSED' OR s.status = 'ACTIVE')`,
      [portfolioId],
    );
    return this.timelineOf(
      rows.map((r) => ({
        symbol: r.symbol,
        positionType: r.position_type,
        quantity: r.quantity,
        multiplier: r.multiplier,
        entryPrice: r.entry_price,
        entryDate: r.entry_date,
        exitPrice: r.exit_price,
        exitDate: r.exit_date,
      })),
      from,
      to,
    );
  }

  performanceOf(rows: readonly PnlDayRow[]): PerformanceFigures {
    return returnFigures(dailyReturns(rows));
  }

  /** Strategies of the portfolio fully closed in [from, to]: their last exit is the closing date. */
  async trades(portfolioId: string, from: string | null, to: string | null): Promise<TradeFigures> {
    const rows = await read<{ realized: string; days: number }>(
      this.ds,
      `SELECT sum(${REALIZED_SQL})::text AS realized, max(l.exit_date) - min(l.entry_date) AS days
       FROM strategies s JOIN legs l ON l.strategy_id = s.id
       WHERE s.portfolio_id = $1 AND s.status = 'CLOSED'
       GROUP BY s.id
       HAVING bool_and(l.status = 'CLOSED')
          AND ($2::date IS NULL OR max(l.exit_date) >= $2) AND ($3::date IS NULL OR max(l.exit_date) <= $3)`,
      [portfolioId, from, to],
    );
    const realized = rows.map((r) => new Decimal(r.realized));
    const zero = new Decimal(0);
    const profit = realized.filter((r) => r.isPositive() && !r.isZero()).reduce((s, r) => s.plus(r), zero);
    const loss = realized.filter((r) => r.isNegative() && !r.isZero()).reduce((s, r) => s.plus(r.abs()), zero);
    return {
      closedCount: rows.length,
      winningCount: realized.filter((r) => r.greaterThan(0)).length,
      losingCount: realized.filter((r) => r.lessThan(0)).length,
      realizedPnl: realized.reduce((s, r) => s.plus(r), zero),
      averageHoldingDays: rows.length ? rows.reduce((s, r) => s + r.days, 0) / rows.length : null,
      profitFactor: loss.isZero() ? null : profit.div(loss).toNumber(),
    };
  }

  /** Daily bars of a symbol (normalised like prices), oldest first. */
  async priceHistory(symbol: string, from: string | null, to: string | null) {
    const rows = await read<{
      symbol: string;
      date: string;
      open: string;
      high: string;
      low: string;
      close: string;
      volume: string | null;
    }>(
      this.ds,
      `SELECT symbol, date, open::text, high::text, low::text, close::text, volume::text FROM daily_bars
       WHERE symbol = $1 AND ($2::date IS NULL OR date >= $2) AND ($3::date IS NULL OR date <= $3) ORDER BY date`,
      [symbol, from, to],
    );
    return rows.map((r) => ({
      symbol: r.symbol,
      date: r.date,
      open: new Decimal(r.open),
      high: new Decimal(r.high),
      low: new Decimal(r.low),
      close: new Decimal(r.close),
      volume: r.volume == null ? null : new Decimal(r.volume),
    }));
  }
}
