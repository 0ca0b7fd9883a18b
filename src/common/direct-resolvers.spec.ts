import 'reflect-metadata';
import { createPubSub } from '@graphql-yoga/subscription';
import type { GraphQLFieldResolver, GraphQLObjectType, GraphQLResolveInfo } from 'graphql';
import { buildSchema, getMetadataStorage } from 'type-graphql';
import { createSchema, RESOLVERS, schemaOptions } from '../schema';
import { directFieldResolvers, isDirectResolver } from './direct-resolvers';

describe('direct field resolvers', () => {
  it('call root-and-context field resolvers directly, and leave those with arguments to type-graphql', async () => {
    const schema = await createSchema();
    const fields = (schema.getType('Strategy') as GraphQLObjectType).getFields();
    // The page's relations are called directly; a field with arguments (m2m(from, to)) keeps type-graphql's
    // resolver, which converts and validates its arguments; plain properties have no resolver at all.
    for (const name of ['legs', 'tags', 'metrics', 'legCount', 'isSynthetic', 'portfolio'])
      expect(isDirectResolver(fields[name].resolve)).toBe(true);
    expect(fields.m2m.resolve).toBeDefined();
    expect(isDirectResolver(fields.m2m.resolve)).toBe(false);
    expect(fields.name.resolve).toBeUndefined();
    // createSchema already replaced them: a second pass finds nothing left to replace.
    expect(directFieldResolvers(schema, schemaOptions(createPubSub()))).toEqual([]);
  });
});

/** One call of a resolver method, recorded by the stand-ins below. */
interface Call {
  method: string;
  self: unknown;
  args: unknown[];
}

describe('direct field resolvers behave as type-graphql’s own', () => {
  // Every method of every resolver class is replaced by a stand-in that records its call and answers what `answer`
  // says: both type-graphql's resolver and the direct one then call the stand-in, and are compared call by call.
  const calls: Call[] = [];
  let answer: (call: Call) => unknown = () => undefined;
  const restore: (() => void)[] = [];
  beforeAll(() => {
    for (const Resolver of RESOLVERS) {
      const proto = Resolver.prototype as unknown as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const d = Object.getOwnPropertyDescriptor(proto, name)!;
        if (name === 'constructor' || typeof d.value !== 'function') continue;
        const method = `${Resolver.name}.${name}`;
        proto[name] = function (this: unknown, ...args: unknown[]) {
          const call = { method, self: this, args };
          calls.push(call);
          return answer(call);
        };
        restore.push(() => Object.defineProperty(proto, name, d));
      }
    }
  });
  afterAll(() => restore.forEach((r) => r()));

  /** Calls `resolve` and returns what it returned or threw, and the calls it made. */
  const run = (resolve: GraphQLFieldResolver<unknown, unknown>, root: unknown, context: unknown) => {
    calls.length = 0;
    const info = {} as GraphQLResolveInfo;
    let outcome: { returned: unknown } | { threw: unknown };
    try {
      outcome = { returned: resolve(root, {}, context, info) };
    } catch (e) {
      outcome = { threw: e };
    }
    return { outcome, calls: [...calls] };
  };

  it('on every replaced field: the same method, with the same arguments, returning and throwing the same', async () => {
    // The schema as type-graphql builds it, its resolvers kept, then the same schema with the direct ones.
    const options = schemaOptions(createPubSub());
    const schema = await buildSchema(options);
    const original = new Map<string, GraphQLFieldResolver<unknown, unknown>>();
    for (const type of Object.values(schema.getTypeMap()))
      if ('getFields' in type && !type.name.startsWith('__'))
        for (const f of Object.values((type as GraphQLObjectType).getFields()))
          if (f.resolve) original.set(`${type.name}.${f.name}`, f.resolve);
    const replaced = directFieldResolvers(schema, options);
    expect(replaced.length).toBeGreaterThan(20);
    for (const name of replaced) {
      const [typeName, fieldName] = name.split('.');
      const direct = (schema.getType(typeName) as GraphQLObjectType).getFields()[fieldName].resolve!;
      const theirs = original.get(name)!;
      expect(isDirectResolver(direct)).toBe(true);
      const context = { request: name };

      // A plain root: type-graphql converts it to the declared root class (when there is one); so does the direct
      // resolver, which hands such a root to type-graphql's. The converted root is then the instance used below.
      answer = () => 'answer';
      const plain = { id: `root of ${name}`, portfolioId: 'p', strategyId: 's' };
      const a = run(theirs, plain, context);
      const b = run(direct, plain, context);
      expect({ name, outcome: b.outcome }).toEqual({ name, outcome: a.outcome });
      expect(b.calls.map((c) => [c.method, c.args])).toStrictEqual(a.calls.map((c) => [c.method, c.args]));
      expect(a.calls).toHaveLength(1);
      const root = a.calls[0].args.find((x) => (x as { id?: string } | null)?.id === plain.id);
      expect({ name, root: root !== undefined }).toEqual({ name, root: true });

      // An instance of the declared root class: the same method, on an instance of the same stateless class, with
      // the very same arguments; what it returns (a value, a promise) and what it throws come back unchanged.
      const result = { result: name };
      const failure = new Error(name);
      for (const respond of [() => result, () => Promise.resolve(result), () => undefined]) {
        answer = respond;
        const x = run(theirs, root, context);
        const y = run(direct, root, context);
        expect(y.calls).toHaveLength(1);
        expect(x.calls).toHaveLength(1);
        expect(y.calls[0].method).toBe(x.calls[0].method);
        expect(y.calls[0].self).toBeInstanceOf((x.calls[0].self as object).constructor);
        expect(Object.keys(y.calls[0].self as object)).toEqual([]);
        expect(Object.keys(x.calls[0].self as object)).toEqual([]);
        expect(y.calls[0].args).toHaveLength(x.calls[0].args.length);
        x.calls[0].args.forEach((arg, i) => expect(y.calls[0].args[i]).toBe(arg));
        expect(x.calls[0].args).toContain(root);
        const [rx, ry] = ['returned' in x.outcome, 'returned' in y.outcome];
        expect([rx, ry]).toEqual([true, true]);
        const [vx, vy] = [x.outcome, y.outcome] as { returned: unknown }[];
        if (vx.returned instanceof Promise) {
          expect(vy.returned).toBeInstanceOf(Promise);
          expect(await vy.returned).toBe(await vx.returned);
        } else expect(vy.returned).toBe(vx.returned);
      }
      answer = () => {
        throw failure;
      };
      expect(run(direct, root, context).outcome).toEqual({ threw: failure });
      expect(run(theirs, root, context).outcome).toEqual({ threw: failure });
    }
  });
});

