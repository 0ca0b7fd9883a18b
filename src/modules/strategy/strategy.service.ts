import type { DataSource, EntityManager } from 'typeorm';
import { PortfolioChangeKind } from '../../common/enums';
import { badInput, limitExceeded, notFound } from '../../common/errors';
import { checkIds, isUuid } from '../../common/tx';
import { detectStrategies, detectType } from '../../domain/detection';
import { standaloneName } from '../../domain/occ';
import { suggestedStrategyName } from '../../domain/templates';
import { LegStatus, StrategyStatus, StrategyType } from '../../domain/types';
import type { AuthUser } from '../../context';
import { read } from '../../data-source';
import { RetryTransaction, type Changes, type UnitOfWork } from '../../infra/unit-of-work';
import { LegEntity } from '../leg/leg.entity';
import { legRows } from '../leg/leg.rows';
import { checkName, ownedPortfolio, readOwnedPortfolio } from '../portfolio/portfolio.service';
import { MAX_TAGS_PER_STRATEGY } from '../tag/tag.rules';
import { StrategyEntity, StrategyLineageEntity } from './strategy.entity';
import { strategyRows } from './strategy.rows';

interface VersionEntry {
  strategyId: string;
  change: string;
  details?: unknown;
}

/** Locked rows of one structural change: the strategies (by id) and the legs being moved. */
interface Locked {
  strategies: Map<string, StrategyEntity>;
  legs: LegEntity[];
}

/** The type a set of legs gets when the user gives none: the pattern they form exactly, else CUSTOM. */
export function inferType(legs: LegEntity[]): StrategyType {
  return detectType(legs).type;
}

export function defaultName(type: StrategyType, legs: LegEntity[]): string {
  if (legs.length === 1 && type === StrategyType.STANDALONE) return standaloneName(legs[0]);
  const underlyings = [...new Set(legs.map((l) => l.underlyingSymbol))].sort();
  const expiries = legs
    .map((l) => l.expirationDate)
    .filter((e): e is string => !!e)
    .sort();
  return suggestedStrategyName(type, underlyings.join('/'), expiries[0] ?? null).slice(0, 200);
}

export class StrategyService {
  constructor(
    private readonly ds: DataSource,
    private readonly uow: UnitOfWork,
  ) {}

  // ---- reads -------------------------------------------------------------------------------------------

  async get(user: AuthUser, id: string): Promise<StrategyEntity | null> {
    if (!isUuid(id)) return null;
    const strategies = strategyRows(this.ds);
    const [r] = await read(
      this.ds,
      `SELECT ${strategies.select('s')} FROM strategies s
       JOIN portfolios p ON p.id = s.portfolio_id AND p.deleted_at IS NULL
       WHERE s.id = $1 AND p.user_id = $2`,
      [id, user.id],
    );
    return r ? strategies.from(r) : null;
  }

  // ---- locking -----------------------------------------------------------------------------------------

  /**
   * Locks the user's strategies in id order (NOT_FOUND for anything else). FOR NO KEY UPDATE: it serialises
   * writers without blocking the key-share locks that foreign keys (metrics, candles, legs) take.
   */
  async lockStrategies(
    m: EntityManager,
    user: AuthUser,
    ids: string[],
    field = 'strategyId',
  ): Promise<Map<string, StrategyEntity>> {
    const sorted = [...new Set(ids)].sort();
    if (sorted.some((id) => !isUuid(id))) throw notFound('Strategy', field);
    const rows = await m
      .getRepository(StrategyEntity)
      .createQueryBuilder('s')
      .innerJoin('portfolios', 'p', 'p.id = s.portfolio_id AND p.deleted_at IS NULL AND p.user_id = :uid', {
        uid: user.id,
      })
      .where('s.id = ANY(:ids)', { ids: sorted })
      .orderBy('s.id')
      .setLock('for_no_key_update', undefined, ['s'])
      .getMany();
    if (rows.length !== sorted.length) throw notFound('Strategy', field);
    return new Map(rows.map((s) => [s.id, s]));
  }

