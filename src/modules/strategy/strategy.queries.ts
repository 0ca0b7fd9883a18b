import type { GraphQLResolveInfo } from 'graphql';
import type { DataSource } from 'typeorm';
import { read } from '../../data-source';
import { GroupBy, TagMatch } from '../../common/enums';
import { notFound } from '../../common/errors';
import { selects } from '../../common/lookahead';
import { checkPageSize, decodeCursor, encodeCursor } from '../../common/pagination';
import { checkIds, isUuid } from '../../common/tx';
import { openLegs, sumTotals, type ValuationTotals } from '../../domain/valuation';
import { StrategyStatus } from '../../domain/types';
import type { AuthUser } from '../../context';
import { groupBy } from '../../infra/loader';
import { rowsOf } from '../../infra/rows';
import { VersionedRows } from '../../infra/versioned-rows';
import type { Loaders } from '../../loaders';
import { PortfolioSnapshotEntity } from '../batch/batch.entity';
import type { LegCache } from '../leg/leg.cache';
import type { LegRowEntry } from '../leg/leg.cache';
import { byLegOrder, legRows, type LegView } from '../leg/leg.rows';
import { PriceBook } from '../market-data/price-book';
import type { PriceSnapshot } from '../market-data/price-snapshot';
import type { TagEntity } from '../tag/tag.entity';
import { linkedTagColumns, TAG_ORDER, tagLinksOf, type TagLinkRow } from '../tag/tag.loaders';
import type { StrategyEntity } from './strategy.entity';
import { storedMetricsRows, strategyRows, type StoredMetrics } from './strategy.rows';
import type { PortfolioTotals, StrategyFilter } from './strategy.types';

export type Scope = { portfolioId: string } | { tagId: string };
/** A strategy's tag as a page holds it (the tag object is shared, read-only, by the links that read it together). */
type TagLink = { strategyId: string; tag: TagEntity };

/** Relations of the page's strategies to fetch with it (what the query selects), legs valued in `snapshot`. */
export interface Prefetch {
  snapshot: PriceSnapshot;
  metrics: boolean;
  legs: boolean;
  tags: boolean;
}

/** What a strategies connection fetches with its page, from the query's selection under `edges.node`. */
export function strategyPrefetch(
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>,
  snapshot: PriceSnapshot,
): Prefetch {
  const under = (field: string) => selects(info, ['edges', 'node', field]);
  // legCount and isSynthetic are answered from the legs, and so are metrics' sums (see the `sums` loader).
  const metrics = under('metrics');
  const legs = metrics || under('legs') || under('legCount') || under('isSynthetic');
  return { snapshot, metrics, legs, tags: under('tags') };
}

/**
 * A page of strategies as data, with the relations fetched with it, by strategy id: only strategies still found when
 * their rows or relations were read are present; null when not fetched.
 */
export interface StrategyPage {
  edges: { cursor: string; node: StrategyEntity }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
  metrics: Map<string, StoredMetrics | null> | null;
  legs: Map<string, Readonly<LegView>[]> | null;
  tags: Map<string, TagLink[]> | null;
}

/** An edge of a page: its cursor is encoded when read (most reads select only the nodes). */
class StrategyPageEdge {
  constructor(
    private readonly cursorTs: string,
    readonly node: Readonly<StrategyEntity>,
  ) {}

  get cursor(): string {
    return encodeCursor(this.cursorTs, this.node.id);
  }
}

/** Read-side queries over strategies: filtered connections, groups and totals. */
export class StrategyQueries {
  /**
   * This process's strategies rows and stored metrics as read at their row versions (see VersionedRows): a page asks
   * for ids and versions, and parses only the rows that changed since. As many as the legs cache holds legs.
   */
  private readonly heldStrategies: VersionedRows<StrategyEntity>;
  private readonly heldMetrics: VersionedRows<StoredMetrics>;
  /** Each strategy's legs (in LEG_ORDER) at the strategy's row version, and this process's latest prices. */
  private readonly heldLegs: VersionedRows<readonly LegRowEntry[]>;
  /** Each strategy's tag links (in TAG_ORDER) at the strategy's row version. */
  private readonly heldTags: VersionedRows<readonly TagLink[]>;
  private readonly prices = new PriceBook();

  constructor(
    private readonly ds: DataSource,
    private readonly legCache: LegCache,
  ) {
    this.heldStrategies = new VersionedRows(legCache.size);
    this.heldMetrics = new VersionedRows(legCache.size);
    this.heldLegs = new VersionedRows(legCache.size);
    this.heldTags = new VersionedRows(legCache.size);
  }

