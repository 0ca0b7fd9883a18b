import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildSchema,
  findBreakingChanges,
  isObjectType,
  isInputObjectType,
  isEnumType,
  printSchema,
  lexicographicSortSchema,
} from 'graphql';
import { createDataSource } from '../src/data-source';
import { createSchema, SCHEMA_FILE } from '../src/schema';
import { staleDescriptionKeys, undescribed } from '../src/schema-descriptions';

/**
 * The public contract, kept in the repository (`contract/`, copies of the product owner's files; `.ci/run` fails
 * when they differ from the product owner's folder beside the clone, where it exists). The base file plus every
 * extension the product implements, concatenated so that `extend` applies.
 */
const CONTRACT_DIR = path.resolve(__dirname, '../contract');
const IMPLEMENTED_EXTENSIONS: string[] = [
  'contract-lifecycle.graphql',
  'contract-risk.graphql',
  'contract-clients.graphql',
];
const contractSdl = () =>
  ['contract.graphql', ...IMPLEMENTED_EXTENSIONS]
    .map((f) => readFileSync(path.join(CONTRACT_DIR, f), 'utf8'))
    .join('\n');

describe('schema.graphql', () => {
  it('is what the resolvers emit (run `npm run schema` after changing them)', async () => {
    const emitted = printSchema(lexicographicSortSchema(await createSchema()));
    const committed = printSchema(lexicographicSortSchema(buildSchema(readFileSync(SCHEMA_FILE, 'utf8'))));
    expect(committed).toBe(emitted);
  });

  it('breaks nothing of the contract (contract/)', async () => {
    const contract = buildSchema(contractSdl());
    const ours = await createSchema();
    expect(findBreakingChanges(contract, ours)).toEqual([]);
  });

  it('has every contract type, field, argument and enum value with the same type', async () => {
    const contract = buildSchema(contractSdl());
    const ours = await createSchema();
    const missing: string[] = [];
    for (const t of Object.values(contract.getTypeMap())) {
      if (t.name.startsWith('__')) continue;
      const o = ours.getType(t.name);
      if (!o) {
        missing.push(t.name);
        continue;
      }
      if (isObjectType(t) && isObjectType(o)) {
        for (const f of Object.values(t.getFields())) {
          const of = o.getFields()[f.name];
          if (!of || String(of.type) !== String(f.type)) missing.push(`${t.name}.${f.name}: ${f.type}`);
          for (const a of f.args) {
            const oa = of?.args.find((x) => x.name === a.name);
            if (!oa || String(oa.type) !== String(a.type)) missing.push(`${t.name}.${f.name}(${a.name}: ${a.type})`);
          }
        }
      }
      if (isInputObjectType(t) && isInputObjectType(o)) {
        for (const f of Object.values(t.getFields())) {
          if (String(o.getFields()[f.name]?.type) !== String(f.type)) missing.push(`${t.name}.${f.name}`);
        }
      }
      if (isEnumType(t) && isEnumType(o)) {
        for (const v of t.getValues()) if (!o.getValue(v.name)) missing.push(`${t.name}.${v.name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('descriptions', () => {
  it('are on every type, field, argument and enum value (add one to each new element, in its decorator)', async () => {
    expect(undescribed(await createSchema())).toEqual([]);
  });

  it('of the table (schema-descriptions.ts) all name an element that exists', async () => {
    expect(staleDescriptionKeys(await createSchema())).toEqual([]);
  });
});

describe('migrations', () => {
  it('match the entities exactly (no drift)', async () => {
    const ds = createDataSource(process.env.TEST_DATABASE_URL!);
    await ds.initialize();
    try {
      expect(await ds.showMigrations()).toBe(false);
      const pending = await ds.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });
});
