import Decimal from 'decimal.js';
import type { DataSource } from 'typeorm';
import { performanceStats } from '../../domain/performance';
import type { AuthUser } from '../../context';
import { ownedPortfolio } from '../portfolio/portfolio.service';

interface Row { key: string; strategy_id: string; date: string | null; pnl: string | null; value: string | null; unrealized: string | null }

/** performanceByStrategyType / performanceByTag from the daily strategy P&L history (API.md "Analytics"). */
export class PerformanceService {
  constructor(private readonly ds: DataSource) {}

  async byStrategyType(user: AuthUser, portfolioId: string) {
    return this.compute(user, portfolioId, `SELECT s.type::text AS key, s.id AS strategy_id FROM strategies s WHERE s.portfolio_id = $1 AND s.status = 'ACTIVE'`);
  }

  /** A strategy with two tags counts in both groups. */
  async byTag(user: AuthUser, portfolioId: string) {
    return this.compute(user, portfolioId,
      `SELECT t.name AS key, s.id AS strategy_id FROM strategies s JOIN strategy_tags st ON st.strategy_id = s.id JOIN tags t ON t.id = st.tag_id
       WHERE s.portfolio_id = $1 AND s.status = 'ACTIVE' AND t.archived_at IS NULL`);
  }

  private async compute(user: AuthUser, portfolioId: string, groups: string) {
    await ownedPortfolio(this.ds.manager, user, portfolioId);
    const rows: Row[] = await this.ds.query(
      `WITH g AS (${groups})
       SELECT g.key, g.strategy_id, d.date::text AS date, d.pnl::text AS pnl, d.value::text AS value, m.unrealized_pnl::text AS unrealized
       FROM g LEFT JOIN strategy_daily_pnl d ON d.strategy_id = g.strategy_id LEFT JOIN strategy_metrics m ON m.strategy_id = g.strategy_id
       ORDER BY g.key, d.date`, [portfolioId]);
    const groupsByKey = new Map<string, { strategies: Map<string, Decimal>; days: Map<string, { pnl: number; value: number }> }>();
    for (const r of rows) {
      const g = groupsByKey.get(r.key) ?? { strategies: new Map(), days: new Map() };
      groupsByKey.set(r.key, g);
      g.strategies.set(r.strategy_id, new Decimal(r.unrealized ?? 0));
      if (r.date) {
        const day = g.days.get(r.date) ?? { pnl: 0, value: 0 };
        day.pnl += Number(r.pnl);
        day.value += Number(r.value);
        g.days.set(r.date, day);
      }
    }
    return [...groupsByKey].map(([key, g]) => {
      const days = [...g.days.values()];
      return {
        key,
        strategyCount: g.strategies.size,
        unrealizedPnl: [...g.strategies.values()].reduce((a, b) => a.plus(b), new Decimal(0)),
        ...performanceStats(days.map((d) => d.pnl), days.map((d) => d.value)),
      };
    }).sort((a, b) => a.key.localeCompare(b.key));
  }
}
