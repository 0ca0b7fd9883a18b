import type { DataSource } from 'typeorm';
import { badInput, notFound } from '../../common/errors';
import { read } from '../../data-source';
import { positionSign, OptionType, PositionType } from '../../domain/types';
import { openLegs } from '../../domain/valuation';
import type { AuthUser } from '../../context';
import type { LegEntity } from '../leg/leg.entity';
import { legRows } from '../leg/leg.rows';
import type { StrategyService } from '../strategy/strategy.service';
import type { TagEntity } from './tag.entity';
import { tagRows } from './tag.loaders';

export interface Suggestion {
  tag: TagEntity | null;
  name: string;
  score: number;
  reason: string;
}

/** A tag of the user's similar strategies, with how many of them are similar in each way. */
interface SimilarRow {
  tag_id: string;
  score: number;
  same_underlying: number;
  same_type: number;
  same_sector: number;
}

/** How much one similar strategy's tag counts, by what makes it similar. */
const WEIGHT = { underlying: 0.5, type: 0.3, sector: 0.2 };

/** Rule-based labels from the legs alone (API.md: options, credit strategies, protective legs). */
export function ruleSuggestions(legs: LegEntity[]): { name: string; score: number; reason: string }[] {
  const out: { name: string; score: number; reason: string }[] = [];
  const options = legs.filter((l) => l.optionType);
  if (options.length) out.push({ name: 'options', score: 0.6, reason: 'holds option legs' });
  const premium = options.reduce(
    (sum, l) => sum + positionSign(l.positionType) * l.quantity.toNumber() * l.multiplier * l.entryPrice.toNumber(),
    0,
  );
  if (options.length && premium < 0) out.push({ name: 'income', score: 0.7, reason: 'opened for a net credit' });
  const longStock = legs.some((l) => !l.optionType && l.positionType === PositionType.LONG);
  const protective = legs.some(
    (l) =>
      (l.optionType === OptionType.PUT && l.positionType === PositionType.LP) ||
      (l.optionType === OptionType.CALL && l.positionType === PositionType.SC),
  );
  if (longStock && protective)
    out.push({ name: 'hedged', score: 0.8, reason: 'a long put or short call against the stock' });
  return out;
}

export class SuggestionService {
  constructor(
    private readonly ds: DataSource,
    private readonly strategies: StrategyService,
  ) {}

  async suggest(user: AuthUser, strategyId: string, limit: number): Promise<Suggestion[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 50) throw badInput('limit must be between 1 and 50', 'limit');
    const s = await this.strategies.get(user, strategyId);
    if (!s) throw notFound('Strategy', 'strategyId');
    const legRead = legRows(this.ds);
    const legs = (
      await read(this.ds, `SELECT ${legRead.select('l')} FROM legs l WHERE l.strategy_id = $1`, [strategyId])
    ).map((r) => legRead.from(r));
    const underlyings = [...new Set(legs.map((l) => l.underlyingSymbol))];
    // Tags on the user's other strategies, scored by how similar each strategy is to this one.
    const rows = await read<SimilarRow>(
      this.ds,
      `WITH mine AS (
              SELECT DISTINCT coalesce(md.sector, '') AS sector
              FROM unnest($3::text[]) u(sym) LEFT JOIN market_data md ON md.symbol = u.sym),
            sim AS (
              SELECT o.id,
                     EXISTS (SELECT 1 FROM legs l WHERE l.strategy_id = o.id AND l.underlying_symbol = ANY($3)) AS su,
                     o.type = $4::strategy_type AS st,
                     EXISTS (SELECT 1 FROM legs l JOIN market_data md ON md.symbol = l.underlying_symbol
                             WHERE l.strategy_id = o.id AND md.sector IS NOT NULL
                               AND md.sector IN (SELECT sector FROM mine)) AS ss
              FROM strategies o JOIN portfolios p ON p.id = o.portfolio_id AND p.deleted_at IS NULL
              WHERE p.user_id = $1 AND o.id <> $2)
       SELECT st.tag_id, sum($5::float8 * su::int + $6::float8 * st::int + $7::float8 * ss::int) AS score,
              sum(su::int)::int AS same_underlying, sum(st::int)::int AS same_type, sum(ss::int)::int AS same_sector
       FROM sim JOIN strategy_tags st ON st.strategy_id = sim.id
       WHERE (su OR st OR ss) AND st.tag_id NOT IN (SELECT tag_id FROM strategy_tags WHERE strategy_id = $2)
       GROUP BY st.tag_id`,
      [user.id, strategyId, underlyings, s.type, WEIGHT.underlying, WEIGHT.type, WEIGHT.sector],
    );
    const tagRead = tagRows(this.ds);
    const tags = (
      await read(this.ds, `SELECT ${tagRead.select('t')} FROM tags t WHERE t.user_id = $1 AND t.archived_at IS NULL`, [
        user.id,
      ])
    ).map((r) => tagRead.from(r));
    const own = new Set(
      (
        await read<{ tag_id: string }>(this.ds, `SELECT tag_id FROM strategy_tags WHERE strategy_id = $1`, [strategyId])
      ).map((r) => r.tag_id),
    );
    const byId = new Map(tags.map((t) => [t.id, t]));
    const byName = new Map(tags.map((t) => [t.name.toLowerCase(), t]));
    const max = Math.max(1, ...rows.map((r) => r.score));
    const found = new Map<string, Suggestion>();
    for (const r of rows) {
      const tag = byId.get(r.tag_id);
      if (!tag) continue;
      const why = [
        r.same_underlying && `${r.same_underlying} with the same underlying`,
        r.same_type && `${r.same_type} of the same type`,
        r.same_sector && `${r.same_sector} in the same sector`,
      ].filter(Boolean);
      found.set(tag.name.toLowerCase(), {
        tag,
        name: tag.name,
        score: Math.round((0.5 + 0.5 * (r.score / max)) * 1000) / 1000,
        reason: `you tagged similar strategies (${why.join(', ')})`,
      });
    }
    for (const rule of ruleSuggestions(openLegs(legs))) {
      const tag = byName.get(rule.name) ?? null;
      if (tag && own.has(tag.id)) continue;
      const prev = found.get(rule.name);
      if (!prev || prev.score < rule.score)
        found.set(rule.name, {
          tag,
          name: tag?.name ?? rule.name,
          score: rule.score,
          reason: prev ? `${rule.reason}; ${prev.reason}` : rule.reason,
        });
    }
    return [...found.values()]
      .sort((a, b) => Number(!!b.tag) - Number(!!a.tag) || b.score - a.score || a.name.localeCompare(b.name))
      .slice(0, limit);
  }
}