  /**
   * Locks legs and every strategy they belong to (plus `extra`), strategies first in id order, so that two
   * requests touching the same legs serialise instead of both moving them; retried when a leg moved meanwhile.
   */
  async lockLegs(
    m: EntityManager,
    user: AuthUser,
    legIds: string[],
    extra: string[] = [],
    field = 'legIds',
  ): Promise<Locked> {
    const ids = checkIds(legIds, field, 'Leg');
    const peek: { id: string; strategy_id: string }[] = await m.query(
      `SELECT l.id, l.strategy_id FROM legs l JOIN portfolios p ON p.id = l.portfolio_id AND p.deleted_at IS NULL
       WHERE l.id = ANY($1) AND p.user_id = $2`,
      [ids, user.id],
    );
    if (peek.length !== ids.length) throw notFound('Leg', field);
    const strategies = await this.lockStrategies(m, user, [...peek.map((l) => l.strategy_id), ...extra]);
    const legs = await m
      .getRepository(LegEntity)
      .createQueryBuilder('l')
      .where('l.id = ANY(:ids)', { ids })
      .orderBy('l.id')
      .setLock('pessimistic_write')
      .getMany();
    if (legs.some((l) => !strategies.has(l.strategyId))) throw new RetryTransaction();
    for (const l of legs) {
      if (l.status === LegStatus.CLOSED)
        throw badInput(`Leg ${l.id} is CLOSED: closed legs are history and never change`, field);
      if (strategies.get(l.strategyId)!.status !== StrategyStatus.ACTIVE)
        throw badInput(`Leg ${l.id} belongs to a closed strategy`, field);
    }
    return { strategies, legs: ids.map((id) => legs.find((l) => l.id === id)!) };
  }

  // ---- building blocks (used by legs and tags too) -----------------------------------------------------

  async appendVersion(m: EntityManager, strategyId: string, change: string, details: unknown = null): Promise<void> {
    await this.appendVersions(m, [{ strategyId, change, details }]);
  }

  /** Appends versions to several strategies in one statement (each gets its next number, in the given order). */
  async appendVersions(m: EntityManager, entries: VersionEntry[]): Promise<void> {
    if (!entries.length) return;
    await m.query(
      `INSERT INTO strategy_versions (strategy_id, version, change, details)
       SELECT x.strategy_id,
              coalesce((SELECT max(v.version) FROM strategy_versions v WHERE v.strategy_id = x.strategy_id), 0)
                + row_number() OVER (PARTITION BY x.strategy_id ORDER BY x.ord),
              x.change, x.details
       FROM jsonb_to_recordset($1::jsonb) AS x(strategy_id uuid, change text, details jsonb, ord int)`,
      [
        JSON.stringify(
          entries.map((e, ord) => ({ strategy_id: e.strategyId, change: e.change, details: e.details ?? null, ord })),
        ),
      ],
    );
  }

  /** Marks strategies as changed: stale until recomputed, and a new optimistic version. */
  async touch(m: EntityManager, ids: string[]): Promise<void> {
    if (ids.length)
      await m.query(
        `UPDATE strategies SET stale = true, row_version = row_version + 1, updated_at = now() WHERE id = ANY($1)`,
        [ids],
      );
  }

  async insertStrategy(
    m: EntityManager,
    portfolioId: string,
    name: string,
    type: StrategyType,
    details: unknown,
  ): Promise<StrategyEntity> {
    const s = await m.save(
      m.create(StrategyEntity, { portfolioId, name, type, status: StrategyStatus.ACTIVE, stale: true, closedAt: null }),
    );
    await this.appendVersion(m, s.id, 'created', details);
    return s;
  }

  /** Moves legs into `target` after its current legs, in the given order. */
  async moveLegs(m: EntityManager, legs: LegEntity[], targetId: string): Promise<void> {
    await m.query(
      `UPDATE legs l SET strategy_id = $1, leg_order = base.n + t.ord, updated_at = now()
       FROM unnest($2::uuid[]) WITH ORDINALITY AS t(id, ord),
            (SELECT coalesce(max(leg_order), -1) AS n FROM legs WHERE strategy_id = $1) base
       WHERE l.id = t.id`,
      [targetId, legs.map((l) => l.id)],
    );
    for (const l of legs) l.strategyId = targetId;
  }

