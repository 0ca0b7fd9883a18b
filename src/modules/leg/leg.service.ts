import Decimal from 'decimal.js';
import type { EntityManager } from 'typeorm';
import type { Config } from '../../config';
import { PortfolioChangeKind } from '../../common/enums';
import { badInput } from '../../common/errors';
import { DECIMAL_INTEGER_DIGITS, DECIMAL_LIMIT } from '../../common/scalars';
import { checkIds } from '../../common/tx';
import { DomainError } from '../../domain/errors';
import { classifySymbol, inferPositionType, standaloneName } from '../../domain/occ';
import {
  LegStatus,
  positionSign,
  StrategyStatus,
  StrategyType,
  type InvestmentClass,
  type PositionType,
} from '../../domain/types';
import { realizedPnl, valueLeg } from '../../domain/valuation';
import type { AuthUser } from '../../context';
import type { Changes, UnitOfWork } from '../../infra/unit-of-work';
import { marketEnv } from '../market-data/price-snapshot';
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
export function buildLeg(
  input: NewPosition,
): Omit<LegEntity, 'id' | 'strategyId' | 'legOrder' | 'createdAt' | 'updatedAt' | 'strategy' | 'portfolio'> {
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
      status: LegStatus.OPEN,
      exitPrice: null,
      exitDate: null,
    };
  } catch (e) {
    if (e instanceof DomainError) throw badInput(e.message, e.field);
    throw e;
  }
}

/** How a leg is closed: at `price` (default: its mark now), `quantity` of it (default: all) on `date`. */
export interface LegExit {
  price?: Decimal | null;
  quantity?: Decimal | null;
  date?: string | null;
}

/** Checks the parts of an exit that need no database: positive quantity, price ≥ 0, a date not in the future. */
function checkExit(exit: LegExit, priceField = 'exitPrice'): string {
  if (exit.quantity != null && !exit.quantity.greaterThan(0)) throw badInput('quantity must be > 0', 'quantity');
  if (exit.price != null) checkPrice(exit.price, priceField);
  const date = exit.date ?? today();
  if (date > today()) throw badInput(`exitDate ${date} is in the future`, 'exitDate');
  return date;
}

/** The leg_order a leg appended to the strategy gets. */
async function nextLegOrder(m: EntityManager, strategyId: string): Promise<number> {
  const [{ n }]: { n: number }[] = await m.query(
    `SELECT coalesce(max(leg_order), -1) + 1 AS n FROM legs WHERE strategy_id = $1`,
    [strategyId],
  );
  return n;
}

/** The symbol's latest price, if it has one. */
async function lastPrice(m: EntityManager, symbol: string): Promise<Decimal | null> {
  const [known]: { last_price: string | null }[] = await m.query(
    `SELECT last_price FROM market_data WHERE symbol = $1`,
    [symbol],
  );
  return known?.last_price != null ? new Decimal(known.last_price) : null;
}

