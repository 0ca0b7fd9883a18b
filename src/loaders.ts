import DataLoader from 'dataloader';
import Decimal from 'decimal.js';
import { LRUCache } from 'lru-cache';
import { In, type DataSource } from 'typeorm';
import type { Config } from './config';
import { toDecimal } from './common/columns';
import { read } from './data-source';
import type { MarketEnv } from './domain/types';
import { sumValuations, valueLeg, type ValuationTotals } from './domain/valuation';
import { LegEntity } from './modules/leg/leg.entity';
import type { AuthUser } from './context';
import type { NodeTypeName } from './common/node';
import { BatchRunEntity } from './modules/batch/batch.entity';
import { MarketDataEntity } from './modules/market-data/market-data.entity';
import { PortfolioEntity } from './modules/portfolio/portfolio.entity';
import { StrategyMetricsEntity, StrategyVersionEntity } from './modules/strategy/strategy.entity';
import { strategyFromRow, type StrategyRow } from './modules/strategy/strategy.queries';
import { TagEntity } from './modules/tag/tag.entity';

type Valuation = ReturnType<typeof valueLeg>;

/**
 * A leg as the API shows it: the stored columns plus its valuation at the request's prices (price, source,
 * market value, cost basis, P&L, greeks) and the latest prices of its symbol and underlying, as plain properties.
 */
export type LegView = LegEntity & Valuation & { lastPrice: Decimal | null; underlyingPrice: Decimal | null };

export function groupBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

/**
 * A DataLoader that also answers at once for the keys whose value it holds (primed, or loaded by an earlier batch):
 * `peek` lets the field resolvers of a prefetched page return plain values instead of a promise per field. The first
 * value known for a key is the one both `peek` and `load` answer with.
 */
export class Loader<V> extends DataLoader<string, V> {
  private readonly held: Map<string, V>;

  constructor(batch: (keys: readonly string[]) => Promise<ArrayLike<V | Error>>) {
    const held = new Map<string, V>();
    super(async (keys) => {
      const values = await batch(keys);
      for (let i = 0; i < keys.length; i++) {
        const v = values[i];
        if (!(v instanceof Error) && !held.has(keys[i])) held.set(keys[i], v);
      }
      return values;
    });
    this.held = held;
  }

  /** The value held for `key`, or undefined when it is not known yet. */
  peek(key: string): V | undefined {
    return this.held.get(key);
  }

  override load(key: string): Promise<V> {
    const v = this.held.get(key);
    return v !== undefined ? Promise.resolve(v) : super.load(key);
  }

  override prime(key: string, value: V | PromiseLike<V> | Error): this {
    if (!(value instanceof Error) && !isPromiseLike(value) && !this.held.has(key)) this.held.set(key, value);
    return super.prime(key, value);
  }

  override clear(key: string): this {
    this.held.delete(key);
    return super.clear(key);
  }

  override clearAll(): this {
    this.held.clear();
    return super.clearAll();
  }
}

const isPromiseLike = (v: unknown): v is PromiseLike<unknown> =>
  typeof (v as PromiseLike<unknown> | null)?.then === 'function';

/** A loader from ids to one row each (null when absent), in one `= ANY` statement per batch. */
function byId<T extends { id: string }>(load: (ids: string[]) => Promise<T[]>) {
  return new Loader<T | null>(async (ids) => {
    const rows = new Map((await load([...ids])).map((r) => [r.id, r]));
    return ids.map((id) => rows.get(id) ?? null);
  });
}

/** A loader from a parent id to its children, in one statement per batch. */
function children<T>(load: (ids: string[]) => Promise<T[]>, parent: (r: T) => string) {
  return new Loader<T[]>(async (ids) => {
    const groups = groupBy(await load([...ids]), parent);
    return ids.map((id) => groups.get(id) ?? []);
  });
}