  /** The WHERE clause of a StrategyFilter; every user value is a bind parameter. */
  private async where(user: AuthUser, scope: Scope, filter: StrategyFilter | null, params: unknown[]): Promise<string> {
    const p = (v: unknown) => `$${params.push(v)}`;
    const parts = [`p.user_id = ${p(user.id)}`];
    parts.push(
      'portfolioId' in scope
        ? `s.portfolio_id = ${p(scope.portfolioId)}`
        : `EXISTS (SELECT 1 FROM strategy_tags x WHERE x.strategy_id = s.id AND x.tag_id = ${p(scope.tagId)})`,
    );
    parts.push(
      `s.status = ANY(${p(filter?.statuses?.length ? filter.statuses : [StrategyStatus.ACTIVE])}::strategy_status[])`,
    );
    if (filter?.types?.length) parts.push(`s.type = ANY(${p(filter.types)}::strategy_type[])`);
    if (filter?.underlying?.trim()) {
      parts.push(
        `EXISTS (SELECT 1 FROM legs l WHERE l.strategy_id = s.id
           AND l.underlying_symbol = ${p(filter.underlying.trim().toUpperCase())})`,
      );
    }
    if (filter?.search?.trim()) {
      parts.push(`s.name ILIKE ${p(`%${filter.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
    }
    if (filter?.tagIds?.length) {
      const ids = checkIds(filter.tagIds, 'tagIds', 'Tag');
      const owned = await read(this.ds, `SELECT 1 FROM tags WHERE id = ANY($1) AND user_id = $2`, [ids, user.id]);
      if (owned.length !== ids.length) throw notFound('Tag', 'tagIds');
      const tags = p(ids);
      // Driven from the tag side (index on tag_id): only strategies carrying the tags are looked at.
      parts.push(
        filter.tagMatch === TagMatch.ALL
          ? `s.id IN (SELECT x.strategy_id FROM strategy_tags x WHERE x.tag_id = ANY(${tags}::uuid[])
             GROUP BY x.strategy_id HAVING count(*) = ${p(ids.length)})`
          : `s.id IN (SELECT x.strategy_id FROM strategy_tags x WHERE x.tag_id = ANY(${tags}::uuid[]))`,
      );
    }
    return parts.join(' AND ');
  }

  /**
   * A Relay connection in the stable order (created_at, id): page and total count in one statement.
   *
   * `prefetch` names the relations the query selects under `edges.node` (see the resolvers' lookahead). The page's
   * statement reads the strategies' ids and row versions (and their metrics' versions, and the price clock); this
   * process holds, by strategy and row version, the strategies rows, their stored metrics, their legs and their tag
   * links (a strategy's row version moves with its legs and tags: migration ReadVersions), and the latest prices by
   * price clock (PriceBook). Only what it does not hold at those versions is read, by id, in statements run at the
   * same time on other pooled connections. The relations come back with the page (StrategyPage), for the resolver to
   * prime the request's loaders with: an unchanged page costs one statement after the portfolio.
   */
  async connection(
    user: AuthUser,
    scope: Scope,
    filter: StrategyFilter | null,
    first: number,
    after: string | null,
    prefetch?: Prefetch,
  ): Promise<StrategyPage> {
    checkPageSize(first);
    const params: unknown[] = [];
    const where = await this.where(user, scope, filter, params);
    let cursor = 'TRUE';
    if (after) {
      const [ts, id] = decodeCursor(after);
      cursor = `(m.created_at, m.id) > ($${params.push(ts)}::timestamptz, $${params.push(id)}::uuid)`;
    }
    const limit = `$${params.push(first + 1)}`;
    // The page's strategies: ids, row versions and cursors only (the rows themselves come from `rows`, below).
    const page = `WITH m AS (SELECT s.id, s.created_at, s.xmin AS v FROM strategies s
              JOIN portfolios p ON p.id = s.portfolio_id AND p.deleted_at IS NULL WHERE ${where}),
            page AS (SELECT m.*, m.created_at::text AS cursor_ts FROM m WHERE ${cursor}
              ORDER BY m.created_at, m.id LIMIT ${limit})`;
    const withMetrics = prefetch?.metrics === true;
    const withLegs = prefetch?.legs === true;
    type PageRow = {
      id: string | null;
      v: string;
      cursor_ts: string;
      total: number;
      clock?: string;
      sm_v?: string | null;
    };
    // The total comes back even with an empty page: the count row is LEFT JOINed to the page rows. With legs, the
    // price clock too (see PriceBook), read in the same snapshot as the strategies' row versions.
    const keys = await read<PageRow>(
      this.ds,
      `${page}
       SELECT page.id, page.v::text AS v, page.cursor_ts, c.total
         ${withLegs ? ', c.clock' : ''} ${withMetrics ? ', sm.xmin::text AS sm_v' : ''}
       FROM (SELECT count(*)::int AS total ${withLegs ? ', (SELECT v::text FROM price_clock) AS clock' : ''}
             FROM m) c LEFT JOIN page ON TRUE
       ${withMetrics ? 'LEFT JOIN strategy_metrics sm ON sm.strategy_id = page.id' : ''}
       ORDER BY page.created_at, page.id`,
      params,
    );
    const withTags = prefetch?.tags === true;
    const found = keys.filter((r): r is PageRow & { id: string } => r.id !== null);
    const shown = found.slice(0, first);
    // The rows this process holds at the page's versions, taken now (the cache may change while a read awaits); the
    // others (new, changed, or metrics recomputed) are read in full. A strategy's row version also versions its legs
    // and tags (migration ReadVersions), so its legs and tags held at that version are its legs and tags now.
    type Held = { strategy: Readonly<StrategyEntity>; metrics: Readonly<StoredMetrics> | null };
    const held = shown.map((r): Held | undefined => {
      const strategy = this.heldStrategies.get(r.id, r.v);
      const metrics = withMetrics && r.sm_v != null ? this.heldMetrics.get(r.id, r.sm_v) : null;
      return strategy && metrics !== undefined ? { strategy, metrics } : undefined;
    });
    const heldLegs = withLegs ? shown.map((r) => this.heldLegs.get(r.id, r.v)) : [];
    const heldTags = withTags ? shown.map((r) => this.heldTags.get(r.id, r.v)) : [];
    const missing = shown.filter((_, i) => !held[i]).map((r) => r.id);
    const missingLegs = withLegs ? shown.filter((_, i) => !heldLegs[i]).map((r) => r.id) : [];
    const missingTags = withTags ? shown.filter((_, i) => !heldTags[i]).map((r) => r.id) : [];
    const [fresh, freshLegs, freshTags, prices] = await Promise.all([
      missing.length ? this.rows(missing, withMetrics) : null,
      missingLegs.length ? this.legsRows(missingLegs) : null,
      missingTags.length ? this.tagsRows(missingTags) : null,
      withLegs ? this.prices.at(this.ds, Number(keys[0].clock)) : null,
    ]);
    const edges: StrategyPage['edges'] = [];
    const metrics = withMetrics ? new Map<string, Readonly<StoredMetrics> | null>() : null;
    const legs = withLegs && prices ? new Map<string, Readonly<LegView>[]>() : null;
    const tags = withTags ? new Map<string, TagLink[]>() : null;
    shown.forEach((r, i) => {
      const row = held[i] ?? fresh?.get(r.id);
      if (!row) return; // deleted between the two statements
      edges.push(new StrategyPageEdge(r.cursor_ts, row.strategy));
      metrics?.set(r.id, row.metrics);
      const entries = heldLegs[i] ?? freshLegs?.get(r.id);
      // From here on nothing awaits: the snapshot's prices are taken and used in one go.
      if (legs && entries) legs.set(r.id, this.legCache.valued(this.ds, entries, prefetch!.snapshot, prices!));
      const links = heldTags[i] ?? freshTags?.get(r.id);
      if (tags && links) tags.set(r.id, [...links]); // the request's own list of the held links
    });
    return {
      edges,
      pageInfo: { hasNextPage: found.length > first, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount: keys[0].total,
      metrics,
      legs,
      tags,
    };
  }

  /**
   * Strategies rows (with their stored metrics when `withMetrics`) read in full, as the current versions, which are
   * kept for the pages that follow.
   */
  private async rows(ids: string[], withMetrics: boolean) {
    const strategies = strategyRows(this.ds);
    const metrics = storedMetricsRows(this.ds);
    const rows = await read<Record<string, unknown> & { v: string; sm_v?: string | null }>(
      this.ds,
      `SELECT ${strategies.select('s')}, s.xmin::text AS v
         ${withMetrics ? `, ${metrics.select('sm', 'sm_')}, sm.xmin::text AS sm_v` : ''}
       FROM strategies s ${withMetrics ? 'LEFT JOIN strategy_metrics sm ON sm.strategy_id = s.id' : ''}
       WHERE s.id = ANY($1)`,
      [ids],
    );
    const byId = new Map<string, { strategy: Readonly<StrategyEntity>; metrics: Readonly<StoredMetrics> | null }>();
    for (const r of rows) {
      const strategy = this.heldStrategies.set(r.id as string, r.v, strategies.from(r));
      const stored =
        withMetrics && r.sm_v != null ? this.heldMetrics.set(strategy.id, r.sm_v, metrics.from(r, 'sm_')) : null;
      byId.set(strategy.id, { strategy, metrics: stored });
    }
    return byId;
  }

  /**
   * The legs of strategies read in full, each strategy's in LEG_ORDER and kept at the strategy's row version read in
   * the same statement (which the legs' changes move: migration ReadVersions).
   */
  private async legsRows(ids: string[]): Promise<Map<string, readonly LegRowEntry[]>> {
    const legs = legRows(this.ds);
    const rows = await read<Record<string, unknown> & { sid: string; sv: string; v: string | null }>(
      this.ds,
      `SELECT s.id AS sid, s.xmin::text AS sv, ${legs.select('l')}, l.xmin::text AS v
       FROM strategies s LEFT JOIN legs l ON l.strategy_id = s.id WHERE s.id = ANY($1)`,
      [ids],
    );
    const byStrategy = new Map<string, { sv: string; entries: LegRowEntry[] }>();
    for (const r of rows) {
      let s = byStrategy.get(r.sid);
      if (!s) byStrategy.set(r.sid, (s = { sv: r.sv, entries: [] }));
      if (r.v !== null) s.entries.push(this.legCache.entry(legs.from(r), r.v));
    }
    const held = new Map<string, readonly LegRowEntry[]>();
    for (const [id, { sv, entries }] of byStrategy)
      held.set(
        id,
        this.heldLegs.set(
          id,
          sv,
          entries.sort((a, b) => byLegOrder(a.leg, b.leg)),
        ),
      );
    return held;
  }

  /**
   * The tag links of strategies read in full, each strategy's in TAG_ORDER and kept at the strategy's row version
   * read in the same statement (which the links' and the tags' changes move: migration ReadVersions).
   */
  private async tagsRows(ids: string[]): Promise<Map<string, readonly TagLink[]>> {
    const rows = await read<TagLinkRow & { sid: string; sv: string }>(
      this.ds,
      `SELECT s.id AS sid, s.xmin::text AS sv, ${linkedTagColumns(this.ds)}
       FROM strategies s LEFT JOIN (strategy_tags st JOIN tags t ON t.id = st.tag_id) ON st.strategy_id = s.id
       WHERE s.id = ANY($1) ORDER BY ${TAG_ORDER}`,
      [ids],
    );
    const versions = new Map(rows.map((r) => [r.sid, r.sv]));
    const links = groupBy(
      tagLinksOf(
        this.ds,
        rows.filter((r) => r.id !== null),
        (r) => r.sid,
      ),
      (l) => l.strategyId,
    );
    const held = new Map<string, readonly TagLink[]>();
    for (const [id, sv] of versions) held.set(id, this.heldTags.set(id, sv, links.get(id) ?? []));
    return held;
  }

  /**
   * One of the user's strategies by id (null for any other id), with its stored metrics when `withMetrics` (a LEFT
   * JOIN in the same statement): what `strategy(id)` reads before its nested fields.
   */
  async one(
    user: AuthUser,
    id: string,
    withMetrics: boolean,
  ): Promise<{ strategy: StrategyEntity; metrics: StoredMetrics | null } | null> {
    if (!isUuid(id)) return null;
    const strategies = strategyRows(this.ds);
    const metrics = storedMetricsRows(this.ds);
    const [r] = await read(
      this.ds,
      `SELECT ${strategies.select('s')}${withMetrics ? `, ${metrics.select('sm', 'sm_')}` : ''}
       FROM strategies s JOIN portfolios p ON p.id = s.portfolio_id AND p.deleted_at IS NULL
       ${withMetrics ? 'LEFT JOIN strategy_metrics sm ON sm.strategy_id = s.id' : ''}
       WHERE s.id = $1 AND p.user_id = $2`,
      [id, user.id],
    );
    if (!r) return null;
    return { strategy: strategies.from(r), metrics: metrics.present(r, 'sm_') ? metrics.from(r, 'sm_') : null };
  }

  async list(user: AuthUser, portfolioId: string, filter: StrategyFilter | null): Promise<StrategyEntity[]> {
    const params: unknown[] = [];
    const where = await this.where(user, { portfolioId }, filter, params);
    const strategies = strategyRows(this.ds);
    const rows = await read(
      this.ds,
      `SELECT ${strategies.select('s')} FROM strategies s
       JOIN portfolios p ON p.id = s.portfolio_id AND p.deleted_at IS NULL
       WHERE ${where} ORDER BY s.created_at, s.id`,
      params,
    );
    return rows.map((r) => strategies.from(r));
  }

  /**
   * Live totals over strategies: the sum of the strategies' own sums in this response (Loaders.sums, at the request's
   * snapshot of prices), so the strategies of one answer add up to them exactly.
   */
  async totals(loaders: Loaders, strategies: StrategyEntity[]): Promise<PortfolioTotals> {
    const ids = strategies.map((s) => s.id);
    const [legLists, sums] = await Promise.all([loaders.legsByStrategy.loadMany(ids), loaders.sums.loadMany(ids)]);
    const legs = legLists.flatMap((l) => (l instanceof Error ? [] : l));
    const known = sums.filter((t): t is ValuationTotals => !(t instanceof Error));
    // `legs` stays on the object (not a GraphQL field) for realizedPnl and dayPnl, which are resolved on demand.
    return {
      strategyCount: strategies.length,
      legCount: openLegs(legs).length,
      ...sumTotals(known),
      legs,
      portfolioId: null,
    };
  }

  async portfolioTotals(user: AuthUser, loaders: Loaders, portfolioId: string): Promise<PortfolioTotals> {
    // A portfolio's realizedPnl covers its closed strategies too: `portfolioId` says so.
    return { ...(await this.totals(loaders, await this.list(user, portfolioId, null))), portfolioId };
  }

  /**
   * Groups by tag (a strategy with two tags is in both; "untagged" for none), type, underlying or sector
   * ("unknown").
   */
  async grouped(user: AuthUser, loaders: Loaders, portfolioId: string, by: GroupBy, filter: StrategyFilter | null) {
    const strategies = await this.list(user, portfolioId, filter);
    const groups = new Map<
      string,
      { key: string; tag: TagEntity | null; strategies: StrategyEntity[]; order: number }
    >();
    const add = (key: string, s: StrategyEntity, tag: TagEntity | null = null, order = 0) => {
      const g = groups.get(key) ?? { key, tag, strategies: [], order };
      g.strategies.push(s);
      groups.set(key, g);
    };
    const ids = strategies.map((s) => s.id);
    if (by === GroupBy.TAG) {
      const tags = await loaders.tagsByStrategy.loadMany(ids);
      strategies.forEach((s, i) => {
        const list = tags[i] instanceof Error ? [] : (tags[i] as { tag: TagEntity }[]);
        if (!list.length) add('untagged', s, null, Number.MAX_SAFE_INTEGER);
        for (const { tag } of list) add(tag.id, s, tag, tag.displayOrder);
      });
    } else if (by === GroupBy.STRATEGY_TYPE) {
      strategies.forEach((s) => add(s.type, s));
    } else {
      const legs = await loaders.legsByStrategy.loadMany(ids);
      const firstUnderlying = legs.map((l) =>
        l instanceof Error || !openLegs(l).length ? 'unknown' : openLegs(l)[0].underlyingSymbol,
      );
      if (by === GroupBy.UNDERLYING) strategies.forEach((s, i) => add(firstUnderlying[i], s));
      else {
        const md = await loaders.marketData.loadMany(firstUnderlying);
        strategies.forEach((s, i) => {
          const r = md[i];
          add(r && !(r instanceof Error) && r.sector ? r.sector : 'unknown', s);
        });
      }
    }
    const sorted = [...groups.values()].sort(
      (a, b) => a.order - b.order || (a.tag ? a.tag.name : a.key).localeCompare(b.tag ? b.tag.name : b.key),
    );
    return Promise.all(
      sorted.map(async (g) => ({
        key: g.tag ? g.tag.name : g.key,
        tag: g.tag,
        strategies: g.strategies,
        totals: await this.totals(loaders, g.strategies),
      })),
    );
  }

  async snapshots(portfolioId: string, from: string | null, to: string | null) {
    const snapshots = rowsOf(this.ds, PortfolioSnapshotEntity);
    const rows = await read(
      this.ds,
      `SELECT ${snapshots.select('s')} FROM portfolio_snapshots s
       WHERE s.portfolio_id = $1 AND ($2::date IS NULL OR s.date >= $2) AND ($3::date IS NULL OR s.date <= $3)
       ORDER BY s.date`,
      [portfolioId, from, to],
    );
    return rows.map((r) => snapshots.from(r));
  }
}
