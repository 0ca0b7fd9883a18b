import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { parse } from 'graphql';
import { compileQuery } from 'graphql-jit';
import { App } from '../../src/app';
import { loadConfig, setConfig } from '../../src/config';
import { createLoaders } from '../../src/loaders';
import { dropDatabase, ensureDatabase, migrate, prepareServices } from '../../src/infra/bootstrap';
import { createSchema } from '../../src/schema';

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
    const tagIds: string[] = (await app.ds.query(`SELECT id FROM tags WHERE user_id = $1`, [user.id])).map((t: any) => t.id);
    await app.ds.query(`WITH s AS (SELECT id, row_number() OVER (ORDER BY created_at DESC, id) - 1 AS n FROM strategies WHERE portfolio_id = $1)
     INSERT INTO strategy_tags (strategy_id, tag_id) SELECT s.id, ($3::uuid[])[1 + abs(hashint4(k)) % 10] FROM generate_series(0, 199) k JOIN s ON s.n = k % $2 ON CONFLICT DO NOTHING`, [portfolioId, 100, tagIds]);
    await app.ds.query(`INSERT INTO strategy_metrics (strategy_id, market_value, cost_basis, unrealized_pnl, net_delta, net_gamma, net_theta, net_vega, payoff, calculated_at)
     SELECT id, 4060, 4000, 60, 40, 0, 0, 0, NULL, now() FROM strategies WHERE portfolio_id = $1`, [portfolioId]);
    const schema = await createSchema(app.pubSub);
    const compiled: any = compileQuery(schema, parse(`query($p: ID!, $first: Int) { portfolio(id: $p) { strategies(first: $first) { totalCount edges { node {
      id name type legCount legs { id symbol quantity marketValue unrealizedPnl greeks { delta } } tags { id name } metrics { marketValue unrealizedPnl netDelta stale } } } } } }`));
    const authUser = { id: user.id, username: 'bench_x', isAdmin: false };
    const execute = async () => {
      const r = await compiled.query(undefined, { app, user: authUser, loaders: createLoaders(app.ds, cfg), requestId: 'x', address: '' }, { p: portfolioId, first: 100 });
      if (r.errors) throw new Error(JSON.stringify(r.errors));
      return JSON.stringify(r);
    };
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 50; i++) await execute();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const n = 300;
      for (let i = 0; i < n; i++) await execute();
      const c = process.cpuUsage(c0);
      console.log(`execute cpu ${((c.user + c.system) / 1000 / n).toFixed(3)} ms  wall ${((performance.now() - t0) / n).toFixed(3)} ms`);
    }
  } finally {
    await app.close();
    await dropDatabase(services.databaseUrl, dbName).catch(() => undefined);
    await services.stop();
  }
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
