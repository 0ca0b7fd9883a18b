import argon2 from 'argon2';
import Decimal from 'decimal.js';
import type { App } from '../app';
import type { AuthUser } from '../context';
import { bsPrice, yearsToExpiry } from '../domain/black-scholes';
import { isTradingDay } from '../domain/trading-calendar';
import { OptionType, StrategyType } from '../domain/types';
import { BatchProcessor } from '../modules/batch/batch.processor';
import { TagService } from '../modules/tag/tag.service';

export const DEMO_PASSWORD = 'demo123';
export const DEMO_USERS = ['demo_growth', 'demo_value', 'demo_balanced'];

/** Calendar days of simulated price history, ending today. */
export const DEMO_HISTORY_DAYS = 90;
const SEED = 20261121;

// ---- reproducible randomness ------------------------------------------------------------------------------

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). Same seed, same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box-Muller) from a uniform generator. */
export function gaussian(rand: () => number): number {
  const u1 = 1 - rand(); // (0, 1]: log is finite
  const u2 = rand();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** FNV-1a: a stable 32-bit seed from a string. */
export function hashSeed(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

// ---- dates ------------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (date: string, n: number) => isoDay(new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS));

/** NYSE trading days among the `calendarDays` days ending with `today` (inclusive), oldest first. */
export function demoTradingDays(today: string, calendarDays = DEMO_HISTORY_DAYS): string[] {
  const out: string[] = [];
  for (let i = calendarDays - 1; i >= 0; i--) {
    const d = addDays(today, -i);
    if (isTradingDay(d)) out.push(d);
  }
  return out;
}

/** Third Friday of the month `offset` months after `today`'s month: standard monthly option expiries. */
function monthlyExpiry(today: string, offset: number): string {
  const t = new Date(`${today}T00:00:00Z`);
  const first = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + offset, 1));
  const firstFriday = 1 + ((5 - first.getUTCDay() + 7) % 7);
  return isoDay(new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), firstFriday + 14)));
}

// ---- instruments ------------------------------------------------------------------------------------------

/** Reference price (the simulated close of the last trading day), annual volatility and sector. */
interface Instrument {
  price: number;
  vol: number;
  sector: string;
}
const TECH = 'Technology',
  COMM = 'Communication Services',
  DISC = 'Consumer Discretionary',
  STAPLES = 'Consumer Staples';
const HEALTH = 'Health Care',
  FIN = 'Financials',
  ENERGY = 'Energy',
  IND = 'Industrials',
  ETF = 'Index ETF';