  /**
   * After legs left `sourceIds`: a strategy left without an OPEN leg is closed (its closed legs stay as history),
   * the others record the removal (and turn STANDALONE at one leg); `versions` are written in the same statement as
   * theirs.
   */
  async settleSources(
    m: EntityManager,
    sourceIds: string[],
    movedLegIds: string[],
    c: Changes,
    portfolioId: string,
    versions: VersionEntry[] = [],
  ): Promise<string[]> {
    if (!sourceIds.length) {
      await this.appendVersions(m, versions);
      return [];
    }
    const counts: { id: string; n: number }[] = await m.query(
      `SELECT s.id, count(l.id)::int AS n FROM strategies s
       LEFT JOIN legs l ON l.strategy_id = s.id AND l.status = 'OPEN'
       WHERE s.id = ANY($1) GROUP BY s.id`,
      [sourceIds],
    );
    const closed = counts.filter((x) => x.n === 0).map((x) => x.id);
    const single = counts.filter((x) => x.n === 1).map((x) => x.id);
    // Detected patterns no longer hold with one leg; types only a user declares (CUSTOM, PAIRS_TRADE) are kept.
    await m.query(
      `UPDATE strategies SET
         status = CASE WHEN id = ANY($2) THEN 'CLOSED'::strategy_status ELSE status END,
         closed_at = CASE WHEN id = ANY($2) THEN now() ELSE closed_at END,
         type = CASE WHEN id = ANY($3) AND type NOT IN ('CUSTOM', 'PAIRS_TRADE') THEN 'STANDALONE'::strategy_type
                     ELSE type END,
         stale = true, row_version = row_version + 1, updated_at = now()
       WHERE id = ANY($1)`,
      [sourceIds, closed, single],
    );
    await this.appendVersions(m, [
      ...versions,
      ...counts.map(({ id, n }) => ({
        strategyId: id,
        change: n === 0 ? 'closed' : 'leg_removed',
        details: n === 0 ? { reason: 'emptied', legIds: movedLegIds } : { legIds: movedLegIds },
      })),
    ]);
    if (closed.length) c.touch(portfolioId, PortfolioChangeKind.STRATEGY_CLOSED, closed, false);
    return closed;
  }

  /** Puts the union of the sources' tags on new strategies, in one statement; over the limit nothing is written. */
  async copyTags(m: EntityManager, fromIds: string[], toIds: string[]): Promise<void> {
    if (!fromIds.length || !toIds.length) return;
    const [{ n }]: { n: number }[] = await m.query(
      `WITH src AS (SELECT DISTINCT tag_id FROM strategy_tags WHERE strategy_id = ANY($1)),
            ins AS (INSERT INTO strategy_tags (strategy_id, tag_id)
                    SELECT t.id, src.tag_id FROM unnest($2::uuid[]) AS t(id), src WHERE (SELECT count(*) FROM src) <= $3
                    ON CONFLICT DO NOTHING RETURNING 1)
       SELECT (SELECT count(*) FROM src)::int AS n, (SELECT count(*) FROM ins) AS inserted`,
      [fromIds, toIds, MAX_TAGS_PER_STRATEGY],
    );
    if (n > MAX_TAGS_PER_STRATEGY)
      throw limitExceeded(
        `A strategy carries at most ${MAX_TAGS_PER_STRATEGY} tags; the combined tags exceed it`,
        'legIds',
      );
  }

  // ---- lifecycle ---------------------------------------------------------------------------------------

  /**
   * Legs (standalone or not) of one portfolio become one new strategy; emptied sources are closed, tags carried
   * over.
   */
  combine(
    user: AuthUser,
    input: { legIds: string[]; type?: StrategyType | null; name?: string | null; portfolioId?: string },
    minLegs = 2,
  ): Promise<StrategyEntity> {
    return this.uow.run((m, c) => this.combineIn(m, c, user, input, minLegs));
  }

  async combineIn(
    m: EntityManager,
    c: Changes,
    user: AuthUser,
    input: { legIds: string[]; type?: StrategyType | null; name?: string | null; portfolioId?: string },
    minLegs = 2,
  ): Promise<StrategyEntity> {
    if (input.legIds.length < minLegs)
      throw badInput(`legIds needs at least ${minLegs} leg${minLegs > 1 ? 's' : ''}`, 'legIds');
    const name = input.name == null ? null : checkName(input.name);
    if (input.portfolioId) await ownedPortfolio(m, user, input.portfolioId);
    const { strategies, legs } = await this.lockLegs(m, user, input.legIds);
    const portfolios = new Set(legs.map((l) => l.portfolioId));
    if (portfolios.size > 1 || (input.portfolioId && !portfolios.has(input.portfolioId))) {
      throw badInput('All legs of a strategy must belong to one portfolio', 'legIds');
    }
    const portfolioId = legs[0].portfolioId;
    const type = input.type ?? inferType(legs);
    const sources = [...strategies.keys()];
    const created = await this.insertStrategy(m, portfolioId, name ?? defaultName(type, legs), type, {
      legIds: input.legIds,
      from: sources,
    });
    await this.moveLegs(m, legs, created.id);
    await m.insert(
      StrategyLineageEntity,
      sources.map((a) => ({ ancestorId: a, descendantId: created.id, kind: 'combined' as const })),
    );
    await this.copyTags(m, sources, [created.id]);
    await this.settleSources(m, sources, input.legIds, c, portfolioId, [
      { strategyId: created.id, change: 'combined', details: { from: sources } },
    ]);
    c.touch(portfolioId, PortfolioChangeKind.STRATEGIES_COMBINED, [created.id, ...sources]);
    return created;
  }

