import DataLoader from 'dataloader';

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
export function byId<T extends { id: string }>(load: (ids: string[]) => Promise<T[]>) {
  return new Loader<T | null>(async (ids) => {
    const rows = new Map((await load([...ids])).map((r) => [r.id, r]));
    return ids.map((id) => rows.get(id) ?? null);
  });
}

/** A loader from a parent id to its children, in one statement per batch. */
export function children<T>(load: (ids: string[]) => Promise<T[]>, parent: (r: T) => string) {
  return new Loader<T[]>(async (ids) => {
    const groups = groupBy(await load([...ids]), parent);
    return ids.map((id) => groups.get(id) ?? []);
  });
}