export const DEMO_INSTRUMENTS: Record<string, Instrument> = {
  AAPL: { price: 268.4, vol: 0.27, sector: TECH },
  MSFT: { price: 502.1, vol: 0.24, sector: TECH },
  NVDA: { price: 186.3, vol: 0.48, sector: TECH },
  AVGO: { price: 348.9, vol: 0.45, sector: TECH },
  AMD: { price: 231.6, vol: 0.5, sector: TECH },
  CRM: { price: 238.2, vol: 0.32, sector: TECH },
  CRWD: { price: 497.5, vol: 0.45, sector: TECH },
  PLTR: { price: 174.8, vol: 0.6, sector: TECH },
  NET: { price: 208.7, vol: 0.5, sector: TECH },
  INTC: { price: 37.9, vol: 0.45, sector: TECH },
  SHOP: { price: 154.3, vol: 0.5, sector: TECH },
  GOOGL: { price: 289.6, vol: 0.3, sector: COMM },
  META: { price: 618.4, vol: 0.35, sector: COMM },
  NFLX: { price: 109.7, vol: 0.35, sector: COMM },
  SNAP: { price: 8.1, vol: 0.6, sector: COMM },
  AMZN: { price: 228.9, vol: 0.3, sector: DISC },
  TSLA: { price: 417.2, vol: 0.6, sector: DISC },
  RIVN: { price: 14.2, vol: 0.65, sector: DISC },
  HD: { price: 378.5, vol: 0.22, sector: DISC },
  UBER: { price: 94.6, vol: 0.38, sector: IND },
  CAT: { price: 521.3, vol: 0.28, sector: IND },
  LLY: { price: 948.2, vol: 0.3, sector: HEALTH },
  ISRG: { price: 557.8, vol: 0.3, sector: HEALTH },
  JNJ: { price: 189.4, vol: 0.16, sector: HEALTH },
  UNH: { price: 331.7, vol: 0.35, sector: HEALTH },
  ABBV: { price: 224.6, vol: 0.24, sector: HEALTH },
  JPM: { price: 301.2, vol: 0.22, sector: FIN },
  BAC: { price: 51.8, vol: 0.26, sector: FIN },
  WFC: { price: 84.9, vol: 0.26, sector: FIN },
  GS: { price: 781.4, vol: 0.28, sector: FIN },
  MS: { price: 159.6, vol: 0.27, sector: FIN },
  C: { price: 99.8, vol: 0.3, sector: FIN },
  'BRK.B': { price: 498.7, vol: 0.16, sector: FIN },
  SCHW: { price: 94.7, vol: 0.28, sector: FIN },
  BLK: { price: 1097.5, vol: 0.25, sector: FIN },
  ALLY: { price: 39.6, vol: 0.35, sector: FIN },
  PYPL: { price: 64.8, vol: 0.35, sector: FIN },
  V: { price: 338.9, vol: 0.2, sector: FIN },
  XOM: { price: 114.6, vol: 0.22, sector: ENERGY },
  CVX: { price: 154.8, vol: 0.22, sector: ENERGY },
  COP: { price: 89.7, vol: 0.28, sector: ENERGY },
  EOG: { price: 109.9, vol: 0.28, sector: ENERGY },
  SLB: { price: 35.8, vol: 0.35, sector: ENERGY },
  PSX: { price: 129.6, vol: 0.3, sector: ENERGY },
  OXY: { price: 41.9, vol: 0.32, sector: ENERGY },
  DVN: { price: 33.8, vol: 0.35, sector: ENERGY },
  HAL: { price: 24.9, vol: 0.38, sector: ENERGY },
  KO: { price: 69.8, vol: 0.15, sector: STAPLES },
  PEP: { price: 144.7, vol: 0.17, sector: STAPLES },
  PG: { price: 149.6, vol: 0.16, sector: STAPLES },
  COST: { price: 918.3, vol: 0.2, sector: STAPLES },
  NEE: { price: 80.4, vol: 0.22, sector: 'Utilities' },
  LIN: { price: 449.2, vol: 0.18, sector: 'Materials' },
  O: { price: 56.9, vol: 0.18, sector: 'Real Estate' },
  SPY: { price: 668.7, vol: 0.15, sector: ETF },
  QQQ: { price: 601.3, vol: 0.2, sector: ETF },
};

/**
 * A reproducible geometric random walk over `days`, ending exactly at the instrument's reference price:
 * the returns are drawn forward from a per-symbol seed and the path is anchored at its last day.
 */
export function demoPricePath(symbol: string, days: number): number[] {
  const inst = DEMO_INSTRUMENTS[symbol];
  if (!inst) throw new Error(`no demo instrument ${symbol}`);
  const rand = mulberry32(hashSeed(`${SEED}:${symbol}`));
  const dt = 1 / 252,
    drift = 0.06 + 0.1 * (rand() - 0.5);
  const steps = Array.from(
    { length: Math.max(days - 1, 0) },
    () => (drift - 0.5 * inst.vol ** 2) * dt + inst.vol * Math.sqrt(dt) * gaussian(rand),
  );
  const path = new Array<number>(days);
  let logP = Math.log(inst.price);
  for (let i = days - 1; i >= 0; i--) {
    path[i] = Math.round(Math.exp(logP) * 100) / 100;
    if (i > 0) logP -= steps[i - 1];
  }
  return path;
}

// ---- the three portfolios ---------------------------------------------------------------------------------

type Expiry = 0 | 1 | 2; // ~1, ~2 and ~4 monthly expiries out
type LegSpec =
  | { kind: 'stock'; key: string; symbol: string; qty: number; tags: string[] }
  | {
      kind: 'option';
      key: string;
      underlying: string;
      right: 'C' | 'P';
      expiry: Expiry;
      moneyness: number;
      contracts: number;
      tags: string[];
    }
  | { kind: 'private'; key: string; symbol: string; qty: number; price: number; tags: string[] };
