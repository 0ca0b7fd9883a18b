import 'reflect-metadata';
import { isObjectType, type GraphQLResolveInfo } from 'graphql';
import { createSchema, RESOLVERS } from './schema';

describe('schema', () => {
  // Every method of every resolver class is replaced by a stand-in that records that it was called.
  const called: string[] = [];
  const restore: (() => void)[] = [];
  beforeAll(() => {
    for (const Resolver of RESOLVERS) {
      const proto = Resolver.prototype as unknown as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const d = Object.getOwnPropertyDescriptor(proto, name)!;
        if (name === 'constructor' || typeof d.value !== 'function') continue;
        proto[name] = () => called.push(`${Resolver.name}.${name}`);
        restore.push(() => Object.defineProperty(proto, name, d));
      }
    }
  });
  afterAll(() => restore.forEach((r) => r()));

  it('reads plain properties without a resolver: each object type resolver calls a resolver method', async () => {
    // type-graphql wraps a plain property in a per-call resolver (middlewares, resolver data) unless its object type
    // says `simpleResolvers: true` (or the field `simple: true`); an inherited field follows its parent type's option.
    const schema = await createSchema();
    const wrapped: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      if (['Query', 'Mutation', 'Subscription'].includes(type.name)) continue;
      for (const field of Object.values(type.getFields())) {
        if (!field.resolve) continue;
        called.length = 0;
        try {
          // Field resolvers with arguments call their method once the arguments are converted (a promise).
          await field.resolve({ id: 'x' }, {}, {}, {} as GraphQLResolveInfo);
        } catch {
          // A field resolver's argument conversion may refuse {}: it is a field resolver all the same.
          continue;
        }
        if (!called.length) wrapped.push(`${type.name}.${field.name}`);
      }
    }
    expect(wrapped).toEqual([]);
  });
});
