import { assertInterfaceType, type GraphQLSchema } from 'graphql';
import { Field, ID, InterfaceType } from 'type-graphql';

/** The concrete GraphQL type of an object that `node`/`nodes` return (objects of these types are plain rows). */
export const NODE_TYPE = Symbol('nodeType');
export const NODE_TYPES = ['Portfolio', 'Strategy', 'Leg', 'Tag', 'BatchRun'] as const;
export type NodeTypeName = (typeof NODE_TYPES)[number];

@InterfaceType('Node', {
  description: "Relay's global object identification: any object of the caller's that can be fetched again by its id "
    + 'alone with `node(id)`. Ids are the objects\' own UUIDs, unique across every type.',
})
export abstract class NodeInterface {
  @Field(() => ID, { description: "The object's UUID; `node(id)` returns the object again." }) id: string;
}

/**
 * Node's resolveType, synchronous: graphql-jit (see executor.ts) calls it without awaiting, and type-graphql wraps
 * a decorator's resolveType in an async function. The objects node/nodes return carry their type (NODE_TYPE).
 */
export function installNodeTypeResolver(schema: GraphQLSchema): void {
  assertInterfaceType(schema.getType('Node')).resolveType = (value) =>
    (value as { [NODE_TYPE]?: NodeTypeName })[NODE_TYPE];
}
