import DataLoader from 'dataloader';
import Decimal from 'decimal.js';
import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import { badInput, notFound } from '../../common/errors';
import { checkIds } from '../../common/tx';
import { read } from '../../data-source';
import { detectType } from '../../domain/detection';
import { analyzePayoff, type PayoffPoint } from '../../domain/payoff';
import { expectedMove, expiryRisk, probabilityOfProfit } from '../../domain/probability';
import {
  curvePnl,
  NO_CHANGE,
  runScenario,
  scenarioBook,
  scenarioLabel,
  smallestNegative,
  STANDARD_STRESS_SET,
  stressBook,
  stressGroupValue,
  valueScenario,
  valueStress,
  type Scenario,
  type ScenarioBook,
  type ScenarioValuation,
  type StressValuation,
} from '../../domain/scenario';
import { InvestmentClass, PriceSource, StrategyStatus, type MarketEnv } from '../../domain/types';
import { openLegs } from '../../domain/valuation';
import type { AuthUser } from '../../context';
import type { Loaders } from '../../loaders';
import type { LegCache } from '../leg/leg.cache';
import { envOfLegs, LEG_KEY_COLUMNS, LEG_ORDER, LEG_PRICE_JOINS, type LegKeyRow, type LegView } from '../leg/leg.rows';
import { marketEnv } from '../market-data/price-snapshot';
import type { PortfolioEntity } from '../portfolio/portfolio.entity';
import type { StrategyEntity } from '../strategy/strategy.entity';
import { defaultName } from '../strategy/strategy.service';
import type { StrategyQueries } from '../strategy/strategy.queries';
import { DataQualityFlag, type ScenarioInput } from './risk.types';

/** Bounds of the risk inputs (API.md "Risk analysis"); anything outside is BAD_USER_INPUT naming the argument. */
export const RISK_LIMITS = {
  gridPairs: 200,
  stressScenarios: 50,
  maxDaysForward: 3650,
  minVolChangePts: -100,
  maxVolChangePts: 500,
  maxPriceChangePct: 10_000,
  previewLegs: 500,
  labelLength: 100,
  minCommonCloses: 20,
  betaCloses: 60,
};

/** Daily closes of one symbol, oldest first. */
export type CloseSeries = { date: string; close: number }[];

/**
 * Daily closes per symbol since `from` (YYYY-MM-DD): the close of each trading day's daily bar (the last price of
 * the New York trading day, or an imported bar). Every read of daily history (beta, historyDays) goes through here.
 */
export async function dailyCloses(
  ds: DataSource,
  symbols: readonly string[],
  from: string,
): Promise<Map<string, CloseSeries>> {
  const out = new Map<string, CloseSeries>();
  if (!symbols.length) return out;
  const rows = await read<{ symbol: string; day: string; close: number }>(
    ds,
    `SELECT symbol, date::text AS day, close::float8 AS close FROM daily_bars
     WHERE symbol = ANY($1) AND date >= $2::date ORDER BY symbol, date`,
    [[...new Set(symbols)], from],
  );
  for (const r of rows) {
    const series = out.get(r.symbol);
    if (series) series.push({ date: r.day, close: r.close });
    else out.set(r.symbol, [{ date: r.day, close: r.close }]);
  }
  return out;
}

/** Beta of `asset` against `bench` from the daily returns of their last `max` common closes; null below `min`. */
export function beta(asset: CloseSeries, bench: CloseSeries, min: number, max: number): number | null {
  const b = new Map(bench.map((c) => [c.date, c.close]));
  const common = asset.filter((c) => b.has(c.date)).slice(-max);
  if (common.length < min) return null;
  const ra: number[] = [],
    rb: number[] = [];
  for (let i = 1; i < common.length; i++) {
    ra.push(common[i].close / common[i - 1].close - 1);
    rb.push(b.get(common[i].date)! / b.get(common[i - 1].date)! - 1);
  }
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const [ma, mb] = [mean(ra), mean(rb)];
  let cov = 0,
    varB = 0;
  ra.forEach((x, i) => {
    cov += (x - ma) * (rb[i] - mb);
    varB += (rb[i] - mb) ** 2;
  });
  return varB > 0 ? cov / varB : null;
}

