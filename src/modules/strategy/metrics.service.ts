import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import { read } from '../../data-source';
import type { UnitOfWork } from '../../infra/unit-of-work';
import { DECIMAL_INTEGER_DIGITS, DECIMAL_LIMIT } from '../../common/scalars';
import { analyzePayoff } from '../../domain/payoff';
import { openLegs, sumValuations } from '../../domain/valuation';
import type { LegCache } from '../leg/leg.cache';
import { loadLegViews } from '../leg/leg.loaders';
import { envOfLegs, type LegView } from '../leg/leg.rows';
import { PriceSnapshot } from '../market-data/price-snapshot';

export interface RecomputeResult {
  /** Strategies whose stored metrics are now current (stale cleared), with their portfolio. */
  updated: { strategyId: string; portfolioId: string }[];
  /** Strategies that changed again while being computed: still stale, to compute once more. */
  changedMeanwhile: string[];
  candles: { strategyId: string; bucketStart: string; open: string; high: string; low: string; close: string }[];
  /** Strategies whose figures cannot be stored (beyond numeric(24,8)): not written, still stale. */
  failed: { strategyId: string; error: string }[];
}

const minute = (d: Date) => new Date(Math.floor(d.getTime() / 60000) * 60000);

/**
 * The one recomputation the worker runs (and nothing else): reload by id, value every leg, store
 * StrategyMetrics, upsert the minute candle of unrealized P&L, and clear `stale` unless the strategy
 * changed again meanwhile (its row_version moved).
 */
export class MetricsService {
  constructor(
    private readonly ds: DataSource,
    private readonly uow: UnitOfWork,
    private readonly cfg: Config,
    private readonly legCache: LegCache,
  ) {}

  async recompute(strategyIds: string[], now = new Date()): Promise<RecomputeResult> {
    const strategies = await read<{ id: string; row_version: number }>(
      this.ds,
      `SELECT id, row_version FROM strategies WHERE id = ANY($1)`,
      [strategyIds],
    );
    const legs = await loadLegViews(
      this.ds,
      this.legCache,
      'l.strategy_id',
      strategyIds,
      new PriceSnapshot(this.cfg, now),
    );
    const env = envOfLegs(this.cfg, legs, now);
    const legsBy = new Map<string, LegView[]>();
    for (const l of legs) legsBy.set(l.strategyId, [...(legsBy.get(l.strategyId) ?? []), l]);

    const failed: RecomputeResult['failed'] = [];
    const rows = strategies.flatMap((s) => {
      const mine = legsBy.get(s.id) ?? [];
      const t = sumValuations(mine);
      const tooLarge = [t.marketValue, t.costBasis, t.unrealizedPnl].some((v) => v.abs().gte(DECIMAL_LIMIT));
      if (tooLarge) {
        const error = `market value, cost basis or P&L beyond ±10^${DECIMAL_INTEGER_DIGITS} (numeric(24,8))`;
        failed.push({ strategyId: s.id, error });
        return [];
      }
      const p = analyzePayoff(openLegs(mine), env);
      return [
        {
          strategy_id: s.id,
          row_version: s.row_version,
          market_value: t.marketValue.toString(),
          cost_basis: t.costBasis.toString(),
          unrealized_pnl: t.unrealizedPnl.toString(),
          net_delta: t.netDelta,
          net_gamma: t.netGamma,
          net_theta: t.netTheta,
          net_vega: t.netVega,
          payoff: p && {
            maxProfit: p.maxProfit?.toString() ?? null,
            maxLoss: p.maxLoss?.toString() ?? null,
            breakEvenPoints: p.breakEvenPoints.map(String),
          },
        },
      ];
    });
    if (!rows.length) return { updated: [], changedMeanwhile: [], candles: [], failed };
    // Every row lock of this transaction is taken in strategy id order (the order writers use too), first on
    // the strategies themselves: two recomputations of overlapping sets, or one and a mutation, never deadlock.
    rows.sort((a, b) => (a.strategy_id < b.strategy_id ? -1 : 1));
    const bucket = minute(now).toISOString();
    return this.uow.run(async (m) => {
      await m.query(`SELECT id FROM strategies WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE`, [
        rows.map((r) => r.strategy_id),
      ]);
      await m.query(
        `INSERT INTO strategy_metrics (strategy_id, market_value, cost_basis, unrealized_pnl, net_delta, net_gamma,
           net_theta, net_vega, payoff, calculated_at)
         SELECT x.strategy_id, x.market_value, x.cost_basis, x.unrealized_pnl, x.net_delta, x.net_gamma, x.net_theta,
           x.net_vega, x.payoff, $2
         FROM jsonb_to_recordset($1::jsonb) AS x(strategy_id uuid, market_value numeric, cost_basis numeric,
              unrealized_pnl numeric, net_delta float8, net_gamma float8, net_theta float8, net_vega float8,
              payoff jsonb)
         ON CONFLICT (strategy_id) DO UPDATE SET market_value = EXCLUDED.market_value, cost_basis = EXCLUDED.cost_basis,
           unrealized_pnl = EXCLUDED.unrealized_pnl, net_delta = EXCLUDED.net_delta, net_gamma = EXCLUDED.net_gamma,
           net_theta = EXCLUDED.net_theta, net_vega = EXCLUDED.net_vega, payoff = EXCLUDED.payoff,
           calculated_at = EXCLUDED.calculated_at`,
        [JSON.stringify(rows), now],
      );
      const candles: (Omit<RecomputeResult['candles'][number], 'bucketStart'> & { bucketStart: Date })[] =
        await m.query(
          `INSERT INTO m2m_candles (strategy_id, bucket_start, open, high, low, close)
         SELECT x.strategy_id, $2, x.unrealized_pnl, x.unrealized_pnl, x.unrealized_pnl, x.unrealized_pnl
         FROM jsonb_to_recordset($1::jsonb) AS x(strategy_id uuid, unrealized_pnl numeric)
         JOIN strategies s ON s.id = x.strategy_id AND s.status = 'ACTIVE'
         ON CONFLICT (strategy_id, bucket_start) DO UPDATE SET high = greatest(m2m_candles.high, EXCLUDED.close),
           low = least(m2m_candles.low, EXCLUDED.close), close = EXCLUDED.close
         RETURNING strategy_id AS "strategyId", bucket_start AS "bucketStart",
           open::text, high::text, low::text, close::text`,
          [JSON.stringify(rows), bucket],
        );
      // TypeORM answers an UPDATE with [rows, rowCount].
      const [cleared]: [{ id: string; portfolio_id: string }[], number] = await m.query(
        `UPDATE strategies s SET stale = false
         FROM jsonb_to_recordset($1::jsonb) AS x(strategy_id uuid, row_version int)
         WHERE s.id = x.strategy_id AND s.row_version = x.row_version RETURNING s.id, s.portfolio_id`,
        [JSON.stringify(rows)],
      );
      const done = new Set(cleared.map((r) => r.id));
      return {
        updated: cleared.map((r) => ({ strategyId: r.id, portfolioId: r.portfolio_id })),
        changedMeanwhile: rows.filter((r) => !done.has(r.strategy_id)).map((r) => r.strategy_id),
        failed,
        candles: candles.map((c) => ({
          ...c,
          bucketStart: new Date(c.bucketStart).toISOString(),
        })),
      };
    });
  }

  /** Stale active strategies, oldest change first: what the sweeper hands back to the queue. */
  async staleIds(limit = 5000): Promise<string[]> {
    const rows = await read<{ id: string }>(
      this.ds,
      `SELECT id FROM strategies WHERE stale AND status = 'ACTIVE' ORDER BY updated_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }
}
