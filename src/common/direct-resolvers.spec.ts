import 'reflect-metadata';
import type { GraphQLObjectType } from 'graphql';
import { createSchema } from '../schema';
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
    expect(directFieldResolvers(schema)).toEqual([]);
  });
});
