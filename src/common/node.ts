import { assertInterfaceType, type GraphQLSchema } from 'graphql';
import { Field, ID, InterfaceType } from 'type-graphql';

export const NODE_TYPES = ['Portfolio', 'Strategy', 'Leg', 'Tag', 'BatchRun'] as const;
export type NodeTypeName = (typeof NODE_TYPES)[number];

/**
 * The concrete GraphQL type of each object `node`/`nodes` returned (objects of these types are plain rows, and leg
 * views are frozen and shared by reads, so the type is kept beside them, not on them; an object's type never changes).
 */
const nodeTypes = new WeakMap<object, NodeTypeName>();
export function markNodeType(node: object, type: NodeTypeName): void {
  nodeTypes.set(node, type);
}

@InterfaceType('Node', {
  description:
    "Relay's global object identification: any object of the caller's that can be fetched again by its id " +
    "alone with `node(id)`. Ids are the objects' own UUIDs, unique across every type.",
})
export abstract class NodeInterface {
  @Field(() => ID, { description: "The object's UUID; `node(id)` returns the object again." }) id: string;
}

/**
 * Node's resolveType, synchronous: graphql-jit (see executor.ts) calls it without awaiting, and type-graphql wraps
 * a decorator's resolveType in an async function. The objects node/nodes return were marked with markNodeType.
 */
export function installNodeTypeResolver(schema: GraphQLSchema): void {
  assertInterfaceType(schema.getType('Node')).resolveType = (value) => nodeTypes.get(value as object);
}
