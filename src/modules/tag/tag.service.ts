import type { DataSource, EntityManager } from 'typeorm';
import { PortfolioChangeKind } from '../../common/enums';
import { badInput, conflict, limitExceeded, notFound } from '../../common/errors';
import { checkIds, isUuid } from '../../common/tx';
import type { AuthUser } from '../../context';
import { read } from '../../data-source';
import type { UnitOfWork } from '../../infra/unit-of-work';
import type { StrategyService } from '../strategy/strategy.service';
import type { StrategyEntity } from '../strategy/strategy.entity';
import { strategyRows } from '../strategy/strategy.rows';
import { TagEntity } from './tag.entity';
import { TAG_ORDER, tagRows } from './tag.loaders';
import {
  ARCHIVE_PURGE_DAYS,
  DEFAULT_TAG_COLOR,
  MAX_ACTIVE_TAGS,
  MAX_TAGS_PER_STRATEGY,
  STARTER_TAGS,
  TAG_COLOR,
  TAG_NAME,
} from './tag.rules';

export interface TagPatch {
  id: string;
  name?: string | null;
  color?: string | null;
  description?: string | null;
  displayOrder?: number | null;
}

export function checkTagName(raw: string): string {
  const name = raw.trim();
  if (!TAG_NAME.test(name)) throw badInput('Tag name must be 1–50 letters, digits, spaces, "_" or "-"', 'name');
  return name;
}
function checkColor(raw: string | null | undefined): string {
  const color = (raw ?? DEFAULT_TAG_COLOR).trim();
  if (!TAG_COLOR.test(color)) throw badInput('Tag color must be "#RRGGBB"', 'color');
  return color.toUpperCase();
}
function checkDescription(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  if (raw.length > 500) throw badInput('description must be at most 500 characters', 'description');
  return raw;
}

export class TagService {
  constructor(
    private readonly ds: DataSource,
    private readonly uow: UnitOfWork,
    private readonly strategies: StrategyService,
  ) {}

  /** The 10 starter tags of a new user, in the registration transaction; they count towards the 100. */
  static async createStarterTags(m: EntityManager, userId: string): Promise<void> {
    await m.insert(
      TagEntity,
      STARTER_TAGS.map((t, i) => ({ userId, name: t.name, color: t.color, displayOrder: i })),
    );
  }

  /** The user's tags in display order (inside a transaction when `m` is given, else through read()). */
  async list(user: AuthUser, includeArchived: boolean, m?: EntityManager): Promise<TagEntity[]> {
    if (!m) {
      const tags = tagRows(this.ds);
      const rows = await read(
        this.ds,
        `SELECT ${tags.select('t')} FROM tags t
         WHERE t.user_id = $1${includeArchived ? '' : ' AND t.archived_at IS NULL'} ORDER BY ${TAG_ORDER}`,
        [user.id],
      );
      return rows.map((r) => tags.from(r));
    }
    const q = m.getRepository(TagEntity).createQueryBuilder('t').where('t.user_id = :uid', { uid: user.id });
    if (!includeArchived) q.andWhere('t.archived_at IS NULL');
    return q.orderBy('t.display_order').addOrderBy('lower(t.name)').getMany();
  }

  /** The user's tags with these ids, locked, in the given order; any other id is NOT_FOUND. */
  async owned(m: EntityManager, user: AuthUser, ids: string[], field = 'tagIds'): Promise<TagEntity[]> {
    checkIds(ids, field, 'Tag');
    const rows = await m
      .getRepository(TagEntity)
      .createQueryBuilder('t')
      .where('t.id = ANY(:ids) AND t.user_id = :uid', { ids, uid: user.id })
      .orderBy('t.id')
      .setLock('pessimistic_write')
      .getMany();
    if (rows.length !== ids.length) throw notFound('Tag', field);
    return ids.map((id) => rows.find((t) => t.id === id)!);
  }

