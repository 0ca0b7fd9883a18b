import { LRUCache } from 'lru-cache';
import type { DataSource } from 'typeorm';
import { read } from '../../data-source';
import { sumValuations, valueLeg, type ValuationTotals } from '../../domain/valuation';
import type { PriceSnapshot } from '../market-data/price-snapshot';
import type { LegEntity } from './leg.entity';
import { legRows, legView, type LegKeyRow, type LegView } from './leg.rows';

/**
 * A cached row and its last valuation (as the leg view the API shows), with what it was valued at: the prices (as
 * text) of its symbol and underlying, the instant (options only: a stock, fund or private holding is worth quantity ×
 * multiplier × price whatever the time), the rate and the default volatility. The valuation is a pure function of the
 * row and these, so an unchanged row (same version) valued again at the same inputs reuses it: one Black-Scholes
 * valuation per leg, price change and second, not one per read. The view is shared by the reads that reuse it, frozen.
 */
export interface LegRowEntry {
  v: string;
  leg: Readonly<LegEntity>;
  view?: Readonly<LegView>;
  symbolPrice?: string | null;
  underlyingPrice?: string | null;
  at?: number;
  rate?: number;
  vol?: number;
}

/**
 * A process's cache of legs rows and valuations, owned by its App (the API and each worker have their own), sized by
 * LEG_CACHE_SIZE. Exact by construction:
 * - parsed legs rows by id, each with the row version it was read at (PostgreSQL's xmin, which changes with every
 *   update of the row). Legs change rarely and are read on every nested query: a load asks the database only for ids,
 *   versions and prices, and reads (and parses) in full only the rows that are new or changed since. The cache is
 *   checked against the database on every load, so it never serves a changed row, in any process;
 * - with each row, its last valuation and what it was made at (see LegRowEntry);
 * - the last sums of each strategy's legs with the leg views they were made of: the same views in the same order
 *   mean the same sums, so an unchanged strategy at unchanged prices is not summed again.
 */
export class LegCache {
  private readonly rows: LRUCache<string, LegRowEntry>;
  private readonly sums: LRUCache<string, { legs: readonly LegView[]; totals: Readonly<ValuationTotals> }>;

  constructor(readonly size: number) {
    this.rows = new LRUCache({ max: size });
    this.sums = new LRUCache({ max: size });
  }

  /**
   * Leg views for key rows (in their order), valued in `snapshot`: known unchanged rows from the cache, the others
   * read in full (one statement).
   */
  async views(ds: DataSource, keys: readonly LegKeyRow[], snapshot: PriceSnapshot): Promise<Readonly<LegView>[]> {
    // Each key's cached entry when held at its version; the others are read in full (one statement).
    const entries: (LegRowEntry | undefined)[] = new Array<LegRowEntry | undefined>(keys.length);
    const missing: string[] = [];
    for (let i = 0; i < keys.length; i++) {
      const known = this.rows.get(keys[i].id);
      if (known?.v === keys[i].v) entries[i] = known;
      else missing.push(keys[i].id);
    }
    if (missing.length) {
      const legs = legRows(ds);
      const rows = await read<Record<string, unknown> & { v: string }>(
        ds,
        `SELECT ${legs.select('l')}, l.xmin::text AS v FROM legs l WHERE l.id = ANY($1)`,
        [missing],
      );
      const fresh = new Map<string, LegRowEntry>();
      for (const r of rows) {
        const entry = this.entry(legs.from(r), r.v);
        fresh.set(entry.leg.id, entry);
      }
      for (let i = 0; i < keys.length; i++) entries[i] ??= fresh.get(keys[i].id);
    }
    // From here on nothing awaits: the snapshot's prices are taken and used in one go.
    const views: Readonly<LegView>[] = [];
    for (let i = 0; i < keys.length; i++) {
      const entry = entries[i];
      if (!entry) continue; // deleted between the two statements
      const { leg } = entry;
      const r = keys[i];
      const symbolPrice = snapshot.take(leg.symbol, r.symbol_price);
      views.push(
        this.viewOf(ds, entry, snapshot, symbolPrice, snapshot.take(leg.underlyingSymbol, r.underlying_price)),
      );
    }
    return views;
  }

  /**
   * The entry of a legs row read in full at version `v`: the one held when it is at that version (with its last
   * valuation), else a new one, kept.
   */
  entry(leg: LegEntity, v: string): LegRowEntry {
    const known = this.rows.get(leg.id);
    if (known?.v === v) return known;
    const entry: LegRowEntry = { v, leg };
    this.rows.set(leg.id, entry);
    return entry;
  }

  /**
   * Views of held entries (in their order) valued in `snapshot`, each symbol at the price `prices` gives unless the
   * snapshot has taken one already (PriceSnapshot.take).
   */
  valued(
    ds: DataSource,
    entries: readonly LegRowEntry[],
    snapshot: PriceSnapshot,
    prices: ReadonlyMap<string, string | null>,
  ): Readonly<LegView>[] {
    return entries.map(({ leg }, i) =>
      this.viewOf(
        ds,
        entries[i],
        snapshot,
        snapshot.take(leg.symbol, prices.get(leg.symbol) ?? null),
        snapshot.take(leg.underlyingSymbol, prices.get(leg.underlyingSymbol) ?? null),
      ),
    );
  }

  /**
   * A strategy's figures from its legs: sumValuations of their views, the one place the read path sums a strategy
   * (the totals add these up, see sumTotals).
   */
  strategySums(strategyId: string, legs: readonly LegView[]): Readonly<ValuationTotals> {
    const known = this.sums.get(strategyId);
    if (known && known.legs.length === legs.length && known.legs.every((l, i) => l === legs[i])) return known.totals;
    const totals = Object.freeze(sumValuations(legs));
    this.sums.set(strategyId, { legs, totals });
    return totals;
  }

  /** A leg's view valued in a snapshot: the one cached with its row when made at the same inputs, else made now. */
  private viewOf(
    ds: DataSource,
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
    const view = Object.freeze(
      legView(ds, leg, valuation, snapshot.price(leg.symbol), snapshot.price(leg.underlyingSymbol)),
    );
    entry.view = view;
    entry.symbolPrice = symbolPrice;
    entry.underlyingPrice = underlyingPrice;
    entry.at = at;
    entry.rate = env.riskFreeRate;
    entry.vol = env.defaultVolatility;
    return view;
  }
}
