import { isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { getMetadataStorage, type BuildSchemaOptions } from 'type-graphql';

type Method = (...params: unknown[]) => unknown;
type ResolverClass = new () => Record<string, Method>;
/** Resolvers this module made: a second call on the same schema leaves them as they are. */
const direct = new WeakSet<object>();
export const isDirectResolver = (fn: unknown): boolean => typeof fn === 'function' && direct.has(fn);

/** What this module reads of type-graphql's metadata storage (not a public API of type-graphql). */
export interface ResolverMetadataStorage {
  objectTypes: readonly { name: string; target: unknown }[];
  fieldResolvers: readonly FieldResolverMeta[];
}
interface FieldResolverMeta {
  kind: string;
  schemaName: string;
  methodName: string;
  target: ResolverClass;
  getObjectType?: () => unknown;
  params?: readonly { kind: string; index: number; propertyName?: string; getType?: () => unknown }[];
  middlewares?: readonly unknown[];
  roles?: readonly unknown[];
}

/** Parameter kinds of type-graphql 2.0.0-rc.4 (ParamMetadata); only `root` and `context` are called directly. */
const PARAM_KINDS = new Set(['root', 'context', 'args', 'arg', 'info', 'pubSub', 'custom']);

/**
 * type-graphql calls every field resolver method through a generic wrapper that, on each call, allocates the
 * resolver data, looks the resolver instance up in its container (a linear search), sorts and maps the parameter
 * metadata and runs the middleware chain. A 100-strategy page calls `legs`, `tags`, `metrics` and `legCount` 400
 * times: about 0.1 ms of the API's ~7 ms of CPU per request (measured, README), before garbage collection.
 *
 * For field resolvers whose parameters are only `@Root()` and `@Ctx()` (no arguments, no middlewares, no roles),
 * this replaces the schema field's resolve with a direct call of the same method on an instance of the same
 * resolver class (ours are stateless; the spec checks it). A root that is not an instance of the declared root class
 * — the one case in which type-graphql converts the root first — still goes through type-graphql's own resolver.
 * The spec checks, for every replaced field, that both resolvers call the same method with the same arguments and
 * return or throw the same.
 *
 * It reads type-graphql's metadata storage, which is not a public API: it throws (and the process does not start)
 * when the storage has a shape it does not know, and when `options` — the options the schema was built with — hold
 * global middlewares, an auth checker or a container, which the direct call would skip. Returns "Type.field" of each
 * replaced resolver.
 */
export function directFieldResolvers(
  schema: GraphQLSchema,
  options: Pick<BuildSchemaOptions, 'resolvers' | 'globalMiddlewares' | 'authChecker' | 'container'>,
  storage: unknown = getMetadataStorage(),
): string[] {
  if (options.globalMiddlewares?.length || options.authChecker || options.container)
    throw new Error(
      'directFieldResolvers: the schema is built with global middlewares, an auth checker or a container, which ' +
        "direct field resolvers would skip; remove directFieldResolvers from createSchema (or type-graphql's options)",
    );
  const meta = checkedStorage(storage);
  const resolvers: readonly unknown[] = options.resolvers;
  const instances = new Map<ResolverClass, Record<string, Method>>();
  const replaced: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const objectClass = meta.objectTypes.find((o) => o.name === type.name)?.target;
    if (!objectClass) continue;
    for (const field of Object.values(type.getFields())) {
      const found = meta.fieldResolvers.filter(
        (r) =>
          r.kind === 'external' &&
          resolvers.includes(r.target) &&
          r.schemaName === field.name &&
          r.getObjectType?.() === objectClass,
      );
      if (found.length > 1)
        throw unknownShape(`${found.length} field resolvers for ${type.name}.${field.name}, one was expected`);
      const [r] = found;
      if (!r || direct.has(field.resolve as object) || r.middlewares?.length || r.roles) continue;
      if (!field.resolve) throw unknownShape(`${type.name}.${field.name} has a field resolver but no resolve`);
      const params = [...(r.params ?? [])].sort((a, b) => a.index - b.index);
      const plain = params.every((p) => (p.kind === 'root' || p.kind === 'context') && p.propertyName === undefined);
      if (!plain) continue;
      if (!instances.has(r.target)) instances.set(r.target, new r.target());
      const instance = instances.get(r.target)!;
      const method = instance[r.methodName];
      if (typeof method !== 'function') throw unknownShape(`${r.target.name}.${r.methodName} is not a method`);
      const rootParam = params.find((p) => p.kind === 'root');
      const RootClass = rootParam?.getType?.();
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

const unknownShape = (what: string) =>
  new Error(
    `directFieldResolvers: type-graphql's metadata has a shape this module does not know (${what}); ` +
      'check src/common/direct-resolvers.ts against the installed type-graphql, or remove it from createSchema',
  );

/** The storage, once every part this module reads has the shape it was written for (type-graphql 2.0.0-rc.4). */
function checkedStorage(storage: unknown): ResolverMetadataStorage {
  const s = storage as Partial<Record<keyof ResolverMetadataStorage, unknown>> | null;
  if (!s || !Array.isArray(s.objectTypes) || !Array.isArray(s.fieldResolvers))
    throw unknownShape('no objectTypes or fieldResolvers array');
  for (const o of s.objectTypes as { name?: unknown; target?: unknown }[])
    if (typeof o?.name !== 'string' || typeof o.target !== 'function') throw unknownShape('an object type');
  for (const r of s.fieldResolvers as Partial<Record<keyof FieldResolverMeta, unknown>>[]) {
    const where = `field resolver ${String(r?.methodName)}`;
    if (r?.kind !== 'external' && r?.kind !== 'internal') throw unknownShape(`${where}: kind ${String(r?.kind)}`);
    if (typeof r.schemaName !== 'string' || typeof r.methodName !== 'string' || typeof r.target !== 'function')
      throw unknownShape(`${where}: schemaName, methodName or target`);
    if (r.kind === 'external' && typeof r.getObjectType !== 'function') throw unknownShape(`${where}: getObjectType`);
    if (r.middlewares !== undefined && !Array.isArray(r.middlewares)) throw unknownShape(`${where}: middlewares`);
    if (r.roles !== undefined && !Array.isArray(r.roles)) throw unknownShape(`${where}: roles`);
    if (r.params !== undefined && !Array.isArray(r.params)) throw unknownShape(`${where}: params`);
    for (const p of (r.params ?? []) as { kind?: unknown; index?: unknown; getType?: unknown }[]) {
      if (typeof p?.kind !== 'string' || !PARAM_KINDS.has(p.kind)) throw unknownShape(`${where}: a parameter kind`);
      if (typeof p.index !== 'number') throw unknownShape(`${where}: a parameter index`);
      if (p.getType !== undefined && typeof p.getType !== 'function') throw unknownShape(`${where}: getType`);
    }
  }
  return s as unknown as ResolverMetadataStorage;
}
