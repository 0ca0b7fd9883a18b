import type { DataSource } from 'typeorm';
import { read } from '../../data-source';

/** Latest prices as PostgreSQL sends them (text; null: a market_data row without a price), by symbol. */
export type Prices = ReadonlyMap<string, string | null>;

/**
 * This process's copy of market_data's latest prices, as of a value of the price clock (migration ReadVersions: the
 * clock moves in commit order with every transaction that writes market_data, and each row carries the clock of its
 * last writer). A page reads the clock with its strategies and asks for the prices as of that clock or later: the
 * copy is refreshed only when the clock moved, with the rows written since (all rows after a delete), and each copy
 * is one committed state of the table, shared read-only by the requests that use it. With prices streaming, one
 * refresh per tick and process replaces joining market_data to every leg of every read.
 */
export class PriceBook {
  /** Clock 0: nothing held (the clock starts at 1). */
  private held: { clock: number; prices: Prices } = { clock: 0, prices: new Map() };
  private refreshing: Promise<void> | null = null;

  /** The prices as of `clock` or a later value, read first if this process holds an older copy. */
  async at(ds: DataSource, clock: number): Promise<Prices> {
    // The clock starts at 1 and only moves up: anything else means its row is gone, and prices cannot be trusted.
    if (!(clock >= 1)) throw new Error('the price clock row is missing (migration ReadVersions)');
    // A refresh under way may have started before `clock` was committed: then one more (at most two in all).
    while (this.held.clock < clock) {
      this.refreshing ??= this.refresh(ds).finally(() => (this.refreshing = null));
      await this.refreshing;
    }
    return this.held.prices;
  }

  /** The rows written since the clock held (all of them after a reset), in one statement: one committed state. */
  private async refresh(ds: DataSource): Promise<void> {
    const from = this.held;
    const rows = await read<{ v: string | null; reset_v: string | null; symbol: string; last_price: string | null }>(
      ds,
      `WITH c AS (SELECT v, reset_v FROM price_clock)
       SELECT c.v::text AS v, c.reset_v::text AS reset_v, NULL AS symbol, NULL AS last_price FROM c
       UNION ALL SELECT NULL, NULL, m.symbol, m.last_price FROM c, market_data m WHERE c.reset_v > $1
       UNION ALL SELECT NULL, NULL, m.symbol, m.last_price FROM c, market_data m
         WHERE c.reset_v <= $1 AND m.clock > $1`,
      [from.clock],
    );
    const head = rows.find((r) => r.v !== null);
    if (!head) throw new Error('the price clock row is missing (migration ReadVersions)');
    const clock = Number(head.v);
    const prices = new Map(Number(head.reset_v) > from.clock ? [] : from.prices);
    for (const r of rows) if (r.v === null) prices.set(r.symbol, r.last_price);
    if (clock > this.held.clock) this.held = { clock, prices };
  }
}