export interface ScenarioResult extends Scenario {
  label: string;
  marketValue: Decimal;
  pnl: Decimal;
  netDelta: number;
  netGamma: number;
  netTheta: number;
  netVega: number;
}

/** A payoff's legs: a strategy's (by id, through the request's loaders) or a preview's own. */
export interface PayoffSource {
  strategyId?: string | null;
  legs?: LegView[];
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * envOfLegs over groups of legs, without its list of price pairs (a stress test has thousands of legs on a few
 * symbols): the same prices, the later leg's when two name the same symbol.
 */
function envOfMany(cfg: Config, groups: readonly (readonly LegView[])[], now: Date): MarketEnv {
  const prices = new Map<string, Decimal>();
  for (const legs of groups) {
    for (const l of legs) {
      if (l.lastPrice) prices.set(l.symbol, l.lastPrice);
      if (l.underlyingPrice) prices.set(l.underlyingSymbol, l.underlyingPrice);
    }
  }
  return marketEnv(cfg, prices, now);
}

/** Per-request history-day counts, batched over every strategy of the request (one daily-closes read). */
const historyLoaders = new WeakMap<Loaders, DataLoader<string, number>>();

export class RiskService {
  constructor(
    private readonly ds: DataSource,
    private readonly cfg: Config,
    private readonly queries: StrategyQueries,
    private readonly legCache: LegCache,
  ) {}

  // ---- inputs ------------------------------------------------------------------------------------------

  checkPriceChange(pct: number, field = 'priceChangePct'): number {
    if (!Number.isFinite(pct) || pct <= -100 || pct > RISK_LIMITS.maxPriceChangePct) {
      throw badInput(`${field} must be above -100 and at most ${RISK_LIMITS.maxPriceChangePct} (percent)`, field);
    }
    return pct;
  }

  checkVolChange(pts: number, field = 'volChangePts'): number {
    if (!Number.isFinite(pts) || pts < RISK_LIMITS.minVolChangePts || pts > RISK_LIMITS.maxVolChangePts) {
      throw badInput(
        `${field} must be between ${RISK_LIMITS.minVolChangePts} and ${RISK_LIMITS.maxVolChangePts} (vol points)`,
        field,
      );
    }
    return pts;
  }

  checkDays(days: number, field = 'daysForward'): number {
    if (!Number.isInteger(days) || days < 0 || days > RISK_LIMITS.maxDaysForward) {
      throw badInput(`${field} must be between 0 and ${RISK_LIMITS.maxDaysForward} (calendar days)`, field);
    }
    return days;
  }

  scenarioOf(input: ScenarioInput): Scenario & { label: string } {
    const s = {
      priceChangePct: this.checkPriceChange(input.priceChangePct ?? 0),
      volChangePts: this.checkVolChange(input.volChangePts ?? 0),
      daysForward: this.checkDays(input.daysForward ?? 0),
    };
    const label = input.label?.trim();
    if (label != null && label.length > RISK_LIMITS.labelLength) {
      throw badInput(`label must be at most ${RISK_LIMITS.labelLength} characters`, 'label');
    }
    return { ...s, label: label || scenarioLabel(s) };
  }

  // ---- scenarios -----------------------------------------------------------------------------------------

  private async book(loaders: Loaders, strategyId: string): Promise<ScenarioBook> {
    const legs = openLegs(await loaders.legsByStrategy.load(strategyId));
    return scenarioBook(legs, envOfLegs(this.cfg, legs, loaders.now));
  }

  private results(book: ScenarioBook, scenarios: (Scenario & { label: string })[]): ScenarioResult[] {
    const base = valueScenario(book, NO_CHANGE);
    return scenarios.map((s) => ({ ...s, ...runScenario(book, s, base) }));
  }

  async scenario(loaders: Loaders, strategy: StrategyEntity, input: ScenarioInput): Promise<ScenarioResult> {
    const s = this.scenarioOf(input);
    return this.results(await this.book(loaders, strategy.id), [s])[0];
  }

