import Decimal from 'decimal.js';
import type { DataSource } from 'typeorm';
import { PortfolioChangeKind } from '../../common/enums';
import { badInput } from '../../common/errors';
import { DECIMAL_INTEGER_DIGITS, DECIMAL_LIMIT } from '../../common/scalars';
import { DomainError } from '../../domain/errors';
import { classifySymbol, inferPositionType, standaloneName } from '../../domain/occ';
import { StrategyStatus, StrategyType, type InvestmentClass, type PositionType } from '../../domain/types';
import type { AuthUser } from '../../context';
import { ownedPortfolio } from '../portfolio/portfolio.service';
import { inferType, type StrategyService } from '../strategy/strategy.service';
import { StrategyEntity } from '../strategy/strategy.entity';
import { LegEntity } from './leg.entity';

export interface NewPosition {
  portfolioId: string;
  symbol: string;
  quantity: Decimal;
  positionType?: PositionType | null;
  entryPrice: Decimal;
  entryDate?: string | null;
  impliedVolatility?: number | null;
  investmentClass?: InvestmentClass | null;
  strategyId?: string | null;
  /** Tags (already the user's) for the new STANDALONE strategy, applied in the same transaction (imports). */
  tagIds?: string[];
}

const today = () => new Date().toISOString().slice(0, 10);
/** The latest entry date accepted: tomorrow in UTC (it is already tomorrow east of UTC). */
const latestEntryDate = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

/**
 * Refuses a leg whose cost basis or market value (quantity × multiplier × price) would not fit the numeric(24,8)
 * columns of metrics and snapshots: stored, it would fail every recomputation that includes it.
 */
export function checkLegValue(quantity: Decimal, multiplier: number, prices: (Decimal | null | undefined)[]): void {
  for (const price of prices) {
    if (price && quantity.abs().times(multiplier).times(price).gte(DECIMAL_LIMIT)) {
      const message = `quantity × multiplier × price must stay below 10^${DECIMAL_INTEGER_DIGITS} (the largest amount)`;
      throw badInput(message, 'quantity');
    }
  }
}

export function checkPrice(v: Decimal, field: string): Decimal {
  if (v.isNegative()) throw badInput(`${field} must be ≥ 0`, field);
  return v;
}
export function checkVolatility(v: number | null | undefined): number | null {
  if (v == null) return null;
  if (!(v > 0 && v <= 5)) throw badInput('impliedVolatility must be in (0, 5]', 'impliedVolatility');
  return v;
}

/** Validates a new position into the columns of a leg (symbol parsing, inference, every rule of API.md). */
export function buildLeg(input: NewPosition): Omit<LegEntity, 'id' | 'strategyId' | 'legOrder' | 'createdAt' | 'updatedAt' | 'strategy' | 'portfolio'> {
  try {
    const s = classifySymbol(input.symbol, input.investmentClass);
    if (input.quantity.isZero()) throw badInput('quantity must not be 0', 'quantity');
    const positionType = inferPositionType(s.optionType, input.quantity, input.positionType);
    const entryDate = input.entryDate ?? today();
    if (entryDate > latestEntryDate()) throw badInput(`entryDate ${entryDate} is in the future`, 'entryDate');
    if (s.expirationDate && s.expirationDate < entryDate) {
      throw badInput(`The option expired on ${s.expirationDate}, before the entry date ${entryDate}`, 'entryDate');
    }
    checkLegValue(input.quantity, s.multiplier, [input.entryPrice]);
    return {
      ...s,
      investmentClass: input.investmentClass ?? s.investmentClass,
      positionType,
      quantity: input.quantity.abs(),
      entryPrice: checkPrice(input.entryPrice, 'entryPrice'),
      entryDate,
      impliedVolatility: checkVolatility(input.impliedVolatility),
      portfolioId: input.portfolioId,
    };
  } catch (e) {
    if (e instanceof DomainError) throw badInput(e.message, e.field);
    throw e;
  }
}

export class LegService {
  constructor(private readonly ds: DataSource, private readonly strategies: StrategyService) {}