describe('direct field resolvers refuse what they do not know', () => {
  const build = async () => {
    const options = schemaOptions(createPubSub());
    return { options, schema: await buildSchema(options) };
  };

  it('global middlewares, an auth checker or a container: the direct call would skip them', async () => {
    const { options, schema } = await build();
    const middleware = (_: unknown, next: () => Promise<unknown>) => next();
    expect(() => directFieldResolvers(schema, { ...options, globalMiddlewares: [middleware] })).toThrow(
      /global middlewares/,
    );
    expect(() => directFieldResolvers(schema, { ...options, authChecker: () => true })).toThrow(/auth checker/);
    expect(() => directFieldResolvers(schema, { ...options, container: { get: () => ({}) } })).toThrow(/container/);
    // Nothing was replaced by the refused calls.
    const legs = (schema.getType('Strategy') as GraphQLObjectType).getFields().legs.resolve;
    expect(isDirectResolver(legs)).toBe(false);
  });

  it("type-graphql's metadata in a shape it does not know: it throws instead of guessing", async () => {
    const { options, schema } = await build();
    const storage = getMetadataStorage();
    const unknown = /metadata has a shape this module does not know/;
    const resolvers = storage.fieldResolvers;
    const withResolvers = (fieldResolvers: unknown[]) => ({ objectTypes: storage.objectTypes, fieldResolvers });
    expect(() => directFieldResolvers(schema, options, {})).toThrow(unknown);
    expect(() => directFieldResolvers(schema, options, { objectTypes: [], fieldResolvers: {} })).toThrow(unknown);
    expect(() => directFieldResolvers(schema, options, { objectTypes: [{ name: 1 }], fieldResolvers: [] })).toThrow(
      unknown,
    );
    const renamed = (kind: string) =>
      withResolvers(resolvers.map((r) => ({ ...r, params: r.params?.map((p) => ({ ...p, kind })) })));
    expect(() => directFieldResolvers(schema, options, renamed('parent'))).toThrow(unknown);
    const noObjectType = withResolvers(resolvers.map((r) => ({ ...r, getObjectType: undefined })));
    expect(() => directFieldResolvers(schema, options, noObjectType)).toThrow(unknown);
    const otherKind = withResolvers(resolvers.map((r) => ({ ...r, kind: 'field' })));
    expect(() => directFieldResolvers(schema, options, otherKind)).toThrow(unknown);
    const twice = withResolvers([...resolvers, ...resolvers]);
    expect(() => directFieldResolvers(schema, options, twice)).toThrow(unknown);
    // The real storage is known: the same schema is then replaced as createSchema does.
    expect(directFieldResolvers(schema, options, storage)).toContain('Strategy.legs');
  });
});