  /** One result per (price change, vol change) pair, price changes outer, in the order given. */
  async scenarioGrid(
    loaders: Loaders,
    strategy: StrategyEntity,
    priceChanges: number[],
    volChanges: number[] | null,
    days: number | null,
  ) {
    const vols = volChanges ?? [0];
    const pairs = priceChanges.length * vols.length;
    if (pairs > RISK_LIMITS.gridPairs) {
      throw badInput(
        `at most ${RISK_LIMITS.gridPairs} (price change, vol change) pairs; ` +
          `priceChangesPct × volChangesPts gives ${pairs}`,
        'priceChangesPct',
      );
    }
    priceChanges.forEach((p) => this.checkPriceChange(p, 'priceChangesPct'));
    vols.forEach((v) => this.checkVolChange(v, 'volChangesPts'));
    const daysForward = this.checkDays(days ?? 0);
    const scenarios = priceChanges.flatMap((priceChangePct) =>
      vols.map((volChangePts) => {
        const s = { priceChangePct, volChangePts, daysForward };
        return { ...s, label: scenarioLabel(s) };
      }),
    );
    return this.results(await this.book(loaders, strategy.id), scenarios);
  }

  /**
   * The portfolio's active strategies (in their list order) and the open legs of each, valued in the request's
   * snapshot: the strategies and the legs' keys are read at once (two statements, side by side, instead of one after
   * the other), the legs rows come from the process's cache (a third statement reads those it lacks), and the
   * request's legsByStrategy loader is primed with them, so any other field of the answer sees the same legs.
   */
  private async portfolioLegs(user: AuthUser, loaders: Loaders, portfolio: PortfolioEntity) {
    const [strategies, rows] = await Promise.all([
      this.queries.list(user, portfolio.id, null),
      read<LegKeyRow>(
        this.ds,
        `SELECT ${LEG_KEY_COLUMNS} FROM strategies s JOIN legs l ON l.strategy_id = s.id ${LEG_PRICE_JOINS}
         WHERE s.portfolio_id = $1 AND s.status = 'ACTIVE' ORDER BY ${LEG_ORDER}`,
        [portfolio.id],
      ),
    ]);
    // Only the listed strategies count (the list is the authority on which are active and the user's).
    const byStrategy = new Map<string, LegView[]>(strategies.map((s) => [s.id, []]));
    for (const view of await this.legCache.views(this.ds, rows, loaders.snapshot))
      byStrategy.get(view.strategyId)?.push(view);
    const groups = strategies.map((s) => {
      const held = loaders.legsByStrategy.peek(s.id);
      if (held) return openLegs(held);
      const legs = byStrategy.get(s.id)!;
      loaders.legsByStrategy.prime(s.id, legs);
      return openLegs(legs);
    });
    return { strategies, groups };
  }