  createStrategy(
    user: AuthUser,
    portfolioId: string,
    name: string,
    type: StrategyType,
    legIds: string[],
  ): Promise<StrategyEntity> {
    return this.combine(user, { portfolioId, name, type, legIds }, 1);
  }

  /** Every leg gets its own STANDALONE strategy, a descendant of the split one, keeping its tags. */
  split(user: AuthUser, id: string): Promise<StrategyEntity[]> {
    return this.uow.run(async (m, c) => {
      const source = (await this.lockStrategies(m, user, [id], 'id')).get(id)!;
      if (source.status !== StrategyStatus.ACTIVE) throw badInput('Only an active strategy can be split', 'id');
      // Closed legs stay where they were closed, with their realized P&L.
      const legs = await m
        .getRepository(LegEntity)
        .createQueryBuilder('l')
        .where(`l.strategy_id = :id AND l.status = 'OPEN'`, { id })
        .orderBy('l.leg_order')
        .setLock('pessimistic_write')
        .getMany();
      if (legs.length < 2) throw badInput('A strategy with one leg cannot be split', 'id');
      const parts: StrategyEntity[] = [];
      for (const leg of legs) {
        const s = await this.insertStrategy(m, source.portfolioId, standaloneName(leg), StrategyType.STANDALONE, {
          splitFrom: id,
          legId: leg.id,
        });
        await this.moveLegs(m, [leg], s.id);
        parts.push(s);
      }
      await m.insert(
        StrategyLineageEntity,
        parts.map((p) => ({ ancestorId: id, descendantId: p.id, kind: 'split' as const })),
      );
      await this.copyTags(
        m,
        [id],
        parts.map((p) => p.id),
      );
      await m.query(
        `UPDATE strategies SET status = 'CLOSED', closed_at = now(), stale = false, row_version = row_version + 1
         WHERE id = $1`,
        [id],
      );
      await this.appendVersion(m, id, 'split', { into: parts.map((p) => p.id) });
      c.touch(source.portfolioId, PortfolioChangeKind.STRATEGY_SPLIT, [id, ...parts.map((p) => p.id)]);
      return parts;
    });
  }

  update(user: AuthUser, id: string, name?: string | null, type?: StrategyType | null): Promise<StrategyEntity> {
    return this.uow.run(async (m, c) => {
      const s = (await this.lockStrategies(m, user, [id], 'id')).get(id)!;
      if (name != null) {
        const clean = checkName(name);
        if (clean !== s.name) {
          await m.query(`UPDATE strategies SET name = $2 WHERE id = $1`, [id, clean]);
          await this.appendVersion(m, id, 'renamed', { from: s.name, to: clean });
        }
      }
      if (type != null && type !== s.type) {
        await m.query(`UPDATE strategies SET type = $2 WHERE id = $1`, [id, type]);
        await this.appendVersion(m, id, 'retyped', { from: s.type, to: type });
      }
      await this.touch(m, [id]);
      c.touch(s.portfolioId, PortfolioChangeKind.STRATEGY_UPDATED, [id]);
      return m.findOneByOrFail(StrategyEntity, { id });
    });
  }