interface GroupSpec {
  type: StrategyType;
  legs: string[];
  tags: string[];
  name?: string;
}
/**
 * A closed trade: `qty` shares of `symbol` bought on the first day and sold at the close `exitAt` of the way through
 * the history (its own strategy, closed), or, with `key`, that part of a position of the portfolio sold (a partial
 * close).
 */
type TradeSpec = { symbol: string; qty: number; exitAt: number; key?: string };
interface PortfolioSpec {
  username: string;
  portfolio: string;
  legs: LegSpec[];
  groups: GroupSpec[];
  trades: TradeSpec[];
}

const stock = (symbol: string, qty: number, ...tags: string[]): LegSpec => ({
  kind: 'stock',
  key: symbol,
  symbol,
  qty,
  tags,
});
const option = (
  key: string,
  underlying: string,
  right: 'C' | 'P',
  expiry: Expiry,
  moneyness: number,
  contracts: number,
  ...tags: string[]
): LegSpec => ({ kind: 'option', key, underlying, right, expiry, moneyness, contracts, tags });
const holding = (symbol: string, qty: number, price: number, ...tags: string[]): LegSpec => ({
  kind: 'private',
  key: symbol,
  symbol,
  qty,
  price,
  tags,
});

const T = StrategyType;
export const DEMO_PORTFOLIOS: PortfolioSpec[] = [
  {
    // 25 legs: 18 long stocks (AAPL's 100 shares are the covered call's stock), 3 short stocks, 4 options.
    username: 'demo_growth',
    portfolio: 'Growth Portfolio',
    legs: [
      stock('AAPL', 100),
      stock('MSFT', 40, 'Growth', 'Core', 'tech'),
      stock('NVDA', 150, 'Growth', 'Momentum', 'tech', 'ai'),
      stock('GOOGL', 60, 'Growth', 'Core', 'tech'),
      stock('AMZN', 80, 'Growth', 'Core'),
      stock('META', 25, 'Growth', 'Core', 'tech'),
      stock('TSLA', 30, 'Growth', 'Speculative'),
      stock('AVGO', 45, 'Growth', 'Momentum', 'tech', 'ai'),
      stock('AMD', 70, 'Growth', 'Momentum', 'tech', 'ai'),
      stock('CRM', 40, 'Growth', 'Satellite', 'tech'),
      stock('NFLX', 120, 'Growth', 'Satellite'),
      stock('SHOP', 90, 'Growth', 'Satellite', 'tech'),
      stock('CRWD', 20, 'Growth', 'Satellite', 'tech'),
      stock('PLTR', 100, 'Growth', 'Speculative', 'tech', 'ai'),
      stock('LLY', 15, 'Growth', 'Core'),
      stock('ISRG', 20, 'Growth', 'Satellite'),
      stock('UBER', 150, 'Growth', 'Satellite'),
      stock('NET', 60, 'Growth', 'Satellite', 'tech'),
      stock('INTC', -300, 'Hedge', 'tech'),
      stock('SNAP', -800, 'Hedge'),
      stock('RIVN', -400, 'Hedge'),
      option('AAPL_CC', 'AAPL', 'C', 1, 1.07, -1),
      option('NVDA_C', 'NVDA', 'C', 0, 1.0, 2),
      option('NVDA_P', 'NVDA', 'P', 0, 1.0, 2),
      option('TSLA_LEAPS', 'TSLA', 'C', 2, 1.15, 1, 'Speculative', 'options'),
    ],
    groups: [
      { type: T.COVERED_CALL, legs: ['AAPL', 'AAPL_CC'], tags: ['Income', 'Core', 'tech', 'options'] },
      { type: T.STRADDLE, legs: ['NVDA_C', 'NVDA_P'], tags: ['Speculative', 'tech', 'options'] },
    ],
    trades: [
      { symbol: 'AMD', qty: 40, exitAt: 0.35 },
      { symbol: 'NFLX', qty: 60, exitAt: 0.55 },
      { key: 'NVDA', symbol: 'NVDA', qty: 50, exitAt: 0.6 },
    ],
  },
  {
    // 20 legs: 15 long and 5 short stocks in financials and energy.
    username: 'demo_value',
    portfolio: 'Value Portfolio',
    legs: [
      stock('JPM', 60, 'Value', 'Core', 'Dividend', 'financials'),
      stock('BAC', 300, 'Value', 'Dividend', 'financials'),
      stock('WFC', 150, 'Value', 'Dividend', 'financials'),
      stock('GS', 15, 'Value', 'Dividend', 'financials'),
      stock('MS', 80, 'Value', 'Dividend', 'financials'),
      stock('C', 120, 'Value', 'Dividend', 'financials'),
      stock('BRK.B', 25, 'Value', 'Core', 'financials'),
      stock('SCHW', 100, 'Value', 'Satellite', 'financials'),
      stock('BLK', 10, 'Value', 'Dividend', 'financials'),
      stock('XOM', 120, 'Value', 'Core', 'Dividend', 'energy'),
      stock('CVX', 80, 'Value', 'Dividend', 'energy'),
      stock('COP', 100, 'Value', 'Dividend', 'energy'),
      stock('EOG', 90, 'Value', 'Dividend', 'energy'),
      stock('SLB', 200, 'Value', 'Satellite', 'energy'),
      stock('PSX', 70, 'Value', 'Dividend', 'energy'),
      stock('OXY', -200, 'Hedge', 'energy'),
      stock('DVN', -250, 'Hedge', 'energy'),
      stock('HAL', -250, 'Hedge', 'energy'),
      stock('ALLY', -200, 'Hedge', 'financials'),
      stock('PYPL', -100, 'Hedge', 'financials'),
    ],
    groups: [],
    trades: [
      { symbol: 'XOM', qty: 50, exitAt: 0.5 },
      { symbol: 'BAC', qty: 200, exitAt: 0.3 },
      { key: 'JPM', symbol: 'JPM', qty: 20, exitAt: 0.7 },
    ],
  },
  {
    // 30 legs: 18 stocks (MSFT and JNJ hold 100 shares for the collar and the protective put; KO/PEP are the
    // pairs trade), 2 private holdings and 10 options (iron condor 4, collar 2, protective put 1, bull call
    // spread 2, cash-secured short put 1).
    username: 'demo_balanced',
    portfolio: 'Balanced Portfolio',
    legs: [
      stock('MSFT', 100),
      stock('JNJ', 100),
      stock('KO', 200),
      stock('PEP', -150),
      stock('AAPL', 50, 'Growth', 'Core', 'tech'),
      stock('GOOGL', 40, 'Growth', 'Core', 'tech'),
      stock('V', 40, 'Core', 'financials'),
      stock('JPM', 40, 'Value', 'Dividend', 'financials'),
      stock('PG', 60, 'Dividend', 'Defensive'),
      stock('HD', 25, 'Dividend', 'Core'),
      stock('COST', 10, 'Growth', 'Defensive'),
      stock('XOM', 60, 'Value', 'Dividend', 'energy'),
      stock('NEE', 80, 'Dividend', 'Defensive'),
      stock('UNH', 30, 'Value', 'Satellite'),
      stock('ABBV', 45, 'Dividend', 'Defensive'),
      stock('LIN', 20, 'Core'),
      stock('CAT', 20, 'Value', 'Momentum'),
      stock('O', 150, 'Income', 'Dividend'),
      holding('VENTURE_FUND_III', 1, 50000, 'Speculative', 'alternatives'),
      holding('RE_COMMERCIAL_PROPERTY', 1, 85000, 'Income', 'alternatives'),
      option('SPY_LP', 'SPY', 'P', 1, 0.9, 2),
      option('SPY_SP', 'SPY', 'P', 1, 0.94, -2),
      option('SPY_SC', 'SPY', 'C', 1, 1.05, -2),
      option('SPY_LC', 'SPY', 'C', 1, 1.09, 2),
      option('MSFT_P', 'MSFT', 'P', 2, 0.92, 1),
      option('MSFT_C', 'MSFT', 'C', 2, 1.1, -1),
      option('JNJ_P', 'JNJ', 'P', 2, 0.93, 1),
      option('QQQ_LC', 'QQQ', 'C', 1, 1.0, 2),
      option('QQQ_SC', 'QQQ', 'C', 1, 1.06, -2),
      option('V_SP', 'V', 'P', 0, 0.92, -1, 'Income', 'options'),
    ],
    groups: [
      { type: T.IRON_CONDOR, legs: ['SPY_LP', 'SPY_SP', 'SPY_SC', 'SPY_LC'], tags: ['Income', 'options'] },
      { type: T.COLLAR, legs: ['MSFT', 'MSFT_P', 'MSFT_C'], tags: ['Core', 'Hedge', 'hedged', 'tech'] },
      { type: T.PROTECTIVE_PUT, legs: ['JNJ', 'JNJ_P'], tags: ['Defensive', 'hedged'] },
      { type: T.PAIRS_TRADE, legs: ['KO', 'PEP'], tags: ['Defensive', 'pairs'], name: 'KO / PEP Pairs Trade' },
      { type: T.VERTICAL_SPREAD, legs: ['QQQ_LC', 'QQQ_SC'], tags: ['Momentum', 'options', 'tech'] },
    ],
    trades: [
      { symbol: 'AAPL', qty: 30, exitAt: 0.4 },
      { symbol: 'PEP', qty: 40, exitAt: 0.6 },
      { key: 'PG', symbol: 'PG', qty: 20, exitAt: 0.65 },
    ],
  },
];