  /**
   * The portfolio's active strategies under each scenario (the standard set when none are given): the portfolio's
   * result and its five worst strategies. Strategies and legs come in a constant number of statements.
   */
  async stressTest(user: AuthUser, loaders: Loaders, portfolio: PortfolioEntity, inputs: ScenarioInput[] | null) {
    if (inputs && inputs.length > RISK_LIMITS.stressScenarios) {
      throw badInput(`at most ${RISK_LIMITS.stressScenarios} scenarios`, 'scenarios');
    }
    const scenarios = inputs ? inputs.map((i) => this.scenarioOf(i)) : [...STANDARD_STRESS_SET];
    const { strategies, groups } = await this.portfolioLegs(user, loaders, portfolio);
    // One environment for the whole portfolio: every strategy sees the same prices.
    const env = envOfMany(this.cfg, groups, loaders.now);
    // The portfolio's figures from all its legs at once (each distinct contract valued once per scenario); the
    // strategies are ranked by their P&L in floating point, and the worst get their exact P&L from their own book
    // (a few spare against near-ties).
    const book = stressBook(groups, env);
    const base = valueStress(book, NO_CHANGE);
    // A strategy's exact P&L: from the pass's own sums when they are exact, else by its own book.
    const books = new Map<number, { book: ScenarioBook; base: ScenarioValuation }>();
    const baseValues = new Map<number, Decimal | null>();
    const exactPnl = (i: number, s: Scenario, run: StressValuation) => {
      const now = stressGroupValue(book, i, s, run);
      let before = now && baseValues.get(i);
      if (now && before === undefined) baseValues.set(i, (before = stressGroupValue(book, i, NO_CHANGE, base)));
      if (now && before) return now.minus(before);
      let e = books.get(i);
      if (!e) {
        const b = scenarioBook(groups[i], env);
        books.set(i, (e = { book: b, base: valueScenario(b, NO_CHANGE) }));
      }
      return runScenario(e.book, s, e.base).pnl;
    };
    return scenarios.map((s) => {
      const run = valueStress(book, s);
      const { whole, groups: values } = run;
      // The ten largest losses in floating point, equal losses in the strategies' list order (created_at, id).
      const pnls = new Float64Array(values.length);
      for (let i = 0; i < values.length; i++) pnls[i] = values[i] - base.groups[i];
      const worst = smallestNegative(pnls, 10)
        .map((i) => ({ strategy: strategies[i], pnl: exactPnl(i, s, run) }))
        .filter((x) => x.pnl.isNegative())
        .sort((a, b) => a.pnl.cmp(b.pnl))
        .slice(0, 5);
      const { netDelta, netGamma, netTheta, netVega } = whole;
      const marketValue = whole.marketValue;
      return {
        scenario: {
          ...s,
          marketValue,
          pnl: marketValue.minus(base.whole.marketValue),
          netDelta,
          netGamma,
          netTheta,
          netVega,
        },
        worstStrategies: worst,
      };
    });
  }

  // ---- beta-weighted delta -------------------------------------------------------------------------------

  /**
   * Σ over open legs of delta × underlying price × beta(underlying, benchmark) ÷ benchmark price. Null when the
   * benchmark has no price, or a leg with delta has no underlying price or fewer than 20 common daily closes.
   */
  async betaWeightedDelta(
    user: AuthUser,
    loaders: Loaders,
    portfolio: PortfolioEntity,
    benchmark: string | null,
  ): Promise<number | null> {
    const bench = (benchmark ?? 'SPY').trim().toUpperCase();
    if (!/^[A-Z0-9.-]{1,10}$/.test(bench))
      throw badInput('benchmark must be a ticker (1–10 letters, digits, "." or "-")', 'benchmark');
    const legs = (await this.portfolioLegs(user, loaders, portfolio)).groups.flat();
    const exposed = legs.filter((l) => l.greeks && l.greeks.delta !== 0);
    const benchPrice = (await loaders.marketData.load(bench))?.lastPrice;
    if (!benchPrice || benchPrice.isZero()) return null;
    if (!exposed.length) return 0;
    if (exposed.some((l) => !l.underlyingPrice)) return null;
    const underlyings = [...new Set(exposed.map((l) => l.underlyingSymbol))].filter((u) => u !== bench);
    // Enough calendar days for the last 60 trading days, with holidays.
    const from = isoDay(new Date(loaders.now.getTime() - 120 * 86_400_000));
    const closes = underlyings.length
      ? await dailyCloses(this.ds, [bench, ...underlyings], from)
      : new Map<string, CloseSeries>();
    const betas = new Map<string, number | null>([[bench, 1]]);
    for (const u of underlyings) {
      betas.set(
        u,
        beta(closes.get(u) ?? [], closes.get(bench) ?? [], RISK_LIMITS.minCommonCloses, RISK_LIMITS.betaCloses),
      );
    }
    let total = 0;
    for (const l of exposed) {
      const b = betas.get(l.underlyingSymbol);
      if (b == null) return null;
      total += (l.greeks!.delta * l.underlyingPrice!.toNumber() * b) / benchPrice.toNumber();
    }
    return total;
  }

  // ---- data quality --------------------------------------------------------------------------------------

