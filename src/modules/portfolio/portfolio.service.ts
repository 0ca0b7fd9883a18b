import type { DataSource, EntityManager } from 'typeorm';
import { badInput, notFound } from '../../common/errors';
import { isUuid } from '../../common/tx';
import { read } from '../../data-source';
import type { AuthUser } from '../../context';
import type { UnitOfWork } from '../../infra/unit-of-work';
import { PortfolioEntity } from './portfolio.entity';

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

export class PortfolioService {
  constructor(
    private readonly ds: DataSource,
    private readonly uow: UnitOfWork,
  ) {}

  list(user: AuthUser): Promise<PortfolioEntity[]> {
    return this.ds
      .getRepository(PortfolioEntity)
      .find({ where: { userId: user.id }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async get(user: AuthUser, id: string): Promise<PortfolioEntity | null> {
    if (!isUuid(id)) return null;
    // The head of every nested read: a raw, prepared statement rather than TypeORM's query builder.
    const [r] = await read<{ id: string; user_id: string; name: string; created_at: Date; updated_at: Date }>(
      this.ds,
      `SELECT id, user_id, name, created_at, updated_at FROM portfolios WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL`,
      [id, user.id],
    );
    if (!r) return null;
    const p = new PortfolioEntity();
    p.id = r.id;
    p.userId = r.user_id;
    p.name = r.name;
    p.createdAt = r.created_at;
    p.updatedAt = r.updated_at;
    p.deletedAt = null;
    return p;
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
