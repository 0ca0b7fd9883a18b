import { isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { getMetadataStorage } from 'type-graphql';

type Method = (...params: unknown[]) => unknown;
/** Resolvers this module made: a second call on the same schema leaves them as they are. */
const direct = new WeakSet<Function>();
export const isDirectResolver = (fn: unknown): boolean => typeof fn === 'function' && direct.has(fn);

/**
 * type-graphql calls every field resolver method through a generic wrapper that, on each call, allocates the
 * resolver data, sorts and maps the parameter metadata (Array.prototype.sort allocates a work array each time) and
 * runs the middleware chain. A 100-strategy page calls `legs`, `tags`, `metrics` and `legCount` 400 times: that
 * wrapper was a tenth of what the API process allocated per request.
 *
 * For field resolvers whose parameters are only `@Root()` and `@Ctx()` (no arguments, no middlewares, no roles),
 * this replaces the schema field's resolve with a direct call of the same method on an instance of the same
 * resolver class (ours are stateless). A root that is not an instance of the declared root class — the one case in
 * which type-graphql converts the root first — still goes through type-graphql's own resolver. The schema must have
 * been built without global middlewares or an auth checker (createSchema uses neither). Returns "Type.field" of each
 * replaced resolver.
 */
export function directFieldResolvers(schema: GraphQLSchema): string[] {
  const storage = getMetadataStorage();
  const instances = new Map<Function, Record<string, Method>>();
  const replaced: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const objectClass = storage.objectTypes.find((o) => o.name === type.name)?.target;
    if (!objectClass) continue;
    for (const field of Object.values(type.getFields())) {
      const meta = storage.fieldResolvers.find(
        (r) => r.kind === 'external' && r.schemaName === field.name && r.getObjectType?.() === objectClass,
      );
      const params = [...(meta?.params ?? [])].sort((a, b) => a.index - b.index);
      if (!meta || !field.resolve || direct.has(field.resolve) || meta.middlewares?.length || meta.roles) continue;
      const plain = params.every((p) => (p.kind === 'root' || p.kind === 'context') && p.propertyName === undefined);
      if (!plain) continue;
      if (!instances.has(meta.target))
        instances.set(meta.target, new (meta.target as new () => Record<string, Method>)());
      const instance = instances.get(meta.target)!;
      const method = instance[meta.methodName];
      const rootParam = params.find((p) => p.kind === 'root');
      const RootClass = rootParam?.kind === 'root' ? (rootParam.getType?.() as Function | undefined) : undefined;
      const original = field.resolve;
      const kinds = params.map((p) => p.kind);
      const call: GraphQLFieldResolver<unknown, unknown> =
        kinds.length === 2 && kinds[0] === 'root' && kinds[1] === 'context'
          ? (root, _args, context) => method.call(instance, root, context)
          : (root, _args, context) =>
              method.apply(
                instance,
                kinds.map((k) => (k === 'root' ? root : context)),
              );
      field.resolve =
        typeof RootClass === 'function'
          ? (root, args, context, info) =>
              root instanceof RootClass ? call(root, args, context, info) : original(root, args, context, info)
          : call;
      direct.add(field.resolve);
      replaced.push(`${type.name}.${field.name}`);
    }
  }
  return replaced;
}