const LEG_COLUMNS = `l.id, l.strategy_id, l.portfolio_id, l.symbol, l.position_type, l.quantity, l.multiplier, l.investment_class,
  l.underlying_symbol, l.option_type, l.strike_price, l.expiration_date, l.implied_volatility, l.entry_price, l.entry_date, l.leg_order,
  l.status, l.exit_price, l.exit_date`;

/** A legs row as the entity (numeric columns as Decimal; dates stay text). */
export function legFromRow(r: Record<string, any>): LegEntity {
  return Object.assign(new LegEntity(), {
    id: r.id,
    strategyId: r.strategy_id,
    portfolioId: r.portfolio_id,
    symbol: r.symbol,
    positionType: r.position_type,
    quantity: new Decimal(r.quantity),
    multiplier: r.multiplier,
    investmentClass: r.investment_class,
    underlyingSymbol: r.underlying_symbol,
    optionType: r.option_type,
    strikePrice: toDecimal(r.strike_price),
    expirationDate: r.expiration_date,
    impliedVolatility: r.implied_volatility,
    entryPrice: new Decimal(r.entry_price),
    entryDate: r.entry_date,
    legOrder: r.leg_order,
    status: r.status,
    exitPrice: toDecimal(r.exit_price),
    exitDate: r.exit_date,
  });
}

/**
 * A new object per load (the cached row is shared and never written to), written out field by field: one object
 * shape for every view, where spreading the entity made slow dictionary-mode objects (measured 4 µs each).
 */
function legView(
  l: Readonly<LegEntity>,
  v: Readonly<Valuation>,
  lastPrice: Decimal | null,
  underlyingPrice: Decimal | null,
): LegView {
  return {
    id: l.id,
    strategyId: l.strategyId,
    portfolioId: l.portfolioId,
    symbol: l.symbol,
    positionType: l.positionType,
    quantity: l.quantity,
    multiplier: l.multiplier,
    investmentClass: l.investmentClass,
    underlyingSymbol: l.underlyingSymbol,
    optionType: l.optionType,
    strikePrice: l.strikePrice,
    expirationDate: l.expirationDate,
    impliedVolatility: l.impliedVolatility,
    entryPrice: l.entryPrice,
    entryDate: l.entryDate,
    legOrder: l.legOrder,
    createdAt: l.createdAt,
    updatedAt: l.updatedAt,
    status: l.status,
    exitPrice: l.exitPrice,
    exitDate: l.exitDate,
    price: v.price,
    priceSource: v.priceSource,
    marketValue: v.marketValue,
    costBasis: v.costBasis,
    unrealizedPnl: v.unrealizedPnl,
    greeks: v.greeks,
    lastPrice,
    underlyingPrice,
  };
}

/** The prices a set of leg views was valued with, as a market environment (for payoff analysis). */
export function envOfLegs(cfg: Config, legs: LegView[], now = new Date()): MarketEnv {
  const prices: [string, Decimal][] = [];
  for (const l of legs) {
    if (l.lastPrice) prices.push([l.symbol, l.lastPrice]);
    if (l.underlyingPrice) prices.push([l.underlyingSymbol, l.underlyingPrice]);
  }
  return marketEnv(cfg, prices, now);
}

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
    this.env = {
      now,
      riskFreeRate: cfg.RISK_FREE_RATE,
      defaultVolatility: cfg.DEFAULT_IMPLIED_VOLATILITY,
      prices: this.prices,
    };
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

/** How many parsed legs rows a process keeps (about 1 KB each). */
export const LEG_ROW_CACHE_SIZE = 50_000;

/**
 * Parsed legs rows by id, each with the row version it was read at (PostgreSQL's xmin, which changes with every
 * update of the row). Legs change rarely and are read on every nested query: a load asks the database only for ids,
 * versions and prices, and reads (and parses) in full only the rows that are new or changed since. The cache is
 * checked against the database on every load, so it never serves a changed row, in any process.
 */
const legRows = new LRUCache<string, LegRowEntry>({ max: LEG_ROW_CACHE_SIZE });

