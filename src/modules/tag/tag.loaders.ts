import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { read } from '../../data-source';
import { byId, children } from '../../infra/loader';
import { rowsOf } from '../../infra/rows';
import { TagEntity } from './tag.entity';

/** How a read selects a tags row and makes it a TagEntity (from the entity's columns, see rowsOf). */
export const tagRows = (ds: DataSource) => rowsOf(ds, TagEntity);

/**
 * A strategy's tags as pages and the tagsByStrategy loader read them (many rows per request): the fields the API shows
 * of a tag, without its row timestamps.
 */
const tagLinkRows = (ds: DataSource) =>
  rowsOf(ds, TagEntity, ['id', 'userId', 'name', 'color', 'description', 'displayOrder', 'archivedAt']);

/** A linked tag's columns over `tags t` (a page, which knows each link's strategy, selects only these). */
export const linkedTagColumns = (ds: DataSource) => tagLinkRows(ds).select('t');
/** A strategy's tag as a read selects it: `strategy_tags st JOIN tags t`, tag columns from tagLinkColumns. */
export type TagLinkRow = Record<string, unknown> & { id: string };
export const tagLinkColumns = (ds: DataSource) => `st.strategy_id, ${linkedTagColumns(ds)}`;
/** The order of a strategy's tags. */
export const TAG_ORDER = 't.display_order, lower(t.name)';

/** Links as {strategyId, tag}; a tag shared by many strategies becomes one object, shared (read-only) by its links. */
export function tagLinksOf<R extends TagLinkRow>(
  ds: DataSource,
  rows: readonly R[],
  strategyOf: (r: R) => string = (r) => r.strategy_id as string,
): { strategyId: string; tag: TagEntity }[] {
  const read = tagLinkRows(ds);
  const tags = new Map<string, TagEntity>();
  return rows.map((r) => {
    let tag = tags.get(r.id);
    if (!tag) tags.set(r.id, (tag = read.from(r)));
    return { strategyId: strategyOf(r), tag };
  });
}

/** A request's tag loaders: a strategy's tags, a tag by id, and how many active strategies carry a tag. */
export function createTagLoaders(ds: DataSource) {
  return {
    tagsByStrategy: children(
      async (keys) =>
        tagLinksOf(
          ds,
          await read<TagLinkRow>(
            ds,
            `SELECT ${tagLinkColumns(ds)} FROM strategy_tags st JOIN tags t ON t.id = st.tag_id
             WHERE st.strategy_id = ANY($1) ORDER BY ${TAG_ORDER}`,
            [keys],
          ),
        ),
      (r) => r.strategyId,
    ),
    tag: byId(async (keys) => {
      const tags = tagRows(ds);
      return (await read(ds, `SELECT ${tags.select('t')} FROM tags t WHERE t.id = ANY($1)`, [keys])).map((r) =>
        tags.from(r),
      );
    }),
    usageCount: new DataLoader<string, number>(async (keys) => {
      const rows = await read<{ tag_id: string; n: number }>(
        ds,
        `SELECT st.tag_id, count(*)::int AS n FROM strategy_tags st
         JOIN strategies s ON s.id = st.strategy_id AND s.status = 'ACTIVE'
         JOIN portfolios p ON p.id = s.portfolio_id AND p.deleted_at IS NULL
         WHERE st.tag_id = ANY($1) GROUP BY st.tag_id`,
        [keys],
      );
      const m = new Map(rows.map((r) => [r.tag_id, r.n]));
      return keys.map((k) => m.get(k) ?? 0);
    }),
  };
}
