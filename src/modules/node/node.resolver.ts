import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { badInput } from '../../common/errors';
import { markNodeType, NodeInterface, type NodeTypeName } from '../../common/node';
import { isUuid } from '../../common/tx';
import { requireUser, type Context } from '../../context';
import type { Loaders } from '../../loaders';
import { BatchRunKind } from '../batch/batch.entity';
import { BatchRunType } from '../batch/batch.types';
import { LegType } from '../leg/leg.types';
import { TagType } from '../tag/tag.types';

/** At most this many ids in one `nodes` call. */
export const MAX_NODES = 500;

/** Each node type's request loader (the same loaders the rest of the request uses, so they are primed too). */
const TYPE_LOADERS: Record<NodeTypeName, (l: Loaders) => { load(id: string): Promise<object | null> }> = {
  Portfolio: (l) => l.portfolio,
  Strategy: (l) => l.strategy,
  Leg: (l) => l.leg,
  Tag: (l) => l.tag,
  BatchRun: (l) => l.batchRun,
};

/**
 * An object of the caller's by id, or null. Which type an id is, and whether the caller may see it, is answered for
 * every id of the request by one statement (loaders.nodeTypes); the objects then come from their type's loader, one
 * statement per type. Another user's id and an unknown one take the same path: one statement, null.
 */
async function loadNode(ctx: Context, id: string, only?: NodeTypeName): Promise<object | null> {
  const user = requireUser(ctx);
  if (!isUuid(id)) return null;
  const type = await ctx.loaders.nodeTypes(user).load(id);
  if (!type || (only && type !== only)) return null;
  const node = await TYPE_LOADERS[type](ctx.loaders).load(id);
  if (!node) return null;
  markNodeType(node, type);
  return node;
}

@Resolver()
export class NodeResolver {
  @Query(() => NodeInterface, {
    nullable: true,
    description:
      "Any object of the caller's by id (Relay); null for an unknown id and for another user's object " + 'alike.',
  })
  node(
    @Arg('id', () => ID, { description: 'The id of a Portfolio, Strategy, Leg, Tag or BatchRun.' }) id: string,
    @Ctx() ctx: Context,
  ) {
    return loadNode(ctx, id);
  }

  @Query(() => [NodeInterface], {
    nullable: 'items',
    description:
      'Several objects by id, in the order asked, null where `node(id)` would be null; ' + `at most ${MAX_NODES}.`,
  })
  nodes(
    @Arg('ids', () => [ID], { description: 'The ids, in the order the answer keeps.' }) ids: string[],
    @Ctx() ctx: Context,
  ) {
    requireUser(ctx);
    if (ids.length > MAX_NODES) throw badInput(`at most ${MAX_NODES} ids`, 'ids');
    return Promise.all(ids.map((id) => loadNode(ctx, id)));
  }

  @Query(() => TagType, { nullable: true, description: "One of the caller's tags (archived ones too); else null." })
  tag(@Arg('id', () => ID, { description: 'The tag id.' }) id: string, @Ctx() ctx: Context) {
    return loadNode(ctx, id, 'Tag');
  }

  @Query(() => LegType, { nullable: true, description: "One of the caller's legs (portfolio not deleted); else null." })
  leg(@Arg('id', () => ID, { description: 'The leg id.' }) id: string, @Ctx() ctx: Context) {
    return loadNode(ctx, id, 'Leg');
  }

  @Query(() => BatchRunType, {
    nullable: true,
    description:
      'The queued or running run of that kind, else the latest one; admins see every run, other users ' +
      'their own (imports and recomputations). Null when there is none.',
  })
  currentBatchRun(
    @Arg('kind', () => BatchRunKind, { description: 'Which kind of run.' }) kind: BatchRunKind,
    @Ctx() ctx: Context,
  ) {
    return ctx.app.batches.current(requireUser(ctx), kind);
  }
}