  /** Creates a leg in its own STANDALONE strategy, or joins `strategyId` (same portfolio, active). */
  createPosition(user: AuthUser, input: NewPosition): Promise<{ leg: LegEntity; strategy: StrategyEntity }> {
    const fields = buildLeg(input);
    return this.strategies.change(async (m, c) => {
      await ownedPortfolio(m, user, input.portfolioId);
      const [known] = await m.query(`SELECT last_price FROM market_data WHERE symbol = $1`, [fields.symbol]);
      if (known?.last_price != null) checkLegValue(fields.quantity, fields.multiplier, [new Decimal(known.last_price)]);
      let strategy: StrategyEntity;
      if (input.strategyId) {
        strategy = (await this.strategies.lockStrategies(m, user, [input.strategyId])).get(input.strategyId)!;
        if (strategy.portfolioId !== input.portfolioId) throw badInput('The strategy belongs to another portfolio', 'strategyId');
        if (strategy.status !== StrategyStatus.ACTIVE) throw badInput('Legs can only be added to an active strategy', 'strategyId');
      } else {
        strategy = await this.strategies.insertStrategy(m, input.portfolioId, standaloneName(fields), StrategyType.STANDALONE, { symbol: fields.symbol });
      }
      const [{ n }] = await m.query(`SELECT coalesce(max(leg_order), -1) + 1 AS n FROM legs WHERE strategy_id = $1`, [strategy.id]);
      const leg = await m.save(m.create(LegEntity, { ...fields, strategyId: strategy.id, legOrder: n }));
      if (input.strategyId) {
        if (strategy.type === StrategyType.STANDALONE) {
          await m.query(`UPDATE strategies SET type = $2 WHERE id = $1`, [strategy.id, inferType(await m.findBy(LegEntity, { strategyId: strategy.id }))]);
        }
        await this.strategies.appendVersion(m, strategy.id, 'leg_added', { legId: leg.id, symbol: leg.symbol });
        await this.strategies.touch(m, [strategy.id]);
      }
      if (input.tagIds?.length && !input.strategyId) {
        await m.query(`INSERT INTO strategy_tags (strategy_id, tag_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`, [strategy.id, input.tagIds]);
      }
      c.touch(input.portfolioId, input.strategyId ? PortfolioChangeKind.STRATEGY_UPDATED : PortfolioChangeKind.STRATEGY_CREATED, [strategy.id]);
      return { leg, strategy: await m.findOneByOrFail(StrategyEntity, { id: strategy.id }) };
    });
  }

  updateLeg(user: AuthUser, id: string, patch: { quantity?: Decimal | null; entryPrice?: Decimal | null; impliedVolatility?: number | null }): Promise<LegEntity> {
    if (patch.quantity != null && patch.quantity.lte(0)) {
      throw badInput('quantity must be > 0 (the direction is the position type; close and reopen to flip it)', 'quantity');
    }
    if (patch.entryPrice != null) checkPrice(patch.entryPrice, 'entryPrice');
    checkVolatility(patch.impliedVolatility);
    return this.strategies.change(async (m, c) => {
      const { legs: [leg] } = await this.strategies.lockLegs(m, user, [id], [], 'id');
      const [known] = await m.query(`SELECT last_price FROM market_data WHERE symbol = $1`, [leg.symbol]);
      checkLegValue(patch.quantity ?? leg.quantity, leg.multiplier,
        [patch.entryPrice ?? leg.entryPrice, known?.last_price != null ? new Decimal(known.last_price) : null]);
      const changed: Record<string, string | number> = {};
      if (patch.quantity != null) { leg.quantity = patch.quantity; changed.quantity = patch.quantity.toString(); }
      if (patch.entryPrice != null) { leg.entryPrice = patch.entryPrice; changed.entryPrice = patch.entryPrice.toString(); }
      if (patch.impliedVolatility != null) { leg.impliedVolatility = patch.impliedVolatility; changed.impliedVolatility = patch.impliedVolatility; }
      const saved = await m.save(leg);
      await this.strategies.appendVersion(m, leg.strategyId, 'leg_updated', { legId: id, ...changed });
      await this.strategies.touch(m, [leg.strategyId]);
      c.touch(leg.portfolioId, PortfolioChangeKind.STRATEGY_UPDATED, [leg.strategyId]);
      return saved;
    });
  }

  /** Deletes a leg; its strategy records the removal, or is closed when it was the last leg. */
  deleteLeg(user: AuthUser, id: string): Promise<boolean> {
    return this.strategies.change(async (m, c) => {
      const { legs: [leg] } = await this.strategies.lockLegs(m, user, [id], [], 'id');
      await m.delete(LegEntity, { id });
      await this.strategies.settleSources(m, [leg.strategyId], [id], c, leg.portfolioId);
      c.touch(leg.portfolioId, PortfolioChangeKind.STRATEGY_UPDATED, [leg.strategyId]);
      return true;
    });
  }
}