  /** Trading days with a daily close of the strategy's symbols (or underlyings) since its earliest entry. */
  historyDays(loaders: Loaders, strategyId: string): Promise<number> {
    let loader = historyLoaders.get(loaders);
    if (!loader) {
      loader = new DataLoader<string, number>(async (ids) => {
        const legs = (await loaders.legsByStrategy.loadMany([...ids])).map((l) =>
          l instanceof Error ? [] : openLegs(l),
        );
        const flat = legs.flat();
        if (!flat.length) return ids.map(() => 0);
        const from = flat.map((l) => l.entryDate).sort()[0];
        const closes = await dailyCloses(
          this.ds,
          flat.flatMap((l) => [l.symbol, l.underlyingSymbol]),
          from,
        );
        return legs.map((mine) => {
          if (!mine.length) return 0;
          const since = mine.map((l) => l.entryDate).sort()[0];
          const days = new Set<string>();
          for (const l of mine) {
            for (const sym of new Set([l.symbol, l.underlyingSymbol])) {
              for (const c of closes.get(sym) ?? []) if (c.date >= since) days.add(c.date);
            }
          }
          return days.size;
        });
      });
      historyLoaders.set(loaders, loader);
    }
    return loader.load(strategyId);
  }

  async dataQuality(loaders: Loaders, strategy: StrategyEntity) {
    const legs = openLegs(await loaders.legsByStrategy.load(strategy.id));
    const historyDays = await this.historyDays(loaders, strategy.id);
    const priv = legs.filter((l) => l.investmentClass === InvestmentClass.PRIVATE);
    const priced = legs.filter((l) => l.investmentClass !== InvestmentClass.PRIVATE);
    const count = (src: PriceSource) => priced.filter((l) => l.priceSource === src).length;
    const [market, model, entry] = [count(PriceSource.MARKET), count(PriceSource.MODEL), count(PriceSource.ENTRY)];
    const flag =
      !legs.length || (priced.length > 0 && market === 0)
        ? DataQualityFlag.INSUFFICIENT
        : market === priced.length
          ? DataQualityFlag.COMPLETE
          : DataQualityFlag.PARTIAL;

    const notes: string[] = [];
    const n = legs.length;
    const list = (xs: string[]) => [...new Set(xs)].join(', ');
    if (!n) notes.push('The strategy has no open legs: there is nothing to value.');
    if (entry) {
      const symbols = list(priced.filter((l) => l.priceSource === PriceSource.ENTRY).map((l) => l.symbol));
      notes.push(
        `${entry} of ${n} legs ${entry === 1 ? 'has' : 'have'} no market price (valued at entry): ` +
          `P&L is not live; publish prices for ${symbols}.`,
      );
    }
    if (model) {
      notes.push(
        `${model} of ${n} legs ${model === 1 ? 'is' : 'are'} priced by Black-Scholes from the underlying ` +
          '(no quote of the option itself).',
      );
    }
    const blind = priced.filter((l) => l.optionType && !l.underlyingPrice);
    if (blind.length) {
      notes.push(
        `${plural(blind.length, 'option leg')} without a price of the underlying ` +
          `(${list(blind.map((l) => l.underlyingSymbol))}): no greeks, and scenarios keep it at its current value.`,
      );
    }
    if (priv.length) {
      notes.push(
        `${plural(priv.length, 'PRIVATE leg')} valued at the last known or entry price: ` +
          'left out of greeks and scenarios, and no payoff is drawn.',
      );
    }
    const underlyings = [...new Set(legs.map((l) => l.underlyingSymbol))];
    if (underlyings.length > 1) notes.push(`No payoff: the legs have several underlyings (${underlyings.join(', ')}).`);
    if (n && historyDays < 2) {
      notes.push(
        'Performance figures need at least 2 days of daily closes; ' +
          `${plural(historyDays, 'day')} since the first entry.`,
      );
    }
    if (!notes.length) notes.push(`Every leg has a market price; ${plural(historyDays, 'day')} of history.`);
    return {
      flag,
      message: notes.join(' '),
      legCount: n,
      marketPricedLegs: market,
      modelPricedLegs: model,
      entryPricedLegs: entry,
      privateLegs: priv.length,
      historyDays,
    };
  }