/**
 * A cached row and its last valuation (as the leg view the API shows), with what it was valued at: the prices (as
 * text) of its symbol and underlying, the instant (options only: a stock, fund or private holding is worth quantity ×
 * multiplier × price whatever the time), the rate and the default volatility. The valuation is a pure function of the
 * row and these, so an unchanged row (same version) valued again at the same inputs reuses it: one Black-Scholes
 * valuation per leg, price change and second, not one per read. The view is shared by the reads that reuse it, frozen.
 */
interface LegRowEntry {
  v: string;
  leg: Readonly<LegEntity>;
  view?: Readonly<LegView>;
  symbolPrice?: string | null;
  underlyingPrice?: string | null;
  at?: number;
  rate?: number;
  vol?: number;
}

/** A leg's view valued in a snapshot: the one cached with its row when made at the same inputs, else made now. */
function viewOf(
  entry: LegRowEntry,
  snapshot: PriceSnapshot,
  symbolPrice: string | null,
  underlyingPrice: string | null,
): Readonly<LegView> {
  const { leg } = entry;
  const { env } = snapshot;
  const at = leg.optionType == null ? 0 : env.now.getTime();
  if (
    entry.view &&
    entry.symbolPrice === symbolPrice &&
    entry.underlyingPrice === underlyingPrice &&
    entry.at === at &&
    entry.rate === env.riskFreeRate &&
    entry.vol === env.defaultVolatility
  )
    return entry.view;
  const valuation = valueLeg(leg, env);
  const view = Object.freeze(legView(leg, valuation, snapshot.price(leg.symbol), snapshot.price(leg.underlyingSymbol)));
  entry.view = view;
  entry.symbolPrice = symbolPrice;
  entry.underlyingPrice = underlyingPrice;
  entry.at = at;
  entry.rate = env.riskFreeRate;
  entry.vol = env.defaultVolatility;
  return view;
}

/**
 * The last sums of each strategy's legs with the leg views they were made of. Views are cached per leg and inputs
 * (see LegRowEntry), so the same views in the same order mean the same sums: an unchanged strategy at unchanged
 * prices is not summed again.
 */
const strategySums = new LRUCache<string, { legs: readonly LegView[]; totals: Readonly<ValuationTotals> }>({
  max: LEG_ROW_CACHE_SIZE,
});

/**
 * A strategy's figures from its legs: sumValuations of their views, the one place the read path sums a strategy (the
 * totals add these up, see sumTotals).
 */
export function strategySumsOf(strategyId: string, legs: readonly LegView[]): Readonly<ValuationTotals> {
  const known = strategySums.get(strategyId);
  if (known && known.legs.length === legs.length && known.legs.every((l, i) => l === legs[i])) return known.totals;
  const totals = Object.freeze(sumValuations(legs));
  strategySums.set(strategyId, { legs, totals });
  return totals;
}

/**
 * Legs with their valuation: the latest prices of each leg's symbol and underlying come in the same statement,
 * so marketValue, P&L and greeks are plain properties (no further query, promise or resolver per leg).
 * One statement when every row is known; a second one reads the rows that are not. Valued in `snapshot` (a request's
 * own, see PriceSnapshot; by default one of its own at `now`).
 */
