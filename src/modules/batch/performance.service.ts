import Decimal from 'decimal.js';
import type { DataSource } from 'typeorm';
import { performanceStats } from '../../domain/performance';
import { calmarRatio } from '../../domain/history';
import { REALIZED_SQL } from '../history/history.loaders';
import type { AuthUser } from '../../context';
import { read } from '../../data-source';
import { readOwnedPortfolio } from '../portfolio/portfolio.service';

interface Row {
  key: string;
  strategy_id: string;
  status: string;
  realized: string;
  date: string | null;
  pnl: string | null;
  value: string | null;
  unrealized: string | null;
}

/**
 * Strategies with history: the active ones and the closed ones that have closed legs (a trade, not an emptied
 * shell).
 */
const WITH_HISTORY = `(s.status = 'ACTIVE'
  OR EXISTS (SELECT 1 FROM legs x WHERE x.strategy_id = s.id AND x.status = 'CLOSED'))`;

/** performanceByStrategyType / performanceByTag from the daily strategy P&L history (API.md "Analytics"). */
export class PerformanceService {
  constructor(private readonly ds: DataSource) {}

  async byStrategyType(user: AuthUser, portfolioId: string) {
    return this.compute(
      user,
      portfolioId,
      `SELECT s.type::text AS key, s.id AS strategy_id, s.status FROM strategies s
       WHERE s.portfolio_id = $1 AND ${WITH_HISTORY}`,
    );
  }

  /** A strategy with two tags counts in both groups. */
  async byTag(user: AuthUser, portfolioId: string) {
    return this.compute(
      user,
      portfolioId,
      `SELECT t.name AS key, s.id AS strategy_id, s.status
       FROM strategies s JOIN strategy_tags st ON st.strategy_id = s.id JOIN tags t ON t.id = st.tag_id
       WHERE s.portfolio_id = $1 AND ${WITH_HISTORY} AND t.archived_at IS NULL`,
    );
  }

  private async compute(user: AuthUser, portfolioId: string, groups: string) {
    await readOwnedPortfolio(this.ds, user, portfolioId);
    const rows = await read<Row>(
      this.ds,
      `WITH g AS (${groups}),
            r AS (SELECT l.strategy_id, sum(${REALIZED_SQL}) AS realized FROM legs l
                  WHERE l.strategy_id IN (SELECT strategy_id FROM g) GROUP BY l.strategy_id)
       SELECT g.key, g.strategy_id, g.status::text AS status, coalesce(r.realized, 0)::text AS realized,
              d.date::text AS date, d.pnl::text AS pnl, d.value::text AS value,
              CASE WHEN g.status = 'ACTIVE' THEN m.unrealized_pnl END::text AS unrealized
       FROM g LEFT JOIN r ON r.strategy_id = g.strategy_id
       LEFT JOIN strategy_daily_pnl d ON d.strategy_id = g.strategy_id
       LEFT JOIN strategy_metrics m ON m.strategy_id = g.strategy_id
       ORDER BY g.key, d.date`,
      [portfolioId],
    );
    type Group = {
      strategies: Map<string, { unrealized: Decimal; realized: Decimal; closed: boolean }>;
      days: Map<string, { pnl: number; value: number }>;
    };
    const groupsByKey = new Map<string, Group>();
    for (const r of rows) {
      const g: Group = groupsByKey.get(r.key) ?? { strategies: new Map(), days: new Map() };
      groupsByKey.set(r.key, g);
      g.strategies.set(r.strategy_id, {
        unrealized: new Decimal(r.unrealized ?? 0),
        realized: new Decimal(r.realized),
        closed: r.status === 'CLOSED',
      });
      if (r.date) {
        const day = g.days.get(r.date) ?? { pnl: 0, value: 0 };
        day.pnl += Number(r.pnl);
        day.value += Number(r.value);
        g.days.set(r.date, day);
      }
    }
    return [...groupsByKey]
      .map(([key, g]) => {
        const days = [...g.days.values()];
        const strategies = [...g.strategies.values()];
        const closed = strategies.filter((s) => s.closed);
        const stats = performanceStats(
          days.map((d) => d.pnl),
          days.map((d) => d.value),
        );
        return {
          key,
          strategyCount: g.strategies.size,
          unrealizedPnl: strategies.reduce((a, s) => a.plus(s.unrealized), new Decimal(0)),
          realizedPnl: strategies.reduce((a, s) => a.plus(s.realized), new Decimal(0)),
          closedCount: closed.length,
          // A closed strategy holds realized P&L only: it wins when that is positive.
          winningCount: closed.filter((s) => s.realized.greaterThan(0)).length,
          ...stats,
          calmarRatio: calmarRatio(stats.returnPct, stats.maxDrawdown, days.filter((d) => d.value !== 0).length),
        };
      })
      .sort((a, b) => a.key.localeCompare(b.key));
  }
}
