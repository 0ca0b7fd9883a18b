import Decimal from 'decimal.js';
import { positionSign, type PositionType } from './types';

/**
 * Daily P&L history computed from legs and daily closes (API.md "Trade lifecycle and history"). A leg counts from
 * its entryDate (valued at the last close of its symbol dated on or after its entry, else at its entry price) until
 * its exitDate, from which on its realized P&L counts. Money is exact: scaled integers (BigInt, 8 decimals per factor)
 * instead of decimal objects, because a portfolio of 2,000 legs over 252 days is half a million leg-days.
 */
export interface HistoryLeg {
  symbol: string;
  positionType: PositionType;
  quantity: Decimal | string;
  multiplier: number;
  entryPrice: Decimal | string;
  entryDate: string;
  exitPrice: Decimal | string | null;
  exitDate: string | null;
}
export interface DailyClose {
  symbol: string;
  date: string;
  close: string;
}

export interface PnlDayRow {
  date: string;
  marketValue: Decimal;
  unrealizedPnl: Decimal;
  /** Cumulative, up to and including the day. */
  realizedPnl: Decimal;
  totalPnl: Decimal;
  dailyPnl: Decimal;
  /** Σ |costBasis| of the legs open at the day's close: the capital base of the next day's return. */
  capital: number;
}

const SCALE = 8;
const ONE = 10n ** BigInt(SCALE);

/** Decimal text (or Decimal) as an integer of 10⁻⁸ units; numeric(24,8) values fit exactly. */
export function scaled(v: Decimal | string | number): bigint {
  const text = typeof v === 'string' ? v.trim() : new Decimal(v).toFixed();
  // PostgreSQL prints numeric(24,8) with exactly 8 decimals: one parse, no arithmetic (this runs for every close).
  if (text.length > 9 && text.charCodeAt(text.length - 9) === 46) return BigInt(text.slice(0, -9) + text.slice(-8));
  const neg = text.startsWith('-');
  const [int, frac = ''] = (neg ? text.slice(1) : text).split('.');
  if (frac.length > SCALE) throw new RangeError(`more than ${SCALE} decimals: ${text}`);
  const n = BigInt(int || '0') * ONE + BigInt((frac + '0'.repeat(SCALE)).slice(0, SCALE));
  return neg ? -n : n;
}

/** An integer of 10^-scale units as an exact Decimal. */
function unscale(n: bigint, scale: number): Decimal {
  const neg = n < 0n;
  const digits = (neg ? -n : n).toString().padStart(scale + 1, '0');
  return new Decimal(`${neg ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`);
}

interface PreparedLeg {
  symbol: string;
  units: bigint; // sign × quantity × multiplier, 10⁻⁸
  cost: bigint; // units × entryPrice, 10⁻¹⁶
  absCost: number;
  realized: bigint; // units × (exitPrice − entryPrice), 10⁻¹⁶
  entryDate: string;
  exitDate: string | null;
  marked: boolean; // valued at its symbol's close (else at its entry price)
}

interface SymbolState {
  close: bigint | null;
  closeDate: string | null;
  units: bigint;
  pending: Set<PreparedLeg>;
}

/**
 * The history of `legs` over the days with a close of one of their symbols (and their exit days), from the earliest
 * entry to `lastDay` (or the last exit once every leg is closed); the rows within [from, to] are returned. dailyPnl is
 * the change of totalPnl from the day before in the whole history (the first day: from 0).
 */
export function pnlTimeline(
  legs: readonly HistoryLeg[],
  closes: readonly DailyClose[],
  lastDay: string,
  from?: string | null,
  to?: string | null,
): PnlDayRow[] {
  if (!legs.length) return [];
  const prepared: PreparedLeg[] = legs.map((l) => {
    const units = scaled(l.quantity) * BigInt(l.multiplier) * BigInt(positionSign(l.positionType));
    const cost = units * scaled(l.entryPrice);
    return {
      symbol: l.symbol,
      units,
      cost,
      absCost: Math.abs(Number(cost) / 1e16),
      realized: l.exitPrice == null ? 0n : units * (scaled(l.exitPrice) - scaled(l.entryPrice)),
      entryDate: l.entryDate,
      exitDate: l.exitPrice == null ? null : l.exitDate,
      marked: false,
    };
  });
  const start = prepared.reduce((m, l) => (l.entryDate < m ? l.entryDate : m), prepared[0].entryDate);
  let end = to && to < lastDay ? to : lastDay;
  if (prepared.every((l) => l.exitDate)) {
    const lastExit = prepared.reduce((m, l) => (l.exitDate! > m ? l.exitDate! : m), '');
    if (lastExit < end) end = lastExit;
  }
  const symbols = new Map<string, SymbolState>();
  for (const l of prepared)
    if (!symbols.has(l.symbol)) symbols.set(l.symbol, { close: null, closeDate: null, units: 0n, pending: new Set() });
  const barsByDay = new Map<string, [SymbolState, bigint][]>();
  const days = new Set<string>();
  for (const b of closes) {
    const s = symbols.get(b.symbol);
    if (!s || b.date < start || b.date > end) continue;
    days.add(b.date);
    const list = barsByDay.get(b.date);
    if (list) list.push([s, scaled(b.close)]);
    else barsByDay.set(b.date, [[s, scaled(b.close)]]);
  }
  for (const l of prepared) if (l.exitDate && l.exitDate >= start && l.exitDate <= end) days.add(l.exitDate);

  const entries = [...prepared].sort((a, b) => (a.entryDate < b.entryDate ? -1 : a.entryDate > b.entryDate ? 1 : 0));
  const exits = prepared
    .filter((l) => l.exitDate)
    .sort((a, b) => (a.exitDate! < b.exitDate! ? -1 : a.exitDate! > b.exitDate! ? 1 : 0));
  let nextEntry = 0,
    nextExit = 0;
  let pendingCost = 0n,
    openCost = 0n,
    realized = 0n,
    capital = 0,
    previousTotal = 0n;
  const held = new Set<SymbolState>();
  const rows: PnlDayRow[] = [];
  for (const day of [...days].sort()) {
    for (; nextEntry < entries.length && entries[nextEntry].entryDate <= day; nextEntry++) {
      const l = entries[nextEntry];
      const s = symbols.get(l.symbol)!;
      openCost += l.cost;
      capital += l.absCost;
      if (s.closeDate !== null && s.closeDate >= l.entryDate) {
        l.marked = true;
        s.units += l.units;
        held.add(s);
      } else {
        s.pending.add(l);
        pendingCost += l.cost;
      }
    }
    for (const [s, close] of barsByDay.get(day) ?? []) {
      s.close = close;
      s.closeDate = day;
      for (const l of s.pending) {
        l.marked = true;
        s.units += l.units;
        pendingCost -= l.cost;
        held.add(s);
      }
      s.pending.clear();
    }
    for (; nextExit < exits.length && exits[nextExit].exitDate! <= day; nextExit++) {
      const l = exits[nextExit];
      const s = symbols.get(l.symbol)!;
      if (l.marked) s.units -= l.units;
      else if (s.pending.delete(l)) pendingCost -= l.cost;
      openCost -= l.cost;
      capital -= l.absCost;
      realized += l.realized;
    }
    let value = pendingCost;
    for (const s of held) {
      if (s.units === 0n) held.delete(s);
      else value += s.units * s.close!;
    }
    const total = value - openCost + realized;
    if (!from || day >= from) {
      rows.push({
        date: day,
        marketValue: unscale(value, 16),
        unrealizedPnl: unscale(value - openCost, 16),
        realizedPnl: unscale(realized, 16),
        totalPnl: unscale(total, 16),
        dailyPnl: unscale(total - previousTotal, 16),
        capital: Math.max(0, capital),
      });
    }
    previousTotal = total;
  }
  return rows;
}

