import type { DataSource } from 'typeorm';
import { read } from '../../data-source';
import { byId } from '../../infra/loader';
import { rowsOf } from '../../infra/rows';
import { PortfolioEntity } from './portfolio.entity';

/** How a read selects a portfolios row and makes it a PortfolioEntity (from the entity's columns, see rowsOf). */
export const portfolioRows = (ds: DataSource) => rowsOf(ds, PortfolioEntity);

/** A request's portfolio loader: a portfolio by id (a deleted one is absent). */
export function createPortfolioLoaders(ds: DataSource) {
  const portfolios = portfolioRows(ds);
  return {
    portfolio: byId(async (keys) =>
      (
        await read(
          ds,
          `SELECT ${portfolios.select('p')} FROM portfolios p WHERE p.id = ANY($1) AND p.deleted_at IS NULL`,
          [keys],
        )
      ).map((r) => portfolios.from(r)),
    ),
  };
}