// ---- building -------------------------------------------------------------------------------------------

/** Listed strike grid: finer for cheap stocks. */
function strikeFor(spot: number, moneyness: number): number {
  const x = spot * moneyness;
  const step = x < 25 ? 0.5 : x < 100 ? 1 : x < 200 ? 2.5 : x < 500 ? 5 : 10;
  return Math.round(x / step) * step;
}

function occSymbol(root: string, expiry: string, right: 'C' | 'P', strike: number): string {
  const yymmdd = `${expiry.slice(2, 4)}${expiry.slice(5, 7)}${expiry.slice(8, 10)}`;
  return `${root}${yymmdd}${right}${String(Math.round(strike * 1000)).padStart(8, '0')}`;
}

const underlyingOf = (l: LegSpec) => (l.kind === 'option' ? l.underlying : l.symbol);

export interface DemoSeedReport {
  created: { username: string; portfolioId: string; legs: number; strategies: number; tags: number }[];
  skipped: string[];
  tradingDays: number;
  firstDay: string | null;
  lastDay: string | null;
  symbols: number;
  priceRows: number;
  /** Daily bars written (one per symbol and trading day). */
  bars: number;
  snapshots: number;
  /** Active strategies of the created portfolios (queued for recomputation). */
  strategyIds: string[];
  ms: number;
  /** Milliseconds per phase. */
  phases: Record<string, number>;
}

