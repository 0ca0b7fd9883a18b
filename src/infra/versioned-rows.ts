import { LRUCache } from 'lru-cache';

/**
 * Values made from database rows, kept by row id with the row version they were read at (PostgreSQL's xmin, which
 * changes with every update of the row) and frozen: the reads that find a row at the same version share its value.
 * A read then asks the database only for ids and versions, and reads in full only the rows it does not hold at that
 * version, so it never serves a changed row, in any process. Bounded (least recently used rows go first).
 */
export class VersionedRows<T extends object> {
  private readonly rows: LRUCache<string, { v: string; value: Readonly<T> }>;

  constructor(max: number) {
    this.rows = new LRUCache({ max });
  }

  /** The value made from version `v` of row `id`, when held. */
  get(id: string, v: string): Readonly<T> | undefined {
    const entry = this.rows.get(id);
    return entry?.v === v ? entry.value : undefined;
  }

  /** Keeps `value`, made from version `v` of row `id`, and returns it frozen. */
  set(id: string, v: string, value: T): Readonly<T> {
    const frozen = Object.freeze(value);
    this.rows.set(id, { v, value: frozen });
    return frozen;
  }
}
