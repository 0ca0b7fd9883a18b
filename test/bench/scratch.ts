import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { App } from '../../src/app';
import { loadConfig, setConfig } from '../../src/config';
import { read } from '../../src/data-source';
import { parse } from 'graphql';
import { compileQuery } from 'graphql-jit';
import { createSchema } from '../../src/schema';
import { createLoaders, loadLegViews } from '../../src/loaders';
import { dropDatabase, ensureDatabase, migrate, prepareServices } from '../../src/infra/bootstrap';

async function main() {
  const cfg = loadConfig({ ...process.env, LOG_LEVEL: 'silent', JWT_SECRET: 'bench-secret-bench-secret-bench', QUEUE_PREFIX: `s_${randomBytes(3).toString('hex')}` });
  setConfig(cfg);
  const dbName = `scratch_${Date.now().toString(36)}`;
  const services = await prepareServices(cfg, { pgDataName: dbName, ephemeral: true });
  const databaseUrl = await ensureDatabase(services.databaseUrl, dbName);
  await migrate(databaseUrl);
  const app = await App.create(cfg, databaseUrl, services.redisUrl, {});
  try {
    const { user } = await app.auth.register({ email: 'b@example.com', username: 'bench_x', password: 'bench-password' });
    const [{ id: portfolioId }] = await app.ds.query(`INSERT INTO portfolios (user_id, name) VALUES ($1, 'M') RETURNING id`, [user.id]);
    await app.ds.query(`INSERT INTO strategies (portfolio_id, name, type, status, stale, row_version, created_at) SELECT $1, 'Strategy ' || i, 'CUSTOM', 'ACTIVE', false, 1, now() - (i || ' seconds')::interval FROM generate_series(1, 100) i`, [portfolioId]);
    await app.ds.query(`INSERT INTO legs (strategy_id, portfolio_id, symbol, position_type, quantity, multiplier, investment_class, underlying_symbol, entry_price, entry_date, leg_order)
     SELECT s.id, $1, 'SYM' || (row_number() OVER () % 100), 'LONG', 10, 1, 'PUBLIC', 'SYM' || (row_number() OVER () % 100), 100, '2026-01-05', k FROM strategies s, generate_series(0, 3) k WHERE s.portfolio_id = $1`, [portfolioId]);
    await app.ds.query(`INSERT INTO market_data (symbol, last_price, price_at, sector) SELECT 'SYM' || i, 101.5, now(), 'Technology' FROM generate_series(0, 99) i ON CONFLICT DO NOTHING`);
    const ids: string[] = (await app.ds.query(`SELECT id FROM strategies WHERE portfolio_id = $1`, [portfolioId])).map((r: any) => r.id);
    const variants: Record<string, () => Promise<unknown>> = {
      legViews: () => loadLegViews(app.ds, cfg, 'l.strategy_id', ids),
      rawRows: () => read(app.ds, `SELECT l.*, ms.last_price AS symbol_price FROM legs l LEFT JOIN market_data ms ON ms.symbol = l.symbol WHERE l.strategy_id = ANY($1)`, [ids]),
      narrow: () => read(app.ds, `SELECT l.id, l.xmin::text AS v, ms.last_price AS symbol_price, mu.last_price AS underlying_price FROM legs l LEFT JOIN market_data ms ON ms.symbol = l.symbol LEFT JOIN market_data mu ON mu.symbol = l.underlying_symbol WHERE l.strategy_id = ANY($1)`, [ids]),
      tags: () => createLoaders(app.ds, cfg).tagsByStrategy.loadMany(ids),
      metrics: () => createLoaders(app.ds, cfg).metrics.loadMany(ids),
    };
    const schema = await createSchema(app.pubSub);
    const compiled: any = compileQuery(schema, parse(`query($p: ID!, $first: Int) { portfolio(id: $p) { strategies(first: $first) { totalCount edges { node {
      id name type legCount legs { id symbol quantity marketValue unrealizedPnl greeks { delta } } tags { id name } metrics { marketValue unrealizedPnl netDelta stale } } } } } }`));
    const authUser = { id: user.id, username: 'bench_x', isAdmin: false };
    variants.connection = () => app.queries.connection(authUser, { portfolioId }, null, 100, null);
    variants.execute = async () => {
      const r = await compiled.query(undefined, { app, user: authUser, loaders: createLoaders(app.ds, cfg), requestId: 'x', address: '' }, { p: portfolioId, first: 100 });
      if (r.errors) throw new Error(JSON.stringify(r.errors));
      return JSON.stringify(r);
    };
    const only = process.argv[2]?.split(',');
    for (let round = 0; round < 3; round++) {
      for (const [name, fn] of Object.entries(variants)) {
        if (only && !only.includes(name)) continue;
        for (let i = 0; i < 50; i++) await fn();
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const n = 300;
        for (let i = 0; i < n; i++) await fn();
        const c = process.cpuUsage(c0);
        console.log(`${name.padEnd(10)} cpu ${((c.user + c.system) / 1000 / n).toFixed(3)} ms  wall ${((performance.now() - t0) / n).toFixed(3)} ms`);
      }
    }
  } finally {
    await app.close();
    await dropDatabase(services.databaseUrl, dbName).catch(() => undefined);
    await services.stop();
  }
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