  /** Moves a leg from its strategy into `strategyId` (same portfolio); an emptied source is closed. */
  addLeg(user: AuthUser, strategyId: string, legId: string): Promise<StrategyEntity> {
    return this.uow.run(async (m, c) => {
      if (!isUuid(strategyId)) throw notFound('Strategy', 'strategyId');
      const {
        strategies,
        legs: [leg],
      } = await this.lockLegs(m, user, [legId], [strategyId], 'legId');
      const target = strategies.get(strategyId)!;
      if (target.status !== StrategyStatus.ACTIVE)
        throw badInput('Legs can only be added to an active strategy', 'strategyId');
      if (leg.strategyId === strategyId) throw badInput('The leg is already in this strategy', 'legId');
      if (leg.portfolioId !== target.portfolioId)
        throw badInput('All legs of a strategy must belong to one portfolio', 'legId');
      const sourceId = leg.strategyId;
      await this.moveLegs(m, [leg], strategyId);
      const all = await m.findBy(LegEntity, { strategyId });
      if (target.type === StrategyType.STANDALONE) {
        const type = inferType(all);
        await m.query(`UPDATE strategies SET type = $2 WHERE id = $1`, [strategyId, type]);
      }
      await this.touch(m, [strategyId]);
      await this.settleSources(m, [sourceId], [legId], c, target.portfolioId, [
        { strategyId, change: 'leg_added', details: { legId, from: sourceId } },
      ]);
      c.touch(target.portfolioId, PortfolioChangeKind.LEG_MOVED, [strategyId, sourceId]);
      return m.findOneByOrFail(StrategyEntity, { id: strategyId });
    });
  }

  /** The removed leg gets its own STANDALONE strategy; a strategy left empty is closed. Returns the source. */
  removeLeg(user: AuthUser, strategyId: string, legId: string): Promise<StrategyEntity> {
    return this.uow.run(async (m, c) => {
      if (!isUuid(strategyId)) throw notFound('Strategy', 'strategyId');
      const {
        strategies,
        legs: [leg],
      } = await this.lockLegs(m, user, [legId], [strategyId], 'legId');
      if (leg.strategyId !== strategyId) throw badInput('The leg is not in this strategy', 'legId');
      const source = strategies.get(strategyId)!;
      const own = await this.insertStrategy(m, source.portfolioId, standaloneName(leg), StrategyType.STANDALONE, {
        removedFrom: strategyId,
        legId,
      });
      await this.moveLegs(m, [leg], own.id);
      await this.settleSources(m, [strategyId], [legId], c, source.portfolioId);
      c.touch(source.portfolioId, PortfolioChangeKind.LEG_MOVED, [strategyId, own.id]);
      return m.findOneByOrFail(StrategyEntity, { id: strategyId });
    });
  }

  // ---- detection -------------------------------------------------------------------------------------

  /** detectStrategies: the patterns the user's STANDALONE legs of a portfolio form (nothing is written). */
  async detect(user: AuthUser, portfolioId: string) {
    await readOwnedPortfolio(this.ds, user, portfolioId);
    const legs = legRows(this.ds);
    const rows = await read(this.ds, this.detectableLegsSql(), [portfolioId]);
    return this.detections(rows.map((r) => legs.from(r)));
  }

  /** detect inside a transaction (the same statement, on `m`). */
  private async detectIn(m: EntityManager, user: AuthUser, portfolioId: string) {
    await ownedPortfolio(m, user, portfolioId);
    const legs = legRows(this.ds);
    const rows: Record<string, unknown>[] = await m.query(this.detectableLegsSql(), [portfolioId]);
    return this.detections(rows.map((r) => legs.from(r)));
  }

  /** The open legs of portfolio $1 that are STANDALONE active strategies, by id. */
  private detectableLegsSql(): string {
    return `SELECT ${legRows(this.ds).select('l')} FROM legs l
      JOIN strategies s ON s.id = l.strategy_id AND s.status = 'ACTIVE' AND s.type = 'STANDALONE'
      WHERE l.portfolio_id = $1 AND l.status = 'OPEN' ORDER BY l.id`;
  }

  private detections(legs: LegEntity[]) {
    const byId = new Map(legs.map((l) => [l.id, l]));
    return detectStrategies(legs).map((d) => ({ ...d, legs: d.legIds.map((id) => byId.get(id)!) }));
  }

  /** Combines every detection, all in one transaction. */
  applyDetections(user: AuthUser, portfolioId: string): Promise<StrategyEntity[]> {
    return this.uow.run(async (m, c) => {
      const found = await this.detectIn(m, user, portfolioId);
      const out: StrategyEntity[] = [];
      for (const d of found)
        out.push(await this.combineIn(m, c, user, { legIds: d.legIds, type: d.type, name: d.suggestedName }));
      return out;
    });
  }
}
