import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { NodeTypeName } from '../../common/node';
import type { AuthUser } from '../../context';
import { read } from '../../data-source';

/** A request's node loader: for node/nodes, the type of each id among the objects `user` may see. */
export function createNodeLoaders(ds: DataSource) {
  const byUser = new Map<string, DataLoader<string, NodeTypeName | null>>();
  return {
    nodeTypes: (user: AuthUser) => {
      let l = byUser.get(user.id);
      if (!l) byUser.set(user.id, (l = nodeTypeLoader(ds, user)));
      return l;
    },
  };
}

/**
 * The type of each id among the objects a user may see: their portfolios (not deleted), the strategies and legs in
 * them, their tags, and the batch runs batchRun(id) shows them (their own; admins also the DAILY ones). An unknown id
 * and another user's come back alike, null, from the same single statement.
 */
function nodeTypeLoader(ds: DataSource, user: AuthUser) {
  return new DataLoader<string, NodeTypeName | null>(async (ids) => {
    const rows = await read<{ id: string; t: NodeTypeName }>(
      ds,
      `SELECT p.id, 'Portfolio' AS t FROM portfolios p WHERE p.id = ANY($1) AND p.user_id = $2 AND p.deleted_at IS NULL
       UNION ALL SELECT s.id, 'Strategy' FROM strategies s JOIN portfolios p ON p.id = s.portfolio_id
         WHERE s.id = ANY($1) AND p.user_id = $2 AND p.deleted_at IS NULL
       UNION ALL SELECT l.id, 'Leg' FROM legs l JOIN portfolios p ON p.id = l.portfolio_id
         WHERE l.id = ANY($1) AND p.user_id = $2 AND p.deleted_at IS NULL
       UNION ALL SELECT t.id, 'Tag' FROM tags t WHERE t.id = ANY($1) AND t.user_id = $2
       UNION ALL SELECT r.id, 'BatchRun' FROM batch_runs r
         WHERE r.id = ANY($1) AND (r.user_id = $2 OR (r.user_id IS NULL AND $3))`,
      [ids, user.id, user.isAdmin],
    );
    const types = new Map(rows.map((r) => [r.id, r.t]));
    return ids.map((id) => types.get(id) ?? null);
  });
}