  // ---- preview -------------------------------------------------------------------------------------------

  /** What combineLegs would make of the legs (the user's open legs of one portfolio), read-only. */
  async preview(user: AuthUser, loaders: Loaders, legIds: string[]) {
    if (!legIds.length) throw badInput('legIds needs at least one leg', 'legIds');
    if (legIds.length > RISK_LIMITS.previewLegs) throw badInput(`at most ${RISK_LIMITS.previewLegs} legIds`, 'legIds');
    const ids = checkIds(legIds, 'legIds', 'Leg');
    const owned = await read<{ id: string; portfolio_id: string; status: StrategyStatus }>(
      this.ds,
      `SELECT l.id, l.portfolio_id, s.status FROM legs l JOIN strategies s ON s.id = l.strategy_id
       JOIN portfolios p ON p.id = l.portfolio_id AND p.deleted_at IS NULL WHERE l.id = ANY($1) AND p.user_id = $2`,
      [ids, user.id],
    );
    if (owned.length !== ids.length) throw notFound('Leg', 'legIds');
    if (new Set(owned.map((r) => r.portfolio_id)).size > 1)
      throw badInput('All legs of a strategy must belong to one portfolio', 'legIds');
    if (owned.some((r) => r.status !== StrategyStatus.ACTIVE))
      throw badInput('Legs of a closed strategy cannot be combined', 'legIds');
    const views = (await loaders.leg.loadMany(ids)).map((v) => {
      if (!v || v instanceof Error) throw notFound('Leg', 'legIds');
      return v;
    });
    if (openLegs(views).length !== views.length) throw badInput('Closed legs cannot be combined', 'legIds');
    const { type, confidence } = detectType(views);
    const payoff = analyzePayoff(views, envOfLegs(this.cfg, views, loaders.now));
    return {
      type,
      confidence,
      suggestedName: defaultName(type, views),
      legs: views,
      payoff: payoff && {
        strategyId: null,
        legs: views,
        maxProfit: payoff.maxProfit,
        maxLoss: payoff.maxLoss,
        breakEvenPoints: payoff.breakEvenPoints,
      },
    };
  }

  // ---- payoff extras -------------------------------------------------------------------------------------

  async payoffLegs(loaders: Loaders, p: PayoffSource): Promise<LegView[]> {
    return openLegs(p.legs ?? (p.strategyId ? await loaders.legsByStrategy.load(p.strategyId) : []));
  }

  /** Value across the payoff's price grid now (or days forward, with a vol shift), P&L against entry prices. */
  async tZeroCurve(
    loaders: Loaders,
    p: PayoffSource,
    points: number,
    days: number | null,
    vol: number | null,
  ): Promise<PayoffPoint[]> {
    if (!Number.isInteger(points) || points < 2 || points > 1000)
      throw badInput('points must be between 2 and 1000', 'points');
    const s = {
      priceChangePct: 0,
      volChangePts: this.checkVolChange(vol ?? 0),
      daysForward: this.checkDays(days ?? 0),
    };
    const legs = await this.payoffLegs(loaders, p);
    const env = envOfLegs(this.cfg, legs, loaders.now);
    const payoff = analyzePayoff(legs, env);
    if (!payoff) return [];
    const grid = payoff.grid(points);
    const pnl = curvePnl(scenarioBook(legs, env), s, grid);
    return grid.map((x, i) => ({ underlyingPrice: x, pnl: pnl[i] }));
  }

  /** Probability of profit and expected move at the earliest expiry; null without options or an underlying price. */
  async expiryFigures(loaders: Loaders, p: PayoffSource): Promise<{ pop: number; move: Decimal } | null> {
    const legs = await this.payoffLegs(loaders, p);
    const env = envOfLegs(this.cfg, legs, loaders.now);
    const payoff = analyzePayoff(legs, env);
    const risk = payoff && expiryRisk(legs, env);
    if (!payoff || !risk) return null;
    return {
      pop: probabilityOfProfit(payoff, risk.spot, risk.T, env.riskFreeRate, risk.sigma),
      move: expectedMove(risk),
    };
  }
}