export interface DemoSeedOptions {
  today?: string;
  now?: Date;
}

interface Created {
  spec: PortfolioSpec;
  user: AuthUser;
  portfolioId: string | null;
}

/** The demo user with starter tags (the password is shorter than `register` allows), or null when it exists. */
async function createDemoUser(app: App, username: string): Promise<AuthUser | null> {
  const [exists]: unknown[] = await app.ds.query(`SELECT 1 FROM users WHERE lower(username) = lower($1)`, [username]);
  if (exists) return null;
  const passwordHash = await argon2.hash(DEMO_PASSWORD, { type: argon2.argon2id });
  const id: string | null = await app.ds.transaction(async (m) => {
    // DO NOTHING: a concurrent seed that got there first wins and this one skips the user.
    const rows: { id: string }[] = await m.query(
      `INSERT INTO users (email, username, password_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id`,
      [`${username}@example.com`, username, passwordHash],
    );
    if (!rows.length) return null;
    await TagService.createStarterTags(m, rows[0].id);
    return rows[0].id;
  });
  return id ? { id, username, isAdmin: false } : null;
}

/** Opens every position on the first day, combines the multi-leg strategies and tags them, then closes the trades. */
async function buildPortfolio(
  app: App,
  c: Created,
  days: string[],
  price: (symbol: string, day: number) => number,
  expiries: string[],
): Promise<void> {
  const entryDate = days[0];
  const spot = (symbol: string) => price(symbol, 0);
  const { spec, user } = c;
  const portfolioId = (c.portfolioId = (await app.portfolios.create(user, spec.portfolio)).id);
  const entryAt = new Date(`${entryDate}T21:00:00Z`);
  const legIds = new Map<string, string>();
  const standalone = new Map<string, string>(); // leg key → its own strategy
  for (const l of spec.legs) {
    let symbol: string,
      quantity: number,
      price: number,
      impliedVolatility: number | null = null;
    if (l.kind === 'option') {
      const s0 = spot(l.underlying),
        expiry = expiries[l.expiry];
      const strike = strikeFor(s0, l.moneyness);
      impliedVolatility = DEMO_INSTRUMENTS[l.underlying].vol;
      symbol = occSymbol(l.underlying, expiry, l.right, strike);
      quantity = l.contracts;
      const premium = bsPrice(
        l.right === 'C' ? OptionType.CALL : OptionType.PUT,
        s0,
        strike,
        yearsToExpiry(expiry, entryAt),
        app.cfg.RISK_FREE_RATE,
        impliedVolatility,
      );
      price = Math.max(0.05, Math.round(premium * 100) / 100);
    } else {
      symbol = l.symbol;
      quantity = l.qty;
      price = l.kind === 'private' ? l.price : spot(l.symbol);
    }
    const { leg, strategy } = await app.legs.createPosition(user, {
      portfolioId,
      symbol,
      quantity: new Decimal(quantity),
      entryPrice: new Decimal(price),
      entryDate,
      impliedVolatility,
      investmentClass: null,
    });
    legIds.set(l.key, leg.id);
    standalone.set(l.key, strategy.id);
  }

  const tagged: [string, string[]][] = [];
  const inGroup = new Set(spec.groups.flatMap((g) => g.legs));
  for (const l of spec.legs) if (!inGroup.has(l.key) && l.tags.length) tagged.push([standalone.get(l.key)!, l.tags]);
  for (const g of spec.groups) {
    const ids = g.legs.map((k) => legIds.get(k)!);
    const s =
      g.type === StrategyType.PAIRS_TRADE
        ? await app.strategies.createStrategy(user, portfolioId, g.name!, g.type, ids)
        : await app.strategies.combine(user, { legIds: ids, type: g.type, name: g.name ?? null, portfolioId });
    tagged.push([s.id, g.tags]);
  }

  // Starter tags are found case-insensitively ('income' is the starter 'Income'); custom ones are created.
  const names = [...new Map(tagged.flatMap(([, t]) => t).map((n) => [n.toLowerCase(), n])).values()];
  const ids = await app.tags.ensureByNames(user, names);
  const tagIds = new Map(names.map((n, i) => [n.toLowerCase(), ids[i]]));
  const byTagSet = new Map<string, { strategies: string[]; tags: string[] }>();
  for (const [strategyId, tags] of tagged) {
    const key = [...tags].sort().join('|');
    const entry = byTagSet.get(key) ?? { strategies: [], tags };
    entry.strategies.push(strategyId);
    byTagSet.set(key, entry);
  }
  for (const { strategies, tags } of byTagSet.values()) {
    await app.tags.bulkAssign(user, strategies, [...new Set(tags.map((t) => tagIds.get(t.toLowerCase())!))]);
  }

  // Closed trades: realized P&L at that day's close, so the portfolio shows both kinds of P&L and a closed strategy.
  for (const t of spec.trades) {
    const k = Math.min(days.length - 1, Math.max(1, Math.round(t.exitAt * (days.length - 1))));
    const legId = t.key
      ? legIds.get(t.key)!
      : (
          await app.legs.createPosition(user, {
            portfolioId,
            symbol: t.symbol,
            quantity: new Decimal(t.qty),
            entryPrice: new Decimal(spot(t.symbol)),
            entryDate,
          })
        ).leg.id;
    await app.legs.closeLeg(user, legId, {
      price: new Decimal(price(t.symbol, k).toFixed(2)),
      quantity: new Decimal(t.qty),
      date: days[k],
    });
  }
}