export class LegService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly strategies: StrategyService,
    private readonly cfg: Config,
  ) {}

  /** The prices legs are valued at now (their mark), from the latest prices read in the transaction. */
  private async marks(m: EntityManager, legs: LegEntity[]): Promise<Map<string, Decimal>> {
    const symbols = [...new Set(legs.flatMap((l) => [l.symbol, l.underlyingSymbol]))];
    const rows: { symbol: string; last_price: string | null }[] = await m.query(
      `SELECT symbol, last_price::text FROM market_data WHERE symbol = ANY($1) AND last_price IS NOT NULL`,
      [symbols],
    );
    const env = marketEnv(
      this.cfg,
      rows.map((r) => [r.symbol, new Decimal(r.last_price!)] as [string, Decimal]),
    );
    return new Map(legs.map((l) => [l.id, valueLeg(l, env).price]));
  }

  /**
   * Closes an OPEN leg (locked by the caller) or `quantity` of it: the closed part becomes its own CLOSED leg in the
   * same strategy, the rest stays OPEN. Returns the CLOSED leg. Nothing is written when the exit is invalid.
   */
  private async closeIn(
    m: EntityManager,
    leg: LegEntity,
    price: Decimal,
    quantity: Decimal | null | undefined,
    date: string,
  ): Promise<LegEntity> {
    if (date < leg.entryDate) throw badInput(`exitDate ${date} is before the entry date ${leg.entryDate}`, 'exitDate');
    const q = quantity ?? leg.quantity;
    if (q.greaterThan(leg.quantity)) {
      throw badInput(`quantity ${q.toFixed()} exceeds the open quantity ${leg.quantity.toFixed()}`, 'quantity');
    }
    if (q.equals(leg.quantity)) {
      await m.query(
        `UPDATE legs SET status = 'CLOSED', exit_price = $2, exit_date = $3, updated_at = now() WHERE id = $1`,
        [leg.id, price.toString(), date],
      );
      return m.findOneByOrFail(LegEntity, { id: leg.id });
    }
    await m.query(`UPDATE legs SET quantity = quantity - $2, updated_at = now() WHERE id = $1`, [leg.id, q.toString()]);
    const n = await nextLegOrder(m, leg.strategyId);
    const { id: _id, createdAt: _c, updatedAt: _u, ...columns } = leg;
    return m.save(
      m.create(LegEntity, {
        ...columns,
        quantity: q,
        legOrder: n,
        status: LegStatus.CLOSED,
        exitPrice: price,
        exitDate: date,
      }),
    );
  }

  /**
   * After legs of `strategy` were closed: the strategy is closed with its last OPEN leg, else it records the change.
   */
  private async settleClose(
    m: EntityManager,
    c: Changes,
    strategy: StrategyEntity,
    change: string,
    details: unknown,
    kind: PortfolioChangeKind,
  ): Promise<void> {
    const [{ n }]: { n: number }[] = await m.query(
      `SELECT count(*)::int AS n FROM legs WHERE strategy_id = $1 AND status = 'OPEN'`,
      [strategy.id],
    );
    await this.strategies.appendVersion(m, strategy.id, change, details);
    if (n === 0) {
      await m.query(`UPDATE strategies SET status = 'CLOSED', closed_at = now() WHERE id = $1`, [strategy.id]);
      await this.strategies.appendVersion(m, strategy.id, 'closed', { reason: 'every leg closed' });
    }
    await this.strategies.touch(m, [strategy.id]);
    c.touch(strategy.portfolioId, n === 0 ? PortfolioChangeKind.STRATEGY_CLOSED : kind, [strategy.id]);
  }

  /** closeLeg: the whole leg or `quantity` of it, at `price` (default: its mark now) on `date` (default: today UTC). */
  closeLeg(user: AuthUser, id: string, exit: LegExit): Promise<LegEntity> {
    const date = checkExit(exit);
    return this.uow.run(async (m, c) => {
      const {
        strategies,
        legs: [leg],
      } = await this.strategies.lockLegs(m, user, [id], [], 'id');
      const price = exit.price ?? (await this.marks(m, [leg])).get(leg.id)!;
      const closed = await this.closeIn(m, leg, price, exit.quantity, date);
      await this.settleClose(
        m,
        c,
        strategies.get(leg.strategyId)!,
        'leg_closed',
        {
          legId: leg.id,
          closedLegId: closed.id,
          quantity: closed.quantity.toFixed(),
          exitPrice: price.toFixed(),
          exitDate: date,
          realizedPnl: realizedPnl(closed).toFixed(),
        },
        PortfolioChangeKind.LEG_CLOSED,
      );
      return closed;
    });
  }

  /** closeStrategy: every OPEN leg at its given exit price, else at its mark, on `exitDate`; then the strategy. */
  closeStrategy(
    user: AuthUser,
    id: string,
    exitPrices: { legId: string; exitPrice: Decimal }[] | null,
    exitDate: string | null,
  ): Promise<StrategyEntity> {
    const date = checkExit({ date: exitDate });
    const given = new Map<string, Decimal>();
    checkIds(
      (exitPrices ?? []).map((e) => e.legId),
      'exitPrices',
      'Leg',
    );
    for (const e of exitPrices ?? []) given.set(e.legId, checkPrice(e.exitPrice, 'exitPrices'));
    return this.uow.run(async (m, c) => {
      const s = (await this.strategies.lockStrategies(m, user, [id], 'id')).get(id)!;
      if (s.status === StrategyStatus.CLOSED) throw badInput('Strategy is already closed', 'id');
      const legs = await m
        .getRepository(LegEntity)
        .createQueryBuilder('l')
        .where(`l.strategy_id = :id AND l.status = 'OPEN'`, { id })
        .orderBy('l.id')
        .setLock('pessimistic_write')
        .getMany();
      const unknown = [...given.keys()].filter((legId) => !legs.some((l) => l.id === legId));
      if (unknown.length) {
        throw badInput(
          `exitPrices names legs that are not OPEN legs of this strategy: ${unknown.join(', ')}`,
          'exitPrices',
        );
      }
      const marks = await this.marks(
        m,
        legs.filter((l) => !given.has(l.id)),
      );
      const closed: string[] = [];
      for (const leg of legs) {
        closed.push((await this.closeIn(m, leg, given.get(leg.id) ?? marks.get(leg.id)!, null, date)).id);
      }
      await m.query(`UPDATE strategies SET status = 'CLOSED', closed_at = now() WHERE id = $1`, [id]);
      await this.strategies.appendVersion(m, id, 'closed', {
        reason: 'closed by user',
        exitDate: date,
        legIds: closed,
      });
      await this.strategies.touch(m, [id]);
      c.touch(s.portfolioId, PortfolioChangeKind.STRATEGY_CLOSED, [id]);
      return m.findOneByOrFail(StrategyEntity, { id });
    });
  }

  /**
   * rollLeg: closes an option leg (or `quantity` of it) at `exitPrice` (default: its mark) today and opens the same
   * quantity of `newSymbol`, in the same direction, at `entryPrice` in the same strategy: one transaction, one version.
   */
  rollLeg(
    user: AuthUser,
    id: string,
    roll: { newSymbol: string; entryPrice: Decimal; exitPrice?: Decimal | null; quantity?: Decimal | null },
  ): Promise<StrategyEntity> {
    const date = checkExit({ price: roll.exitPrice, quantity: roll.quantity });
    checkPrice(roll.entryPrice, 'entryPrice');
    return this.uow.run(async (m, c) => {
      const {
        strategies,
        legs: [leg],
      } = await this.strategies.lockLegs(m, user, [id], [], 'id');
      if (!leg.optionType) throw badInput('Only option legs can be rolled', 'id');
      const q = roll.quantity ?? leg.quantity;
      let fields: ReturnType<typeof buildLeg>;
      try {
        fields = buildLeg({
          portfolioId: leg.portfolioId,
          symbol: roll.newSymbol,
          quantity: positionSign(leg.positionType) === 1 ? q : q.neg(),
          entryPrice: roll.entryPrice,
          entryDate: date,
          impliedVolatility: leg.impliedVolatility,
        });
      } catch (e) {
        // Every fault of the new symbol (malformed, expired before today) is the new symbol's.
        const err = e as { extensions?: { field?: string }; message: string };
        const symbolFault = err.extensions?.field && err.extensions.field !== 'quantity';
        throw symbolFault ? badInput(`newSymbol: ${err.message}`, 'newSymbol') : e;
      }
      if (!fields.optionType) throw badInput('newSymbol must be an OCC option symbol', 'newSymbol');
      if (fields.symbol === leg.symbol) throw badInput('newSymbol is the symbol of the leg being rolled', 'newSymbol');
      const price = roll.exitPrice ?? (await this.marks(m, [leg])).get(leg.id)!;
      const closed = await this.closeIn(m, leg, price, q, date);
      const n = await nextLegOrder(m, leg.strategyId);
      const opened = await m.save(m.create(LegEntity, { ...fields, strategyId: leg.strategyId, legOrder: n }));
      const strategy = strategies.get(leg.strategyId)!;
      await this.strategies.appendVersion(m, strategy.id, 'rolled', {
        legId: leg.id,
        closedLegId: closed.id,
        openedLegId: opened.id,
        from: leg.symbol,
        to: opened.symbol,
        quantity: q.toFixed(),
        exitPrice: price.toFixed(),
        entryPrice: roll.entryPrice.toFixed(),
        realizedPnl: realizedPnl(closed).toFixed(),
      });
      await this.strategies.touch(m, [strategy.id]);
      c.touch(strategy.portfolioId, PortfolioChangeKind.LEG_ROLLED, [strategy.id]);
      return m.findOneByOrFail(StrategyEntity, { id: strategy.id });
    });
  }

  /** Creates a leg in its own STANDALONE strategy, or joins `strategyId` (same portfolio, active). */
  createPosition(user: AuthUser, input: NewPosition): Promise<{ leg: LegEntity; strategy: StrategyEntity }> {
    const fields = buildLeg(input);
    return this.uow.run(async (m, c) => {
      await ownedPortfolio(m, user, input.portfolioId);
      const known = await lastPrice(m, fields.symbol);
      if (known) checkLegValue(fields.quantity, fields.multiplier, [known]);
      let strategy: StrategyEntity;
      if (input.strategyId) {
        strategy = (await this.strategies.lockStrategies(m, user, [input.strategyId])).get(input.strategyId)!;
        if (strategy.portfolioId !== input.portfolioId)
          throw badInput('The strategy belongs to another portfolio', 'strategyId');
        if (strategy.status !== StrategyStatus.ACTIVE)
          throw badInput('Legs can only be added to an active strategy', 'strategyId');
      } else {
        strategy = await this.strategies.insertStrategy(
          m,
          input.portfolioId,
          standaloneName(fields),
          StrategyType.STANDALONE,
          { symbol: fields.symbol },
        );
      }
      const n = await nextLegOrder(m, strategy.id);
      const leg = await m.save(m.create(LegEntity, { ...fields, strategyId: strategy.id, legOrder: n }));
      if (input.strategyId) {
        if (strategy.type === StrategyType.STANDALONE) {
          await m.query(`UPDATE strategies SET type = $2 WHERE id = $1`, [
            strategy.id,
            inferType(await m.findBy(LegEntity, { strategyId: strategy.id })),
          ]);
        }
        await this.strategies.appendVersion(m, strategy.id, 'leg_added', { legId: leg.id, symbol: leg.symbol });
        await this.strategies.touch(m, [strategy.id]);
      }
      if (input.tagIds?.length && !input.strategyId) {
        await m.query(
          `INSERT INTO strategy_tags (strategy_id, tag_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
          [strategy.id, input.tagIds],
        );
      }
      c.touch(
        input.portfolioId,
        input.strategyId ? PortfolioChangeKind.STRATEGY_UPDATED : PortfolioChangeKind.STRATEGY_CREATED,
        [strategy.id],
      );
      return { leg, strategy: await m.findOneByOrFail(StrategyEntity, { id: strategy.id }) };
    });
  }

  updateLeg(
    user: AuthUser,
    id: string,
    patch: { quantity?: Decimal | null; entryPrice?: Decimal | null; impliedVolatility?: number | null },
  ): Promise<LegEntity> {
    if (patch.quantity != null && patch.quantity.lte(0)) {
      throw badInput(
        'quantity must be > 0 (the direction is the position type; close and reopen to flip it)',
        'quantity',
      );
    }
    if (patch.entryPrice != null) checkPrice(patch.entryPrice, 'entryPrice');
    checkVolatility(patch.impliedVolatility);
    return this.uow.run(async (m, c) => {
      const {
        legs: [leg],
      } = await this.strategies.lockLegs(m, user, [id], [], 'id');
      checkLegValue(patch.quantity ?? leg.quantity, leg.multiplier, [
        patch.entryPrice ?? leg.entryPrice,
        await lastPrice(m, leg.symbol),
      ]);
      const changed: Record<string, string | number> = {};
      if (patch.quantity != null) {
        leg.quantity = patch.quantity;
        changed.quantity = patch.quantity.toString();
      }
      if (patch.entryPrice != null) {
        leg.entryPrice = patch.entryPrice;
        changed.entryPrice = patch.entryPrice.toString();
      }
      if (patch.impliedVolatility != null) {
        leg.impliedVolatility = patch.impliedVolatility;
        changed.impliedVolatility = patch.impliedVolatility;
      }
      const saved = await m.save(leg);
      await this.strategies.appendVersion(m, leg.strategyId, 'leg_updated', { legId: id, ...changed });
      await this.strategies.touch(m, [leg.strategyId]);
      c.touch(leg.portfolioId, PortfolioChangeKind.STRATEGY_UPDATED, [leg.strategyId]);
      return saved;
    });
  }

  /** Deletes a leg; its strategy records the removal, or is closed when it was the last leg. */
  deleteLeg(user: AuthUser, id: string): Promise<boolean> {
    return this.uow.run(async (m, c) => {
      const {
        legs: [leg],
      } = await this.strategies.lockLegs(m, user, [id], [], 'id');
      await m.delete(LegEntity, { id });
      await this.strategies.settleSources(m, [leg.strategyId], [id], c, leg.portfolioId);
      c.touch(leg.portfolioId, PortfolioChangeKind.STRATEGY_UPDATED, [leg.strategyId]);
      return true;
    });
  }
}