export interface PerformanceFigures {
  days: number;
  returnPct: number | null;
  sharpeRatio: number | null;
  sortinoRatio: number | null;
  calmarRatio: number | null;
  maxDrawdown: number | null;
  volatility: number | null;
  var95: number | null;
  winRate: number | null;
}

const YEAR = 252;
// Below this a deviation is rounding noise of a constant series, not risk: ratios over it would explode.
const EPS = 1e-12;

/**
 * Daily returns of a timeline: dailyPnl ÷ the capital of the day before; the first row and days without capital
 * are no observation.
 */
export function dailyReturns(rows: readonly Pick<PnlDayRow, 'dailyPnl' | 'capital'>[]): number[] {
  const r: number[] = [];
  for (let i = 1; i < rows.length; i++)
    if (rows[i - 1].capital > 0) r.push(rows[i].dailyPnl.toNumber() / rows[i - 1].capital);
  return r;
}

/**
 * Figures of a series of daily returns, annualised with 252 days, risk-free rate 0: compounded return, sample
 * volatility and Sharpe, Sortino over the downside deviation, maximum drawdown of the compounded curve (positive),
 * Calmar = annualised return ÷ maximum drawdown, historical one-day VaR at 95 % (positive), share of positive days.
 * Null with fewer than 2 observations (Calmar also without a drawdown).
 */
export function returnFigures(r: readonly number[]): PerformanceFigures {
  const n = r.length;
  if (n < 2) {
    return {
      days: n,
      returnPct: null,
      sharpeRatio: null,
      sortinoRatio: null,
      calmarRatio: null,
      maxDrawdown: null,
      volatility: null,
      var95: null,
      winRate: null,
    };
  }
  const mean = r.reduce((s, x) => s + x, 0) / n;
  const stdev = Math.sqrt(r.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  const downside = Math.sqrt(r.reduce((s, x) => s + Math.min(x, 0) ** 2, 0) / n);
  let equity = 1,
    peak = 1,
    maxDrawdown = 0;
  for (const x of r) {
    equity = Math.max(0, equity * (1 + x));
    peak = Math.max(peak, equity);
    maxDrawdown = Math.max(maxDrawdown, (peak - equity) / peak);
  }
  const sorted = [...r].sort((a, b) => a - b),
    h = (n - 1) * 0.05,
    lo = Math.floor(h);
  const q05 = sorted[lo] + (h - lo) * (sorted[Math.min(lo + 1, n - 1)] - sorted[lo]);
  const annualised = equity ** (YEAR / n) - 1;
  return {
    days: n,
    returnPct: equity - 1,
    sharpeRatio: stdev > EPS ? (mean / stdev) * Math.sqrt(YEAR) : null,
    sortinoRatio: downside > EPS ? (mean / downside) * Math.sqrt(YEAR) : null,
    calmarRatio: maxDrawdown > EPS ? annualised / maxDrawdown : null,
    maxDrawdown,
    volatility: stdev > EPS ? stdev * Math.sqrt(YEAR) : 0,
    var95: Math.max(0, -q05),
    winRate: r.filter((x) => x > 0).length / n,
  };
}

/** Calmar ratio from a compounded return over `days` observations and its maximum drawdown (null without one). */
export function calmarRatio(returnPct: number | null, maxDrawdown: number | null, days: number): number | null {
  if (returnPct == null || !maxDrawdown || maxDrawdown <= EPS || days < 2) return null;
  return ((1 + returnPct) ** (YEAR / days) - 1) / maxDrawdown;
}