/**
 * Removes what a failed seed created for these users, so that a retry starts clean (users are skipped when
 * present).
 */
async function undo(app: App, created: Created[]): Promise<void> {
  const userIds = created.map((c) => c.user.id);
  if (!userIds.length) return;
  await app.ds.transaction(async (m) => {
    // Legs first: their strategy foreign key restricts, the rest cascades from the user.
    await m.query(`DELETE FROM legs WHERE portfolio_id IN (SELECT id FROM portfolios WHERE user_id = ANY($1))`, [
      userIds,
    ]);
    await m.query(`DELETE FROM users WHERE id = ANY($1)`, [userIds]);
  });
}

/**
 * The demo data with a report of what was done. Users that already exist are skipped (with their portfolios
 * untouched), so running it twice changes nothing.
 */
export async function runDemoSeed(app: App, opts: DemoSeedOptions = {}): Promise<DemoSeedReport> {
  const started = Date.now();
  const now = opts.now ?? new Date();
  const today = opts.today ?? isoDay(now);
  const days = demoTradingDays(today);
  const report: DemoSeedReport = {
    created: [],
    skipped: [],
    tradingDays: days.length,
    firstDay: days[0] ?? null,
    lastDay: days[days.length - 1] ?? null,
    symbols: 0,
    priceRows: 0,
    bars: 0,
    snapshots: 0,
    strategyIds: [],
    ms: 0,
    phases: {},
  };
  if (!days.length) throw new Error(`no trading day in the ${DEMO_HISTORY_DAYS} days before ${today}`);
  const paths = new Map<string, number[]>();
  const path = (symbol: string) => {
    let p = paths.get(symbol);
    if (!p) paths.set(symbol, (p = demoPricePath(symbol, days.length)));
    return p;
  };
  const expiries = [monthlyExpiry(today, 1), monthlyExpiry(today, 2), monthlyExpiry(today, 4)];

  let mark = Date.now();
  const phase = (name: string) => {
    report.phases[name] = (report.phases[name] ?? 0) + Date.now() - mark;
    mark = Date.now();
  };
  const created: Created[] = [];
  try {
    // The three users are independent: built side by side. A failure waits for the others, then undoes all.
    const users = await Promise.allSettled(DEMO_PORTFOLIOS.map((spec) => createDemoUser(app, spec.username)));
    DEMO_PORTFOLIOS.forEach((spec, i) => {
      const u = users[i];
      if (u.status === 'fulfilled' && u.value) created.push({ spec, user: u.value, portfolioId: null });
      else if (u.status === 'fulfilled') report.skipped.push(spec.username);
    });
    const failedUser = users.find((u): u is PromiseRejectedResult => u.status === 'rejected');
    if (failedUser) throw failedUser.reason;
    phase('users');
    const built = await Promise.allSettled(
      created.map((c) => buildPortfolio(app, c, days, (s, i) => path(s)[i], expiries)),
    );
    const failedBuild = built.find((b): b is PromiseRejectedResult => b.status === 'rejected');
    if (failedBuild) throw failedBuild.reason;
    phase('portfolios');
    if (!created.length) return { ...report, ms: Date.now() - started };

    // Reference data and 90 days of history for every underlying of the new portfolios.
    const symbols = [
      ...new Set(created.flatMap((c) => c.spec.legs.filter((l) => l.kind !== 'private').map(underlyingOf))),
    ].sort();
    report.symbols = symbols.length;
    await app.ds.query(
      `INSERT INTO market_data (symbol, sector) SELECT * FROM unnest($1::text[], $2::text[])
       ON CONFLICT (symbol) DO UPDATE SET sector = coalesce(market_data.sector, EXCLUDED.sector)`,
      [symbols, symbols.map((s) => DEMO_INSTRUMENTS[s].sector)],
    );
    // A close never lies in the future: before today's close, today's price is stamped now.
    const closeAt = (d: string) => new Date(Math.min(Date.parse(`${d}T21:00:00Z`), now.getTime()));
    const rows = days.flatMap((d, i) => symbols.map((s) => [s, path(s)[i].toFixed(2), closeAt(d).toISOString()]));
    const [{ n: inserted }]: { n: number }[] = await app.ds.query(
      `WITH ins AS (
         INSERT INTO prices (symbol, price, at)
         SELECT x.symbol, x.price, x.at
         FROM unnest($1::text[], $2::numeric[], $3::timestamptz[]) AS x(symbol, price, at)
         WHERE NOT EXISTS (SELECT 1 FROM prices p WHERE p.symbol = x.symbol AND p.at = x.at)
         RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
    );
    report.priceRows = inserted;
    // The same closes as daily bars (the day opens at the close before it), for timelines and day P&L.
    const barRows = days.flatMap((d, i) =>
      symbols.map((s) => {
        const close = path(s)[i],
          open = path(s)[Math.max(0, i - 1)];
        return [
          s,
          d,
          open.toFixed(2),
          Math.max(open, close).toFixed(2),
          Math.min(open, close).toFixed(2),
          close.toFixed(2),
          closeAt(d).toISOString(),
        ];
      }),
    );
    await app.ds.query(
      `INSERT INTO daily_bars (symbol, date, open, high, low, close, close_at)
       SELECT * FROM unnest($1::text[], $2::date[], $3::numeric[], $4::numeric[], $5::numeric[], $6::numeric[],
                            $7::timestamptz[])
       ON CONFLICT (symbol, date) DO NOTHING`,
      [0, 1, 2, 3, 4, 5, 6].map((k) => barRows.map((r) => r[k])),
    );
    report.bars = barRows.length;
    phase('history');

    // Replay the closes day by day: market data at that close, then the daily batch's snapshot of each portfolio.
    const processor = new BatchProcessor(app, app.batches);
    const portfolioIds = created.map((c) => c.portfolioId!);
    for (const [i, d] of days.entries()) {
      // A newer price (a live feed) is never overwritten by the replay.
      await app.ds.query(
        `UPDATE market_data m SET last_price = x.price, price_at = $3
         FROM unnest($1::text[], $2::numeric[]) AS x(symbol, price)
         WHERE m.symbol = x.symbol AND (m.price_at IS NULL OR m.price_at <= $3)`,
        [symbols, symbols.map((s) => path(s)[i].toFixed(2)), closeAt(d)],
      );
      await Promise.all(portfolioIds.map((p) => processor.snapshot(p, d, new Date(`${d}T21:00:00Z`))));
      report.snapshots += portfolioIds.length;
    }
    phase('replay');
    try {
      await app.redis.hset(
        'prices:latest',
        Object.fromEntries(symbols.map((s) => [s, path(s)[days.length - 1].toFixed(2)])),
      );
    } catch {
      // Redis only caches the latest price; PostgreSQL has it.
    }

    // Metrics and candles at today's prices: mark stale first (the sweeper covers a Redis outage), then enqueue.
    const active: { id: string }[] = await app.ds.query(
      `SELECT id FROM strategies WHERE portfolio_id = ANY($1) AND status = 'ACTIVE' ORDER BY id`,
      [portfolioIds],
    );
    report.strategyIds = active.map((r) => r.id);
    await app.ds.query(`UPDATE strategies SET stale = true, row_version = row_version + 1 WHERE id = ANY($1)`, [
      report.strategyIds,
    ]);
    await app.producer.enqueue(report.strategyIds);

    const counts: { portfolio_id: string; legs: number; strategies: number; tags: number }[] = await app.ds.query(
      `SELECT p.id AS portfolio_id,
              (SELECT count(*)::int FROM legs l WHERE l.portfolio_id = p.id) AS legs,
              (SELECT count(*)::int FROM strategies s
               WHERE s.portfolio_id = p.id AND s.status = 'ACTIVE') AS strategies,
              (SELECT count(*)::int FROM tags t WHERE t.user_id = p.user_id) AS tags
       FROM portfolios p WHERE p.id = ANY($1)`,
      [portfolioIds],
    );
    for (const c of created) {
      const n = counts.find((r) => r.portfolio_id === c.portfolioId)!;
      report.created.push({
        username: c.spec.username,
        portfolioId: c.portfolioId!,
        legs: n.legs,
        strategies: n.strategies,
        tags: n.tags,
      });
    }
  } catch (e) {
    await undo(app, created).catch(() => undefined);
    throw e;
  }
  return { ...report, ms: Date.now() - started };
}

/** `npm start` on an empty database and `npm run seed:demo`: the demo users, portfolios and 90 days of history. */
export async function seedDemo(app: App): Promise<void> {
  await runDemoSeed(app);
}