export async function loadLegViews(
  ds: DataSource,
  cfg: Config,
  column: 'l.strategy_id' | 'l.id',
  keys: readonly string[],
  now = new Date(),
  snapshot = new PriceSnapshot(cfg, now),
): Promise<LegView[]> {
  const rows = await read<LegKeyRow>(
    ds,
    `SELECT ${LEG_KEY_COLUMNS} FROM legs l ${LEG_PRICE_JOINS} WHERE ${column} = ANY($1) ORDER BY l.status, l.leg_order, l.created_at`,
    [keys],
  );
  return legViewsOf(ds, rows, snapshot);
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

/**
 * Leg views for key rows (in their order), valued in `snapshot`: known unchanged rows from the cache, the others
 * read in full.
 */
export async function legViewsOf(
  ds: DataSource,
  rows: readonly LegKeyRow[],
  snapshot: PriceSnapshot,
): Promise<Readonly<LegView>[]> {
  const entries = new Map<string, LegRowEntry>();
  const missing: string[] = [];
  for (const r of rows) {
    const known = legRows.get(r.id);
    if (known?.v === r.v) entries.set(r.id, known);
    else missing.push(r.id);
  }
  if (missing.length) {
    for (const r of await read(ds, `SELECT ${LEG_COLUMNS}, l.xmin::text AS v FROM legs l WHERE l.id = ANY($1)`, [
      missing,
    ])) {
      const entry: LegRowEntry = { v: r.v, leg: legFromRow(r) };
      entries.set(r.id, entry);
      legRows.set(r.id, entry);
    }
  }
  // From here on nothing awaits: the snapshot's prices are taken and used in one go.
  const views: Readonly<LegView>[] = [];
  for (const r of rows) {
    const entry = entries.get(r.id);
    if (!entry) continue; // deleted between the two statements
    const { leg } = entry;
    const symbolPrice = snapshot.take(leg.symbol, r.symbol_price);
    views.push(viewOf(entry, snapshot, symbolPrice, snapshot.take(leg.underlyingSymbol, r.underlying_price)));
  }
  return views;
}

/**
 * What a read takes from strategy_metrics: the worker's payoff analysis and when it made it. The figures a read shows
 * (market value, P&L, greeks) are the sums of its own legs (Loaders.sums), not the stored ones.
 */
export type StoredMetrics = Pick<StrategyMetricsEntity, 'strategyId' | 'payoff' | 'calculatedAt'>;

/** The columns of strategy_metrics (table alias `t`) a read uses, named with `prefix`, as metricsFromRow reads them. */
const METRICS_COLUMN_NAMES = ['strategy_id', 'payoff', 'calculated_at'];
const METRICS_COLUMNS = (t: string, prefix: string) =>
  METRICS_COLUMN_NAMES.map((c) => `${t}.${c} AS ${prefix}${c}`).join(', ');

const LOADER_METRICS_COLUMNS = METRICS_COLUMNS('m', '');
/** The metrics columns a strategies page joins (alias `sm`, named `sm_…`). */
export const PAGE_METRICS_COLUMNS = METRICS_COLUMNS('sm', 'sm_');

/** metricsFromRow's column names for each prefix, built once (it runs for every row of every page). */
const metricsKeys = new Map<string, Record<string, string>>();
const keysFor = (prefix: string) => {
  let k = metricsKeys.get(prefix);
  if (!k) {
    k = Object.fromEntries(METRICS_COLUMN_NAMES.map((c) => [c, `${prefix}${c}`]));
    metricsKeys.set(prefix, k);
  }
  return k;
};

/** A strategy_metrics row (columns named with `prefix`) as a read uses it, field by field. */
export function metricsFromRow(r: Record<string, any>, prefix: string): StoredMetrics {
  const k = keysFor(prefix);
  return { strategyId: r[k.strategy_id], payoff: r[k.payoff], calculatedAt: r[k.calculated_at] };
}

/** A strategy's tag as tagsByStrategy loads it (TAG_LINK_COLUMNS over `strategy_tags st JOIN tags t`). */
export interface TagLinkRow {
  strategy_id: string;
  id: string;
  user_id: string;
  name: string;
  color: string;
  description: string | null;
  display_order: number;
  archived_at: Date | null;
}
export const TAG_LINK_COLUMNS =
  'st.strategy_id, t.id, t.user_id, t.name, t.color, t.description, t.display_order, t.archived_at';

/** A tags row (TAG_LINK_COLUMNS without the strategy) as the entity. */
export function tagFromRow(r: Omit<TagLinkRow, 'strategy_id'>): TagEntity {
  const tag = new TagEntity();
  tag.id = r.id;
  tag.userId = r.user_id;
  tag.name = r.name;
  tag.color = r.color;
  tag.description = r.description;
  tag.displayOrder = r.display_order;
  tag.archivedAt = r.archived_at;
  return tag;
}

/** Links as {strategyId, tag}; a tag shared by many strategies becomes one object, shared (read-only) by its links. */
export function tagLinksOf<R extends TagLinkRow>(
  rows: readonly R[],
  strategyOf: (r: R) => string = (r) => r.strategy_id,
): { strategyId: string; tag: TagEntity }[] {
  const tags = new Map<string, TagEntity>();
  return rows.map((r) => {
    let tag = tags.get(r.id);
    if (!tag) tags.set(r.id, (tag = tagFromRow(r)));
    return { strategyId: strategyOf(r), tag };
  });
}

/** Per-request DataLoaders (created per request as Twenty's createLoaders()): one statement per level. */
export function createLoaders(ds: DataSource, cfg: Config) {
  const snapshot = new PriceSnapshot(cfg, valuationInstant());
  const { now } = snapshot;
  const marketData = new DataLoader<string, MarketDataEntity | null>(async (symbols) => {
    const found = await read<{
      symbol: string;
      last_price: string | null;
      price_at: Date | null;
      sector: string | null;
    }>(ds, `SELECT symbol, last_price, price_at, sector FROM market_data WHERE symbol = ANY($1)`, [symbols]);
    const rows = new Map(
      found.map((r) => [
        r.symbol,
        Object.assign(new MarketDataEntity(), {
          symbol: r.symbol,
          lastPrice: toDecimal(r.last_price),
          priceAt: r.price_at,
          sector: r.sector,
        }),
      ]),
    );
    return symbols.map((s) => rows.get(s) ?? null);
  });

  const loaders = {
    portfolio: byId((keys) => ds.getRepository(PortfolioEntity).findBy({ id: In(keys) })),
    strategy: byId(async (keys) =>
      (await read<StrategyRow>(ds, `SELECT * FROM strategies WHERE id = ANY($1)`, [keys])).map(strategyFromRow),
    ),
    legsByStrategy: children(
      (keys) => loadLegViews(ds, cfg, 'l.strategy_id', keys, now, snapshot),
      (l) => l.strategyId,
    ),
    leg: byId((keys) => loadLegViews(ds, cfg, 'l.id', keys, now, snapshot)),
    tagsByStrategy: children(
      async (keys) =>
        tagLinksOf(
          await read<TagLinkRow>(
            ds,
            `SELECT ${TAG_LINK_COLUMNS} FROM strategy_tags st JOIN tags t ON t.id = st.tag_id
         WHERE st.strategy_id = ANY($1) ORDER BY t.display_order, lower(t.name)`,
            [keys],
          ),
        ),
      (r) => r.strategyId,
    ),
    metrics: new Loader<StoredMetrics | null>(async (keys) => {
      const rows = await read(
        ds,
        `SELECT ${LOADER_METRICS_COLUMNS} FROM strategy_metrics m WHERE m.strategy_id = ANY($1)`,
        [keys],
      );
      const byId = new Map(rows.map((r) => [r.strategy_id as string, metricsFromRow(r, '')]));
      return keys.map((k) => byId.get(k) ?? null);
    }),
    versions: children(
      (keys) =>
        ds.getRepository(StrategyVersionEntity).find({ where: { strategyId: In(keys) }, order: { version: 'ASC' } }),
      (v) => v.strategyId,
    ),
    /** Lineage in both directions; `dir` picks ancestors or descendants of each key. */
    lineage: (dir: 'ancestors' | 'descendants') =>
      children(
        async (keys) => {
          const [mine, other] =
            dir === 'ancestors' ? ['descendant_id', 'ancestor_id'] : ['ancestor_id', 'descendant_id'];
          const rows = await read<StrategyRow & { key: string }>(
            ds,
            `SELECT l.${mine} AS key, s.* FROM strategy_lineage l JOIN strategies s ON s.id = l.${other} WHERE l.${mine} = ANY($1) ORDER BY s.created_at, s.id`,
            [keys],
          );
          return rows.map((r) => ({ key: r.key, strategy: strategyFromRow(r) }));
        },
        (r) => r.key,
      ),
    usageCount: new DataLoader<string, number>(async (keys) => {
      const rows = await read<{ tag_id: string; n: number }>(
        ds,
        `SELECT st.tag_id, count(*)::int AS n FROM strategy_tags st JOIN strategies s ON s.id = st.strategy_id AND s.status = 'ACTIVE'
         JOIN portfolios p ON p.id = s.portfolio_id AND p.deleted_at IS NULL
         WHERE st.tag_id = ANY($1) GROUP BY st.tag_id`,
        [keys],
      );
      const m = new Map(rows.map((r) => [r.tag_id, r.n]));
      return keys.map((k) => m.get(k) ?? 0);
    }),
    marketData,
    tag: byId(async (keys) =>
      (
        await read<TagLinkRow>(
          ds,
          `SELECT t.id, t.user_id, t.name, t.color, t.description, t.display_order, t.archived_at
       FROM tags t WHERE t.id = ANY($1)`,
          [keys],
        )
      ).map(tagFromRow),
    ),
    batchRun: byId((keys) => ds.getRepository(BatchRunEntity).findBy({ id: In(keys) })),
  };
  const ancestors = loaders.lineage('ancestors');
  const nodeTypeLoaders = new Map<string, DataLoader<string, NodeTypeName | null>>();
  /** For node/nodes: the type of each id among the objects `user` may see (one statement per batch, all types). */
  const nodeTypes = (user: AuthUser) => {
    let l = nodeTypeLoaders.get(user.id);
    if (!l) nodeTypeLoaders.set(user.id, (l = nodeTypeLoader(ds, user)));
    return l;
  };
  const descendants = loaders.lineage('descendants');
  /**
   * A strategy's figures in this response: the sum of its legs' valuations (the same leg views the response shows),
   * what Strategy.metrics and the totals report. The one place where a strategy's legs are summed on the read path.
   */
  const sums = new DataLoader<string, Readonly<ValuationTotals>>(async (ids) =>
    (await loaders.legsByStrategy.loadMany(ids)).map((legs, i) =>
      legs instanceof Error ? legs : strategySumsOf(ids[i], legs),
    ),
  );
  // `snapshot`: the prices and the one instant (`now`) every valuation of this request is made at.
  return { ...loaders, ancestors, descendants, nodeTypes, sums, snapshot, now };
}

export type Loaders = ReturnType<typeof createLoaders>;

/**
 * The type of each id among the objects a user may see: their portfolios (not deleted), the strategies and legs in
 * them, their tags, and the batch runs batchRun(id) shows them (their own; admins also the DAILY ones). An unknown id
 * and another user's come back alike, null, from the same single statement.
 */
function nodeTypeLoader(ds: DataSource, user: AuthUser) {
  return new DataLoader<string, NodeTypeName | null>(async (ids) => {
    const rows = await read<{ id: string; t: NodeTypeName }>(
      ds,
      `SELECT p.id, 'Portfolio' AS t FROM portfolios p WHERE p.id = ANY($1) AND p.user_id = $2 AND p.deleted_at IS NULL
       UNION ALL SELECT s.id, 'Strategy' FROM strategies s JOIN portfolios p ON p.id = s.portfolio_id
         WHERE s.id = ANY($1) AND p.user_id = $2 AND p.deleted_at IS NULL
       UNION ALL SELECT l.id, 'Leg' FROM legs l JOIN portfolios p ON p.id = l.portfolio_id
         WHERE l.id = ANY($1) AND p.user_id = $2 AND p.deleted_at IS NULL
       UNION ALL SELECT t.id, 'Tag' FROM tags t WHERE t.id = ANY($1) AND t.user_id = $2
       UNION ALL SELECT r.id, 'BatchRun' FROM batch_runs r
         WHERE r.id = ANY($1) AND (r.user_id = $2 OR (r.user_id IS NULL AND $3))`,
      [ids, user.id, user.isAdmin],
    );
    const types = new Map(rows.map((r) => [r.id, r.t]));
    return ids.map((id) => types.get(id) ?? null);
  });
}
