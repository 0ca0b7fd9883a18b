import type { DataSource, ObjectLiteral, ValueTransformer } from 'typeorm';

type Parse = (value: unknown) => unknown;

/**
 * How the read path selects a table's columns and turns a row into its entity, derived from the entity's TypeORM
 * metadata: the entity is the one definition of a table's columns, and every SELECT list and row mapper of a read
 * comes from it, so a column added to the entity is read everywhere and none can be listed twice or drift.
 *
 * Values come as node-postgres parses them (numbers for int and float columns, Dates for timestamptz, "YYYY-MM-DD"
 * text for dates, objects for jsonb: see data-source.ts) and then through the column's TypeORM transformer
 * (numeric → Decimal), as TypeORM's own reads would give them.
 */
export class EntityRows<T extends ObjectLiteral> {
  /** The entity's properties, in the entity's column order. */
  readonly props: readonly (keyof T & string)[];
  private readonly names: readonly string[];
  private readonly parsers: readonly (Parse | null)[];
  /** The row keys for each prefix, made once (`from` runs for every row of every page). */
  private readonly keysByPrefix = new Map<string, readonly string[]>();

  constructor(
    private readonly make: () => T,
    columns: readonly {
      propertyName: string;
      databaseName: string;
      transformer?: ValueTransformer | ValueTransformer[];
    }[],
  ) {
    this.props = columns.map((c) => c.propertyName as keyof T & string);
    this.names = columns.map((c) => c.databaseName);
    this.parsers = columns.map((c) => parserOf(c.transformer));
  }

  /** The SELECT list over table alias `alias`; with `prefix`, each column is named `<prefix><column>`. */
  select(alias: string, prefix = ''): string {
    return this.names.map((n) => (prefix ? `${alias}.${n} AS ${prefix}${n}` : `${alias}.${n}`)).join(', ');
  }

  /** A row read with `select(…, prefix)` as the entity. */
  from(row: Readonly<Record<string, unknown>>, prefix = ''): T {
    const keys = this.keys(prefix);
    const entity = this.make() as Record<string, unknown>;
    for (let i = 0; i < keys.length; i++) {
      const parse = this.parsers[i];
      const value = row[keys[i]];
      entity[this.props[i]] = parse ? parse(value) : value;
    }
    return entity as T;
  }

  /** Whether a row read with `select(…, prefix)` (after a LEFT JOIN) holds a row of this table. */
  present(row: Readonly<Record<string, unknown>>, prefix = ''): boolean {
    return row[this.keys(prefix)[0]] != null;
  }

  private keys(prefix: string): readonly string[] {
    let keys = this.keysByPrefix.get(prefix);
    if (!keys) this.keysByPrefix.set(prefix, (keys = this.names.map((n) => `${prefix}${n}`)));
    return keys;
  }
}

function parserOf(t: ValueTransformer | ValueTransformer[] | undefined): Parse | null {
  if (!t) return null;
  const list = Array.isArray(t) ? [...t].reverse() : [t];
  return (value) => list.reduce<unknown>((v, x) => x.from(v) as unknown, value);
}

const byDataSource = new WeakMap<DataSource, Map<string, EntityRows<ObjectLiteral>>>();

/**
 * The read definition of `entity`'s table (its columns, or only `props` of them), made once per DataSource from its
 * metadata. Relation objects are not columns; a relation's join column is read through its own `@Column` property.
 */
export function rowsOf<T extends ObjectLiteral>(
  ds: DataSource,
  entity: new () => T,
  props?: readonly (keyof T & string)[],
): EntityRows<T> {
  let known = byDataSource.get(ds);
  if (!known) byDataSource.set(ds, (known = new Map<string, EntityRows<ObjectLiteral>>()));
  const key = props ? `${entity.name}:${props.join(',')}` : entity.name;
  let rows = known.get(key) as EntityRows<T> | undefined;
  if (!rows) {
    const columns = ds.getMetadata(entity).columns.filter((c) => !props || props.includes(c.propertyName));
    if (props && columns.length !== props.length)
      throw new Error(`${entity.name} has no column for some of ${props.join(', ')}`);
    rows = new EntityRows<T>(() => new entity(), columns);
    known.set(key, rows as unknown as EntityRows<ObjectLiteral>);
  }
  return rows;
}