  /**
   * Locks, in id order, the strategies that carry the tags `which` selects (a statement over `tags t`), before the
   * tags change: a tag's change touches the strategies that carry it (migration ReadVersions), and retagging locks
   * strategies before tags, so locking them here first keeps one order and the two cannot deadlock.
   */
  private async lockCarriers(m: EntityManager, which: string, params: unknown[]): Promise<void> {
    await m.query(
      `SELECT 1 FROM strategies WHERE id IN (SELECT st.strategy_id FROM strategy_tags st WHERE st.tag_id IN (${which}))
       ORDER BY id FOR NO KEY UPDATE`,
      params,
    );
  }

  /** Serialises a user's tag writes so that limits and name checks cannot race. */
  private async lockUser(m: EntityManager, user: AuthUser): Promise<void> {
    await m.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [user.id]);
  }

  private async checkNameFree(m: EntityManager, user: AuthUser, name: string, exceptId?: string): Promise<void> {
    const taken: unknown[] = await m.query(
      `SELECT 1 FROM tags WHERE user_id = $1 AND lower(name) = lower($2) AND archived_at IS NULL
         AND id <> coalesce($3::uuid, '00000000-0000-0000-0000-000000000000')`,
      [user.id, name, exceptId ?? null],
    );
    if (taken.length) throw conflict(`A tag named "${name}" already exists`, 'name');
  }

  private async checkRoom(m: EntityManager, user: AuthUser, adding: number): Promise<void> {
    const [{ n }]: { n: number }[] = await m.query(
      `SELECT count(*)::int AS n FROM tags WHERE user_id = $1 AND archived_at IS NULL`,
      [user.id],
    );
    if (n + adding > MAX_ACTIVE_TAGS) throw limitExceeded(`At most ${MAX_ACTIVE_TAGS} active tags per user`);
  }

  create(
    user: AuthUser,
    input: { name: string; color?: string | null; description?: string | null },
  ): Promise<TagEntity> {
    const name = checkTagName(input.name);
    const color = checkColor(input.color);
    const description = checkDescription(input.description);
    return this.uow.run(async (m) => {
      await this.lockUser(m, user);
      await this.checkNameFree(m, user, name);
      await this.checkRoom(m, user, 1);
      const [{ n }]: { n: number }[] = await m.query(
        `SELECT coalesce(max(display_order), -1) + 1 AS n FROM tags WHERE user_id = $1`,
        [user.id],
      );
      return m.save(
        m.create(TagEntity, { userId: user.id, name, color, description, displayOrder: n, archivedAt: null }),
      );
    });
  }

  /** Ids of the user's active tags with these names (case-insensitive), creating the missing ones. */
  async ensureByNames(user: AuthUser, names: string[]): Promise<string[]> {
    const clean = [...new Map(names.map((n) => [checkTagName(n).toLowerCase(), checkTagName(n)])).values()];
    return this.uow.run(async (m) => {
      await this.lockUser(m, user);
      const existing: { id: string; lname: string }[] = await m.query(
        `SELECT id, lower(name) AS lname FROM tags
         WHERE user_id = $1 AND archived_at IS NULL AND lower(name) = ANY($2)`,
        [user.id, clean.map((n) => n.toLowerCase())],
      );
      const have = new Map(existing.map((t) => [t.lname, t.id]));
      const missing = clean.filter((n) => !have.has(n.toLowerCase()));
      if (missing.length) {
        await this.checkRoom(m, user, missing.length);
        const [{ n }]: { n: number }[] = await m.query(
          `SELECT coalesce(max(display_order), -1) + 1 AS n FROM tags WHERE user_id = $1`,
          [user.id],
        );
        const created = await m.save(
          missing.map((name, i) =>
            m.create(TagEntity, {
              userId: user.id,
              name,
              color: DEFAULT_TAG_COLOR,
              description: null,
              displayOrder: n + i,
              archivedAt: null,
            }),
          ),
        );
        created.forEach((t) => have.set(t.name.toLowerCase(), t.id));
      }
      return clean.map((n) => have.get(n.toLowerCase())!);
    });
  }

  private async applyPatch(m: EntityManager, user: AuthUser, tag: TagEntity, p: TagPatch): Promise<TagEntity> {
    if (p.name != null) {
      const name = checkTagName(p.name);
      if (!tag.archivedAt) await this.checkNameFree(m, user, name, tag.id);
      tag.name = name;
    }
    if (p.color != null) tag.color = checkColor(p.color);
    if (p.description !== undefined) tag.description = checkDescription(p.description);
    if (p.displayOrder != null) {
      if (!Number.isInteger(p.displayOrder) || p.displayOrder < 0)
        throw badInput('displayOrder must be ≥ 0', 'displayOrder');
      tag.displayOrder = p.displayOrder;
    }
    return m.save(tag);
  }

  update(user: AuthUser, p: TagPatch): Promise<TagEntity> {
    return this.batchUpdate(user, [p]).then(([t]) => t);
  }

  /** All or nothing: the first bad input rolls every change back. */
  batchUpdate(user: AuthUser, patches: TagPatch[]): Promise<TagEntity[]> {
    if (patches.length > MAX_ACTIVE_TAGS) throw limitExceeded(`At most ${MAX_ACTIVE_TAGS} tags per batch`, 'inputs');
    return this.uow.run(async (m) => {
      await this.lockUser(m, user);
      const ids = patches.map((p) => p.id).filter(isUuid);
      await this.lockCarriers(m, 'SELECT t.id FROM tags t WHERE t.id = ANY($1) AND t.user_id = $2', [ids, user.id]);
      const tags = await this.owned(
        m,
        user,
        patches.map((p) => p.id),
        patches.length === 1 ? 'id' : 'inputs',
      );
      const out: TagEntity[] = [];
      for (let i = 0; i < patches.length; i++) out.push(await this.applyPatch(m, user, tags[i], patches[i]));
      return out;
    });
  }

  /** displayOrder follows the given order; tags not listed keep their relative order after them. */
  reorder(user: AuthUser, tagIds: string[]): Promise<TagEntity[]> {
    return this.uow.run(async (m) => {
      await this.lockUser(m, user);
      await this.lockCarriers(m, 'SELECT t.id FROM tags t WHERE t.user_id = $1', [user.id]);
      await this.owned(m, user, tagIds);
      await m.query(
        `WITH given AS (SELECT id, ord FROM unnest($2::uuid[]) WITH ORDINALITY AS g(id, ord)),
              ranked AS (SELECT t.id,
                                row_number() OVER (ORDER BY g.ord NULLS LAST, t.display_order, lower(t.name)) - 1 AS n
                         FROM tags t LEFT JOIN given g ON g.id = t.id WHERE t.user_id = $1)
         UPDATE tags t SET display_order = r.n, updated_at = now() FROM ranked r WHERE r.id = t.id`,
        [user.id, tagIds],
      );
      return this.list(user, false, m);
    });
  }

  archive(user: AuthUser, id: string): Promise<TagEntity> {
    return this.uow.run(async (m) => {
      if (isUuid(id)) await this.lockCarriers(m, 'SELECT $1::uuid', [id]);
      const [tag] = await this.owned(m, user, [id], 'id');
      if (tag.archivedAt) throw badInput('Tag is already archived', 'id');
      tag.archivedAt = new Date();
      return m.save(tag);
    });
  }

  restore(user: AuthUser, id: string): Promise<TagEntity> {
    return this.uow.run(async (m) => {
      await this.lockUser(m, user);
      if (isUuid(id)) await this.lockCarriers(m, 'SELECT $1::uuid', [id]);
      const [tag] = await this.owned(m, user, [id], 'id');
      if (!tag.archivedAt) throw badInput('Tag is not archived', 'id');
      await this.checkRoom(m, user, 1);
      const taken: unknown[] = await m.query(
        `SELECT 1 FROM tags WHERE user_id = $1 AND lower(name) = lower($2) AND archived_at IS NULL`,
        [user.id, tag.name],
      );
      if (taken.length)
        throw limitExceeded(`The name "${tag.name}" is taken by an active tag; rename one of them first`, 'id');
      tag.archivedAt = null;
      return m.save(tag);
    });
  }

  /** Replaces, adds or removes tags of strategies; returns how many links were removed. */
  private async retag(
    user: AuthUser,
    strategyIds: string[],
    tagIds: string[],
    mode: 'set' | 'add' | 'remove',
  ): Promise<number> {
    return this.uow.run(async (m, c) => {
      const locked = await this.strategies.lockStrategies(
        m,
        user,
        checkIds(strategyIds, 'strategyIds', 'Strategy'),
        strategyIds.length === 1 ? 'strategyId' : 'strategyIds',
      );
      const tags = await this.owned(m, user, tagIds);
      if (mode !== 'remove' && tags.some((t) => t.archivedAt))
        throw badInput('Archived tags cannot be put on strategies', 'tagIds');
      const ids = [...locked.keys()];
      let removed = 0;
      if (mode === 'set') {
        await m.query(`DELETE FROM strategy_tags WHERE strategy_id = ANY($1) AND NOT (tag_id = ANY($2))`, [
          ids,
          tagIds,
        ]);
      }
      if (mode === 'remove') {
        // TypeORM answers a DELETE with [rows, rowCount].
        [, removed] = await m.query(`DELETE FROM strategy_tags WHERE strategy_id = ANY($1) AND tag_id = ANY($2)`, [
          ids,
          tagIds,
        ]);
      } else {
        await m.query(
          `INSERT INTO strategy_tags (strategy_id, tag_id)
           SELECT s, t FROM unnest($1::uuid[]) s, unnest($2::uuid[]) t ON CONFLICT DO NOTHING`,
          [ids, tagIds],
        );
        const over: unknown[] = await m.query(
          `SELECT strategy_id FROM strategy_tags WHERE strategy_id = ANY($1) GROUP BY strategy_id HAVING count(*) > $2`,
          [ids, MAX_TAGS_PER_STRATEGY],
        );
        if (over.length) throw limitExceeded(`At most ${MAX_TAGS_PER_STRATEGY} tags per strategy`, 'tagIds');
      }
      await this.strategies.appendVersions(
        m,
        ids.map((strategyId) => ({ strategyId, change: 'tags_changed', details: { mode, tagIds } })),
      );
      const byPortfolio = new Map<string, string[]>();
      for (const s of locked.values())
        byPortfolio.set(s.portfolioId, [...(byPortfolio.get(s.portfolioId) ?? []), s.id]);
      for (const [p, sids] of byPortfolio) c.touch(p, PortfolioChangeKind.TAGS_CHANGED, sids, false);
      return removed;
    });
  }

  async setStrategyTags(user: AuthUser, strategyId: string, tagIds: string[]) {
    await this.retag(user, [strategyId], tagIds, 'set');
  }
  async addStrategyTags(user: AuthUser, strategyId: string, tagIds: string[]) {
    await this.retag(user, [strategyId], tagIds, 'add');
  }
  removeStrategyTags(user: AuthUser, strategyId: string, tagIds: string[]) {
    return this.retag(user, [strategyId], tagIds, 'remove');
  }

  /** Every tag on every strategy, in one transaction and a constant number of statements per strategy. */
  async bulkAssign(user: AuthUser, strategyIds: string[], tagIds: string[]): Promise<StrategyEntity[]> {
    if (strategyIds.length > 500) throw limitExceeded('At most 500 strategies per call', 'strategyIds');
    await this.retag(user, strategyIds, tagIds, 'add');
    const strategies = strategyRows(this.ds);
    const rows = (
      await read(this.ds, `SELECT ${strategies.select('s')} FROM strategies s WHERE s.id = ANY($1)`, [strategyIds])
    ).map((r) => strategies.from(r));
    return strategyIds.map((id) => rows.find((s) => s.id === id)!);
  }

  /** Tags archived more than 90 days ago disappear for good (links cascade); run by the daily batch. */
  purgeArchived(): Promise<number> {
    return this.uow.run(async (m) => {
      const purged = 'SELECT t.id FROM tags t WHERE t.archived_at < now() - make_interval(days => $1)';
      await this.lockCarriers(m, purged, [ARCHIVE_PURGE_DAYS]);
      const [, n]: [unknown, number] = await m.query(`DELETE FROM tags WHERE id IN (${purged})`, [ARCHIVE_PURGE_DAYS]);
      return n;
    });
  }
}
