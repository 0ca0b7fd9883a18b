import type { DataSource, EntityManager } from 'typeorm';
import { badInput, notFound } from '../../common/errors';
import { isUuid } from '../../common/tx';
import { read } from '../../data-source';
import type { AuthUser } from '../../context';
import type { UnitOfWork } from '../../infra/unit-of-work';
import { PortfolioEntity } from './portfolio.entity';
import { portfolioRows } from './portfolio.loaders';

export function checkName(raw: string, field = 'name', max = 200): string {
  const name = raw.trim();
  if (name.length < 1 || name.length > max) throw badInput(`${field} must be 1–${max} characters`, field);
  return name;
}

/** The user's live portfolio or NOT_FOUND (also for another user's id, which must not be revealed). */
export async function ownedPortfolio(
  m: EntityManager,
  user: AuthUser,
  id: string,
  field = 'portfolioId',
): Promise<PortfolioEntity> {
  const p = isUuid(id) ? await m.findOneBy(PortfolioEntity, { id, userId: user.id }) : null;
  if (!p) throw notFound('Portfolio', field);
  return p;
}

/** The user's live portfolio, outside a transaction (through read()); null for anything else. */
export async function readPortfolio(ds: DataSource, user: AuthUser, id: string): Promise<PortfolioEntity | null> {
  if (!isUuid(id)) return null;
  // The head of every nested read: a prepared statement rather than TypeORM's query builder.
  const portfolios = portfolioRows(ds);
  const [r] = await read(
    ds,
    `SELECT ${portfolios.select('p')} FROM portfolios p
     WHERE p.id = $1 AND p.user_id = $2 AND p.deleted_at IS NULL`,
    [id, user.id],
  );
  return r ? portfolios.from(r) : null;
}

/** As ownedPortfolio, outside a transaction (through read()): the user's live portfolio or NOT_FOUND. */
export async function readOwnedPortfolio(
  ds: DataSource,
  user: AuthUser,
  id: string,
  field = 'portfolioId',
): Promise<PortfolioEntity> {
  const p = await readPortfolio(ds, user, id);
  if (!p) throw notFound('Portfolio', field);
  return p;
}

export class PortfolioService {
  constructor(
    private readonly ds: DataSource,
    private readonly uow: UnitOfWork,
  ) {}

  /** The user's live portfolios, oldest first. */
  async list(user: AuthUser): Promise<PortfolioEntity[]> {
    const portfolios = portfolioRows(this.ds);
    const rows = await read(
      this.ds,
      `SELECT ${portfolios.select('p')} FROM portfolios p
       WHERE p.user_id = $1 AND p.deleted_at IS NULL ORDER BY p.created_at, p.id`,
      [user.id],
    );
    return rows.map((r) => portfolios.from(r));
  }

  get(user: AuthUser, id: string): Promise<PortfolioEntity | null> {
    return readPortfolio(this.ds, user, id);
  }

  create(user: AuthUser, name: string): Promise<PortfolioEntity> {
    const clean = checkName(name);
    return this.uow.run((m) => m.save(m.create(PortfolioEntity, { userId: user.id, name: clean })));
  }

  async rename(user: AuthUser, id: string, name: string): Promise<PortfolioEntity> {
    const clean = checkName(name);
    return this.uow.run(async (m) => {
      const p = await ownedPortfolio(m, user, id, 'id');
      p.name = clean;
      return m.save(p);
    });
  }

  /** Soft delete: the portfolio and everything in it disappear from reads; history stays in the database. */
  async delete(user: AuthUser, id: string): Promise<boolean> {
    return this.uow.run(async (m) => {
      const p = await ownedPortfolio(m, user, id, 'id');
      await m.softDelete(PortfolioEntity, { id: p.id });
      return true;
    });
  }
}
