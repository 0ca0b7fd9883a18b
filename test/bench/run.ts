import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Decimal from 'decimal.js';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { App } from '../../src/app';
import { API_NODE_FLAGS, loadConfig, setConfig } from '../../src/config';
import { detectStrategies } from '../../src/domain/detection';
import { analyzePayoff } from '../../src/domain/payoff';
import { InvestmentClass, OptionType, PositionType, type LegData } from '../../src/domain/types';
import { dropDatabase, ensureDatabase, migrate, prepareServices } from '../../src/infra/bootstrap';
import { freePort } from '../../src/infra/services';
import { PROJECT_ROOT } from '../../src/paths';
import { createSchema } from '../../src/schema';
import { startServer } from '../../src/server';
import { startWorker } from '../../workers/worker';
import { benchHistory } from './history';
import { load, percentile, postRead, printTable, timeSeq, type Row } from './lib';
import type { LoadJob, LoadResult } from './load-process';
import { REFERENCE, REFERENCE_QUERY, startReference } from './reference';
import { riskBenchmarks } from './risk';

const NESTED = `query($p: ID!, $first: Int) { portfolio(id: $p) { strategies(first: $first) { totalCount edges { node {
  id name type legCount
  legs { id symbol quantity marketValue unrealizedPnl greeks { delta } }
  tags { id name }
  metrics { marketValue unrealizedPnl netDelta stale }
} } } } }`;
const ALL3 = `query($p: ID!, $t: [ID!]!) { portfolio(id: $p) {
  strategies(first: 50, filter: { tagIds: $t, tagMatch: ALL }) { totalCount edges { node { id name } } } } }`;

const rows: Row[] = [];
const add = (benchmark: string, metric: string, value: number, unit: string, target?: string, pass?: boolean) => {
  rows.push({ benchmark, metric, value, unit, target, pass });
  console.error(`  ${benchmark}: ${metric} = ${value.toFixed(2)} ${unit}`);
};

/** Generates `strategies` strategies of `legsPer` legs (on `symbols` underlyings) and `links` tag links, by SQL. */
async function generate(
  app: App,
  userId: string,
  name: string,
  strategies: number,
  legsPer: number,
  links: number,
  symbols = 100,
): Promise<{ portfolioId: string; tagIds: string[] }> {
  const [{ id: portfolioId }] = await app.ds.query(
    `INSERT INTO portfolios (user_id, name) VALUES ($1, $2) RETURNING id`,
    [userId, name],
  );
  await app.ds.query(
    `INSERT INTO strategies (portfolio_id, name, type, status, stale, row_version, created_at)
     SELECT $1, 'Strategy ' || i, 'CUSTOM', 'ACTIVE', false, 1, now() - (i || ' seconds')::interval
     FROM generate_series(1, $2) i`,
    [portfolioId, strategies],
  );
  await app.ds.query(
    `INSERT INTO legs (strategy_id, portfolio_id, symbol, position_type, quantity, multiplier, investment_class,
                       underlying_symbol, entry_price, entry_date, leg_order)
     SELECT s.id, $1, 'SYM' || (row_number() OVER () % $3), 'LONG', 10, 1, 'PUBLIC',
            'SYM' || (row_number() OVER () % $3), 100, '2026-01-05', k
     FROM strategies s, generate_series(0, $2 - 1) k WHERE s.portfolio_id = $1`,
    [portfolioId, legsPer, symbols],
  );
  await app.ds.query(
    `INSERT INTO market_data (symbol, last_price, price_at, sector)
     SELECT 'SYM' || i, 101.5, now(), 'Technology' FROM generate_series(0, $1 - 1) i ON CONFLICT DO NOTHING`,
    [symbols],
  );
  const tagIds: string[] = (
    await app.ds.query(`SELECT id FROM tags WHERE user_id = $1 AND archived_at IS NULL ORDER BY display_order`, [
      userId,
    ])
  ).map((t: { id: string }) => t.id);
  // Tag links spread over the strategies: link k goes to strategy (k mod n) with a pseudo-random one of the 10 tags
  // (a hash of k, so runs are reproducible); duplicates are skipped.
  await app.ds.query(
    `WITH s AS (SELECT id, row_number() OVER (ORDER BY created_at DESC, id) - 1 AS n
                FROM strategies WHERE portfolio_id = $1)
     INSERT INTO strategy_tags (strategy_id, tag_id)
     SELECT s.id, ($4::uuid[])[1 + abs(hashint4(k)) % 10] FROM generate_series(0, $3 - 1) k JOIN s ON s.n = k % $2
     ON CONFLICT DO NOTHING`,
    [portfolioId, strategies, links, tagIds],
  );
  await app.ds.query(
    `INSERT INTO strategy_metrics (strategy_id, market_value, cost_basis, unrealized_pnl, net_delta, net_gamma,
                                   net_theta, net_vega, payoff, calculated_at)
     SELECT id, 4060, 4000, 60, 40, 0, 0, 0, NULL, now() FROM strategies WHERE portfolio_id = $1`,
    [portfolioId],
  );
  await analyze(app);
  return { portfolioId, tagIds };
}

/**
 * The planner's statistics and the visibility map as autovacuum leaves them on a live database after a bulk load
 * (the generated rows were all inserted moments ago; autovacuum's next pass may be a minute away). Run after each
 * data set, so that no benchmark reads a data set through statistics taken before it existed (a 10,000-strategy
 * portfolio planned as one row made the tag filter a nested loop of 3 s).
 */
async function analyze(app: App) {
  await app.ds.query('VACUUM ANALYZE');
}

/**
 * The options book: `condors` iron condors (4 option legs each: long 90 put, short 95 put, short 105 call, long 110
 * call on one of 20 underlyings, one of three expiries, model-priced from the underlying's price), 2 tags each,
 * metrics computed.
 */
async function generateOptionsBook(app: App, userId: string, name: string, condors: number) {
  const q = (sql: string, params: unknown[] = []) => app.ds.query(sql, params);
  const [{ id: portfolioId }] = await q(`INSERT INTO portfolios (user_id, name) VALUES ($1, $2) RETURNING id`, [
    userId,
    name,
  ]);
  await q(
    `INSERT INTO strategies (portfolio_id, name, type, status, stale, row_version, created_at)
     SELECT $1, 'Iron condor ' || i, 'IRON_CONDOR', 'ACTIVE', false, 1, now() - (i || ' seconds')::interval
     FROM generate_series(1, $2) i`,
    [portfolioId, condors],
  );
  await q(
    `WITH s AS (SELECT id, row_number() OVER (ORDER BY created_at DESC, id) - 1 AS n
                FROM strategies WHERE portfolio_id = $1),
          k(k, pt, ot, strike, entry) AS (VALUES (0, 'LP', 'PUT', 90, 1.10), (1, 'SP', 'PUT', 95, 2.20),
            (2, 'SC', 'CALL', 105, 2.05), (3, 'LC', 'CALL', 110, 0.95))
     INSERT INTO legs (strategy_id, portfolio_id, symbol, position_type, quantity, multiplier, investment_class,
       underlying_symbol, option_type, strike_price, expiration_date, entry_price, entry_date, leg_order)
     SELECT s.id, $1, x.und || to_char(x.exp, 'YYMMDD') || left(k.ot, 1) || lpad((k.strike * 1000)::text, 8, '0'),
       k.pt::position_type, 1, 100, 'OPTIONS', x.und, k.ot::option_type, k.strike, x.exp, k.entry, '2026-01-05', k.k
     FROM s CROSS JOIN k CROSS JOIN LATERAL (SELECT 'OB' || (s.n % 20) AS und,
       (ARRAY['2027-01-15', '2027-03-19', '2027-06-18']::date[])[1 + s.n % 3] AS exp) x`,
    [portfolioId],
  );
  await q(`INSERT INTO market_data (symbol, last_price, price_at, sector)
    SELECT 'OB' || i, 95 + i / 2.0, now(), 'Technology' FROM generate_series(0, 19) i ON CONFLICT DO NOTHING`);
  const tagIds: string[] = (
    await q(`SELECT id FROM tags WHERE user_id = $1 AND archived_at IS NULL ORDER BY display_order`, [userId])
  ).map((t: { id: string }) => t.id);
  await q(
    `WITH s AS (SELECT id, row_number() OVER (ORDER BY created_at DESC, id) - 1 AS n
                FROM strategies WHERE portfolio_id = $1)
     INSERT INTO strategy_tags (strategy_id, tag_id)
     SELECT s.id, ($2::uuid[])[1 + (s.n + d) % 10] FROM s, (VALUES (0), (3)) t(d)`,
    [portfolioId, tagIds],
  );
  const ids: string[] = (await q(`SELECT id FROM strategies WHERE portfolio_id = $1`, [portfolioId])).map(
    (r: { id: string }) => r.id,
  );
  await app.metrics.recompute(ids);
  await analyze(app);
  return { portfolioId: portfolioId as string };
}

/**
 * CPU time (user + system) the process and its live child processes have used so far, in ms (from /proc; ticks of
 * 10 ms).
 */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  return (Number(fields[11]) + Number(fields[12])) * 10 + children.reduce((sum, c) => sum + cpuMsOf(c), 0);
}

/** CPU time the whole machine has been busy so far (all cores, all processes), in ms. */
function machineBusyMs(): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) * 10;
}

/**
 * Throughput of two servers with 10 clients in interleaved rounds, A B, B A, A B, …: this machine's speed drifts (other
 * work, stolen time) by up to 2× within minutes, and measuring A after B as often as B after A lets the drift hit
 * both alike. Each round measures both for `ms`; its ratio is A's throughput ÷ B's. Ratios come back sorted, and
 * each side's throughput and server CPU time per request per round.
 */
async function interleaved(rounds: number, ms: number, a: Side, b: Side, authorization: string) {
  const sides = {
    a: { ...a, rps: [] as number[], cpu: [] as number[] },
    b: { ...b, rps: [] as number[], cpu: [] as number[] },
  };
  const run = (side: Side, time: number) => loadElsewhere({ ...side.job, authorization, clients: 10, ms: time });
  for (const side of [sides.a, sides.b]) await run(side, Math.min(ms, 2000)); // warm-up, not counted
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const side of r % 2 === 0 ? [sides.a, sides.b] : [sides.b, sides.a]) {
      // Each measurement is a new load process on new connections (see load-process.ts).
      const cpu0 = cpuMsOf(side.pid);
      const l = await run(side, ms);
      const name = side === sides.a ? (a.name ?? 'ours') : (b.name ?? 'reference');
      if (l.errors) throw new Error(`${l.errors} failed requests in round ${r + 1} (${name}): ${String(l.firstError)}`);
      side.rps.push(l.rps);
      side.cpu.push((cpuMsOf(side.pid) - cpu0) / l.requests);
    }
    ratios.push(sides.a.rps[r] / sides.b.rps[r]);
    const [ra, rb] = [sides.a.rps[r].toFixed(1), sides.b.rps[r].toFixed(1)];
    console.error(`    round ${r + 1}: ${ra} ÷ ${rb} req/s = ${ratios[r].toFixed(2)}×`);
  }
  const sorted = (xs: number[]) => [...xs].sort((x, y) => x - y);
  return {
    ratios: sorted(ratios),
    a: { rps: sorted(sides.a.rps), cpu: sorted(sides.a.cpu) },
    b: { rps: sorted(sides.b.rps), cpu: sorted(sides.b.cpu) },
  };
}

/** One measurement by a load process of its own (load-process.ts): its result. */
async function loadElsewhere(job: LoadJob): Promise<LoadResult> {
  const child = spawn(process.execPath, [path.join(__dirname, 'load-process.js'), JSON.stringify(job)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`the load process exited with code ${code}`);
  return JSON.parse(out) as LoadResult;
}

/** One server in interleaved rounds: its process (for CPU time) and the request a load process sends it. */
interface Side {
  pid: number;
  job: { url: string; body: string };
  name?: string;
}

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function main() {
  const quick = process.argv.includes('--quick');
  // `--only nested` runs the nested-read section alone (for profiling); BENCH_API_NODE_OPTIONS adds flags to the API
  // process (e.g. --cpu-prof).
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  // `--reference` also measures the reference server (PostGraphile v5) on the same data: see reference.ts.
  const reference = process.argv.includes('--reference');
  // `--rounds n`: interleaved rounds against the reference (at least 6).
  // `--keep`: the benchmark database is not dropped at the end (its URL is printed), to look at its statements.
  const keep = process.argv.includes('--keep');
  const rounds = Math.max(6, Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 6);
  // `--compare <dir>`: this build against another one, in interleaved rounds on the nested pages (see `compare` below).
  const compare = process.argv.includes('--compare')
    ? path.resolve(process.argv[process.argv.indexOf('--compare') + 1])
    : undefined;
  const cfg = loadConfig({
    ...process.env,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    JWT_SECRET: 'bench-secret-bench-secret-bench',
    ADMIN_USERS: 'bench_admin',
    QUEUE_PREFIX: `bench_${randomBytes(3).toString('hex')}`,
  });
  setConfig(cfg);
  const dbName = `bench_${Date.now().toString(36)}`;
  const services = await prepareServices(cfg, { pgDataName: dbName, ephemeral: true });
  const databaseUrl = await ensureDatabase(services.databaseUrl, dbName);
  await migrate(databaseUrl);
  let statements = 0;
  const app = await App.create(cfg, databaseUrl, services.redisUrl, {
    sqlLogger: () => {
      statements++;
    },
  });
  const children: ChildProcess[] = [];
  try {
    const { user } = await app.auth.register({
      email: 'bench@example.com',
      username: 'bench_admin',
      password: 'bench-password',
    });
    const token = (await app.auth.login({ usernameOrEmail: 'bench_admin', password: 'bench-password' }, 'bench')).token;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };

    // ---- the API in its own process, so the load generator does not share its event loop ------------------
    const port = await freePort();
    const startApi = async (apiPort: number, processes: number, dist = path.join(PROJECT_ROOT, 'dist')) => {
      const child = spawn(
        process.execPath,
        [
          // As `npm run start:api` starts it.
          ...API_NODE_FLAGS,
          ...(process.env.BENCH_API_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []),
          path.join(dist, 'src/api.js'),
        ],
        {
          env: {
            ...process.env,
            NODE_ENV: 'production',
            DATABASE_URL: databaseUrl,
            REDIS_URL: services.redisUrl,
            PORT: String(apiPort),
            JWT_SECRET: cfg.JWT_SECRET,
            LOG_LEVEL: process.env.BENCH_API_LOG_LEVEL ?? 'silent',
            ADMIN_USERS: 'bench_admin',
            QUEUE_PREFIX: cfg.QUEUE_PREFIX,
            API_PROCESSES: String(processes),
          },
          stdio: 'inherit',
        },
      );
      children.push(child);
      for (let i = 0; i < 300; i++) {
        if (
          await fetch(`http://127.0.0.1:${apiPort}/healthz`).then(
            (r) => r.ok,
            () => false,
          )
        )
          break;
        await new Promise((r) => setTimeout(r, 100));
      }
      return child;
    };
    const api = await startApi(port, 1);
    const url = `http://127.0.0.1:${port}/graphql`;
    const post = async (query: string, variables: object) => {
      const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      const j = (await r.json()) as { errors?: unknown };
      if (j.errors) throw new Error(JSON.stringify(j.errors));
      return j;
    };

    // The load generator shares the machine: reads are checked on their raw bytes (see postRead).
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const authorization = headers.authorization;
    const readAt = (target: string, query: string, variables: object) =>
      postRead(agent, target, JSON.stringify({ query, variables }), authorization);
    const read = (query: string, variables: object) => readAt(url, query, variables);

    // In-process server: the same requests, counted statement by statement.
    const inproc = await startServer(app, await createSchema(app.pubSub), 0);
    const countStatements = async (query: string, variables: object) => {
      statements = 0;
      const r = await fetch(inproc.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      await r.json();
      return statements;
    };

    const history = () => {
      console.error('history benchmarks');
      return benchHistory({
        app,
        quick,
        generate: (name, n, legsPer) => generate(app, user.id, name, n, legsPer, 0),
        read,
        post,
        countStatements,
        add,
      });
    };
    if (only === 'history') {
      // `--only history`: the timeline and price import benchmarks alone (not recorded).
      await history();
      printTable(rows);
      await inproc.close();
      return;
    }
    // ---- risk analysis (`--only risk` runs it alone) ------------------------------------------------------------
    if (!only || only === 'risk') {
      console.error('risk benchmarks');
      await riskBenchmarks({ app, userId: user.id, quick, add, read, countStatements });
    }
    if (only === 'risk') {
      await inproc.close();
      printTable(rows);
      return;
    }

    // ---- 1. nested read ---------------------------------------------------------------------------------------
    console.error('nested read benchmarks');
    const p500 = await generate(app, user.id, 'Large', 500, 4, 1000);
    const p100 = await generate(app, user.id, 'Medium', 100, 4, 200);
    // The first read of a portfolio also reads its strategies rows, legs and tags in full, and the prices written
    // since the process last read them (PriceBook); later reads find them unchanged. Both are counted, each first read
    // after a price was written, so that both read prices.
    const tick = () =>
      app.ds.query(
        `UPDATE market_data SET last_price = last_price WHERE symbol = (SELECT min(symbol) FROM market_data)`,
      );
    await tick();
    const c500 = await countStatements(NESTED, { p: p500.portfolioId, first: 500 });
    await tick();
    const c100 = await countStatements(NESTED, { p: p100.portfolioId, first: 100 });
    const s500 = await countStatements(NESTED, { p: p500.portfolioId, first: 500 });
    const s100 = await countStatements(NESTED, { p: p100.portfolioId, first: 100 });
    add(
      'nested read (500 strategies, 2,000 legs, 1,000 tag links)',
      'SQL statements / request',
      s500,
      'stmts',
      '≤ 6, constant',
      s500 <= 6 && s500 === s100,
    );
    add(
      'nested read (100 strategies, 400 legs)',
      'SQL statements / request',
      s100,
      'stmts',
      '≤ 6, constant',
      s100 <= 6,
    );
    add(
      'nested read (500 and 100 strategies), first read',
      'SQL statements / request',
      Math.max(c500, c100),
      'stmts',
      '≤ 6, constant',
      c500 <= 6 && c500 === c100,
    );
    /** Single-client latency (500 samples) and 10-client throughput of one read, with the CPU it costs. */
    const measure = async (label: string, pid: number, once: () => Promise<unknown>, targets: boolean) => {
      for (let i = 0; i < 20; i++) await once();
      const seqCpu0 = cpuMsOf(pid);
      // 500 samples: p99 is then the 5th slowest, not the 2nd.
      const seq = await timeSeq(quick ? 30 : 500, once, 0);
      add(label, 'server CPU time / request, 1 client', (cpuMsOf(pid) - seqCpu0) / seq.length, 'ms');
      add(
        label,
        'p50 latency, 1 client',
        percentile(seq, 50),
        'ms',
        targets ? '≤ 10 ms' : undefined,
        targets ? percentile(seq, 50) <= 10 : undefined,
      );
      add(
        label,
        'p99 latency, 1 client',
        percentile(seq, 99),
        'ms',
        targets ? '≤ 30 ms' : undefined,
        targets ? percentile(seq, 99) <= 30 : undefined,
      );
      const [cpu0, busy0, gen0] = [cpuMsOf(pid), machineBusyMs(), process.cpuUsage()];
      const l = await load(10, quick ? 3000 : 10000, once);
      // CPU per request under load: the server process's, and the whole machine's (server, PostgreSQL, load
      // generator). On n cores, n × 1000 / (machine CPU per request) is the most requests per second it can serve.
      add(label, 'server CPU time / request, 10 clients', (cpuMsOf(pid) - cpu0) / l.latencies.length, 'ms');
      add(label, 'machine CPU time / request, 10 clients', (machineBusyMs() - busy0) / l.latencies.length, 'ms');
      const gen = process.cpuUsage(gen0);
      add(label, 'load generator CPU time / request', (gen.user + gen.system) / 1000 / l.latencies.length, 'ms');
      add(
        label,
        'throughput, 10 clients',
        l.rps,
        'req/s',
        targets ? '≥ 800 req/s' : undefined,
        targets ? l.rps >= 800 : undefined,
      );
      add(label, 'p99 latency, 10 clients', percentile(l.latencies, 99), 'ms');
      if (l.errors) throw new Error(`${l.errors} failed requests under load: ${String(l.firstError)}`);
      return l.rps;
    };
    const book = await generateOptionsBook(app, user.id, 'Options book', 100);
    const sBook = await countStatements(NESTED, { p: book.portfolioId, first: 100 });
    add(
      'nested read (options book: 100 iron condors, 400 option legs, 200 tag links)',
      'SQL statements / request',
      sBook,
      'stmts',
      '≤ 6, constant',
      sBook <= 6,
    );
    const readBook = () => read(NESTED, { p: book.portfolioId, first: 100 });
    if (compare) {
      // `--compare <dir>`, instead of this section's measurements: the API compiled in <dir> (another build's
      // `dist/` copied into this checkout, so that it finds node_modules) serves the same database on another port,
      // and the two builds are measured in interleaved rounds (see `interleaved`) on the generic 100-strategy page
      // and the options book (`--only book`: the book alone). `--compare dist` measures this build against itself:
      // the spread of its ratios is the machine's noise.
      const otherPort = await freePort();
      const other = await startApi(otherPort, 1, compare);
      const otherUrl = `http://127.0.0.1:${otherPort}/graphql`;
      const sets = [
        { name: 'generic 100 strategies', portfolioId: p100.portfolioId },
        { name: 'options book', portfolioId: book.portfolioId },
      ].filter((d) => only !== 'book' || d.portfolioId === book.portfolioId);
      for (const d of sets) {
        const vars = { p: d.portfolioId, first: 100 };
        const r = await interleaved(
          rounds,
          quick ? 2000 : 5000,
          { pid: api.pid!, job: { url, body: JSON.stringify({ query: NESTED, variables: vars }) }, name: 'this build' },
          {
            pid: other.pid!,
            job: { url: otherUrl, body: JSON.stringify({ query: NESTED, variables: vars }) },
            name: compare,
          },
          authorization,
        );
        const vs =
          `nested read, ${d.name}: this build vs ${path.relative(PROJECT_ROOT, compare)}, ` +
          `${rounds} interleaved rounds`;
        add(vs, 'throughput ÷ other build, median of rounds', percentile(r.ratios, 50), '×');
        add(vs, 'throughput ÷ other build, lowest round', r.ratios[0], '×');
        add(vs, 'throughput ÷ other build, highest round', r.ratios[r.ratios.length - 1], '×');
        add(vs, 'this build: throughput, median', percentile(r.a.rps, 50), 'req/s');
        add(vs, 'other build: throughput, median', percentile(r.b.rps, 50), 'req/s');
        add(vs, 'this build: server CPU time / request, median', percentile(r.a.cpu, 50), 'ms');
        add(vs, 'this build: server CPU time / request, lowest', r.a.cpu[0], 'ms');
        add(vs, 'this build: server CPU time / request, highest', r.a.cpu[r.a.cpu.length - 1], 'ms');
        add(vs, 'other build: server CPU time / request, median', percentile(r.b.cpu, 50), 'ms');
        add(vs, 'other build: server CPU time / request, lowest', r.b.cpu[0], 'ms');
        add(vs, 'other build: server CPU time / request, highest', r.b.cpu[r.b.cpu.length - 1], 'ms');
      }
      other.kill('SIGTERM');
    }
    // `--only book`: the options book alone (for profiling).
    if (only !== 'book' && !compare) {
      await measure(
        'nested read (100 strategies)',
        api.pid!,
        () => read(NESTED, { p: p100.portfolioId, first: 100 }),
        true,
      );
      await measure(
        'nested read (500 strategies)',
        api.pid!,
        () => read(NESTED, { p: p500.portfolioId, first: 500 }),
        false,
      );
    }
    if (!compare)
      await measure('nested read (options book: 100 iron condors, 400 option legs)', api.pid!, readBook, false);
    if (only !== 'book' && !compare) {
      // One Node process executes on one core: API_PROCESSES=2 serves the same port from two (node:cluster).
      const port2 = await freePort();
      const api2 = await startApi(port2, 2);
      const url2 = `http://127.0.0.1:${port2}/graphql`;
      // Both processes warm up: connections are handed to them in turn.
      await Promise.all(Array.from({ length: 10 }, () => readAt(url2, NESTED, { p: p100.portfolioId, first: 100 })));
      await measure(
        'nested read (100 strategies), API_PROCESSES=2',
        api2.pid!,
        () => readAt(url2, NESTED, { p: p100.portfolioId, first: 100 }),
        false,
      );
      api2.kill('SIGTERM');
    }
    if (reference) {
      // The same pages from the reference server, on the same database: first measured the same way (latency, CPU),
      // then against ours in interleaved rounds (see `interleaved`), on both data sets.
      const ref = await startReference(databaseUrl, await freePort());
      children.push(ref.process);
      const refName = `PostGraphile ${REFERENCE.postgraphile} on Node ${REFERENCE.node}`;
      const sets = [
        {
          name: 'generic: 100 strategies of 4 stock legs, 200 tag links, stored metrics',
          portfolioId: p100.portfolioId,
          target: 1,
        },
        {
          name: 'options book: 100 iron condors, 400 option legs, 200 tag links',
          portfolioId: book.portfolioId,
          target: 2,
        },
      ].filter((d) => only !== 'book' || d.target === 2);
      for (const d of sets) {
        const vars = { p: d.portfolioId, first: 100 };
        const refRead = () => readAt(ref.url, REFERENCE_QUERY, vars);
        const bytes = (await refRead()).length;
        const ours = (await read(NESTED, vars)).length;
        const label = `reference: ${refName}, ${d.name}`;
        await measure(label, ref.process.pid!, refRead, false);
        add(label, `response size (ours: ${(ours / 1024).toFixed(0)} KiB)`, bytes / 1024, 'KiB');
        const r = await interleaved(
          rounds,
          quick ? 2000 : 5000,
          { pid: api.pid!, job: { url, body: JSON.stringify({ query: NESTED, variables: vars }) } },
          {
            pid: ref.process.pid!,
            job: { url: ref.url, body: JSON.stringify({ query: REFERENCE_QUERY, variables: vars }) },
          },
          authorization,
        );
        const vs = `nested read vs the reference, ${d.name}, ${rounds} interleaved rounds`;
        const median = percentile(r.ratios, 50);
        add(
          vs,
          'throughput, 10 clients, ours ÷ reference, median of rounds',
          median,
          '×',
          `≥ ${d.target.toFixed(1)}`,
          median >= d.target,
        );
        add(vs, 'ours ÷ reference, lowest round', r.ratios[0], '×');
        add(vs, 'ours ÷ reference, highest round', r.ratios[r.ratios.length - 1], '×');
        add(vs, 'ours: throughput, median of rounds', percentile(r.a.rps, 50), 'req/s');
        add(vs, 'reference: throughput, median of rounds', percentile(r.b.rps, 50), 'req/s');
        add(vs, 'ours: server CPU time / request, median of rounds', percentile(r.a.cpu, 50), 'ms');
        add(vs, 'reference: server CPU time / request, median of rounds', percentile(r.b.cpu, 50), 'ms');
      }
      ref.process.kill('SIGTERM');
    }

    if (only !== 'nested' && only !== 'book') {
      // ---- 2. tag filter ALL of 3 tags on 10,000 strategies -----------------------------------------------------
      console.error('tag filter benchmark');
      const p10k = await generate(app, user.id, 'Huge', 10000, 1, 30000);
      const t3 = p10k.tagIds.slice(0, 3);
      const sFilter = await countStatements(ALL3, { p: p10k.portfolioId, t: t3 });
      const [{ n: matching }] = await app.ds.query(
        `SELECT count(*)::int AS n
         FROM (SELECT strategy_id FROM strategy_tags WHERE tag_id = ANY($1)
               GROUP BY strategy_id HAVING count(*) = 3) x`,
        [t3],
      );
      const fseq = await timeSeq(quick ? 20 : 100, () => post(ALL3, { p: p10k.portfolioId, t: t3 }));
      add(
        `tag filter ALL of 3 tags (10,000 strategies, 30,000 links, ${matching} match)`,
        'p50 latency',
        percentile(fseq, 50),
        'ms',
        '< 20 ms',
        percentile(fseq, 50) < 20,
      );
      add('tag filter ALL of 3 tags (10,000 strategies)', 'SQL statements / request', sFilter, 'stmts', 'constant');

      // ---- 3. combine and split through the API -----------------------------------------------------------------
      console.error('combine/split benchmark');
      const [{ id: cp }] = await app.ds.query(
        `INSERT INTO portfolios (user_id, name) VALUES ($1, 'Combine') RETURNING id`,
        [user.id],
      );
      const legIds: string[] = [];
      for (const sym of ['QQQ271217C00500000', 'QQQ271217C00520000']) {
        const r = (await post(`mutation($i: CreatePositionInput!) { createPosition(input: $i) { leg { id } } }`, {
          i: {
            portfolioId: cp,
            symbol: sym,
            quantity: sym.endsWith('500000') ? 1 : -1,
            entryPrice: 5,
            entryDate: '2026-01-05',
          },
        })) as any;
        legIds.push(r.data.createPosition.leg.id);
      }
      const combineT: number[] = [];
      const splitT: number[] = [];
      for (let i = 0; i < (quick ? 20 : 100); i++) {
        let t = performance.now();
        const c = (await post(`mutation($l: [ID!]!) { combineLegs(input: { legIds: $l }) { id } }`, {
          l: legIds,
        })) as any;
        combineT.push(performance.now() - t);
        t = performance.now();
        await post(`mutation($id: ID!) { splitStrategy(id: $id) { id } }`, { id: c.data.combineLegs.id });
        splitT.push(performance.now() - t);
      }
      combineT.sort((a, b) => a - b);
      splitT.sort((a, b) => a - b);
      add(
        'combineLegs (2 legs) through the API',
        'p50 latency',
        percentile(combineT, 50),
        'ms',
        '< 20 ms',
        percentile(combineT, 50) < 20,
      );
      add(
        'splitStrategy (2 legs) through the API',
        'p50 latency',
        percentile(splitT, 50),
        'ms',
        '< 20 ms',
        percentile(splitT, 50) < 20,
      );

      // ---- 4. domain: detection and payoff --------------------------------------------------------------------
      console.error('domain benchmarks');
      const legs: LegData[] = [];
      let seed = 7;
      const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      for (let i = 0; i < 10000; i++) {
        const u = `U${Math.floor(rnd() * 500)}`;
        const stock = rnd() < 0.2;
        const optionType = rnd() < 0.5 ? OptionType.CALL : OptionType.PUT;
        const long = rnd() < 0.5;
        legs.push({
          id: `l${i}`,
          symbol: u,
          underlyingSymbol: u,
          investmentClass: stock ? InvestmentClass.PUBLIC : InvestmentClass.OPTIONS,
          positionType: stock
            ? long
              ? PositionType.LONG
              : PositionType.SHORT
            : optionType === OptionType.CALL
              ? long
                ? PositionType.LC
                : PositionType.SC
              : long
                ? PositionType.LP
                : PositionType.SP,
          quantity: new Decimal(stock ? 100 : 1),
          multiplier: stock ? 1 : 100,
          optionType: stock ? null : optionType,
          strikePrice: stock ? null : new Decimal(80 + 5 * Math.floor(rnd() * 8)),
          expirationDate: stock ? null : ['2026-12-18', '2027-01-15'][Math.floor(rnd() * 2)],
          impliedVolatility: null,
          entryPrice: new Decimal(2),
          entryDate: '2026-01-05',
        });
      }
      const t0 = performance.now();
      const found = detectStrategies(legs);
      const cold = performance.now() - t0;
      const dseq = await timeSeq(10, () => detectStrategies(legs), 2);
      add(`detectStrategies (10,000 legs, ${found.length} found)`, 'first call', cold, 'ms', '< 200 ms', cold < 200);
      add(
        'detectStrategies (10,000 legs)',
        'p50 of 10 calls',
        percentile(dseq, 50),
        'ms',
        '< 200 ms',
        percentile(dseq, 50) < 200,
      );
      const six: LegData[] = [
        [OptionType.PUT, 400, PositionType.LP],
        [OptionType.PUT, 410, PositionType.SP],
        [OptionType.CALL, 450, PositionType.SC],
        [OptionType.CALL, 460, PositionType.LC],
        [OptionType.CALL, 470, PositionType.LC],
        [OptionType.PUT, 390, PositionType.SP],
      ].map(([ot, k, pt], i) => ({
        id: `p${i}`,
        symbol: `SPY${k}`,
        underlyingSymbol: 'SPY',
        investmentClass: InvestmentClass.OPTIONS,
        positionType: pt as PositionType,
        quantity: new Decimal(1),
        multiplier: 100,
        optionType: ot as OptionType,
        strikePrice: new Decimal(k as number),
        expirationDate: '2027-01-15',
        impliedVolatility: 0.2,
        entryPrice: new Decimal(3),
        entryDate: '2026-01-05',
      }));
      const env = {
        now: new Date(),
        riskFreeRate: 0.04,
        defaultVolatility: 0.3,
        prices: new Map([['SPY', new Decimal(430)]]),
      };
      const pseq = await timeSeq(1000, () => analyzePayoff(six, env), 100);
      add('analyzePayoff (6 legs, one expiry)', 'p50', percentile(pseq, 50), 'ms', '< 1 ms', percentile(pseq, 50) < 1);

      // ---- 4b. history: timelines computed on read, price imports ------------------------------------------------
      await history();

      // ---- 5. live pipeline (in-process API + worker) ------------------------------------------------------------
      console.error('live pipeline benchmarks');
      const worker = await startWorker(app, { concurrency: 4 });
      const ws = createClient({
        url: `ws://127.0.0.1:${port}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        lazy: false,
        retryAttempts: 0,
      });
      const [{ id: livePortfolio }] = await app.ds.query(
        `INSERT INTO portfolios (user_id, name) VALUES ($1, 'Live') RETURNING id`,
        [user.id],
      );
      const liveLeg = (await post(`mutation($i: CreatePositionInput!) { createPosition(input: $i) { leg { id } } }`, {
        i: { portfolioId: livePortfolio, symbol: 'LIVE', quantity: 10, entryPrice: 5, entryDate: '2026-01-05' },
      })) as any;
      let onEvent: (() => void) | null = null;
      ws.subscribe(
        {
          query: `subscription($p: ID!) { strategyMetricsUpdated(portfolioId: $p) { id metrics { unrealizedPnl } } }`,
          variables: { p: livePortfolio },
        },
        { next: () => onEvent?.(), error: (e) => console.error('subscription error', e), complete: () => undefined },
      );
      await new Promise((r) => setTimeout(r, 300));
      const pushT: number[] = [];
      for (let i = 0; i < (quick ? 20 : 100); i++) {
        const got = new Promise<void>((resolve) => {
          onEvent = resolve;
        });
        const t = performance.now();
        await post(`mutation($id: ID!, $q: Decimal) { updateLeg(id: $id, quantity: $q) { id } }`, {
          id: liveLeg.data.createPosition.leg.id,
          q: 10 + (i % 5) + 1,
        });
        await Promise.race([got, new Promise((_, rej) => setTimeout(() => rej(new Error('push timed out')), 5000))]);
        pushT.push(performance.now() - t);
      }
      pushT.sort((a, b) => a - b);
      add(
        'mutation → subscription push (loopback)',
        'p50',
        percentile(pushT, 50),
        'ms',
        '≤ 30 ms',
        percentile(pushT, 50) <= 30,
      );
      add(
        'mutation → subscription push (loopback)',
        'p99',
        percentile(pushT, 99),
        'ms',
        '≤ 100 ms',
        percentile(pushT, 99) <= 100,
      );

      // Price tick: 100 symbols held by 5,000 strategies, until every strategy's event has been pushed.
      const tick = await generate(app, user.id, 'Tick', 5000, 1, 0, 100);
      await app.ds.query(
        `UPDATE legs SET symbol = 'TK' || substr(symbol, 4), underlying_symbol = 'TK' || substr(underlying_symbol, 4)
         WHERE portfolio_id = $1`,
        [tick.portfolioId],
      );
      const pushed = new Set<string>();
      let allPushed: () => void = () => undefined;
      const done = new Promise<void>((r) => {
        allPushed = r;
      });
      ws.subscribe(
        {
          query: `subscription($p: ID!) { strategyMetricsUpdated(portfolioId: $p) { id } }`,
          variables: { p: tick.portfolioId },
        },
        {
          next: (v: any) => {
            pushed.add(v.data.strategyMetricsUpdated.id);
            if (pushed.size >= 5000) allPushed();
          },
          error: () => undefined,
          complete: () => undefined,
        },
      );
      await new Promise((r) => setTimeout(r, 300));
      const tt = performance.now();
      await post(`mutation($p: [PriceInput!]!) { publishPrices(prices: $p) }`, {
        p: Array.from({ length: 100 }, (_, i) => ({ symbol: `TK${i}`, price: 100 + i / 10 })),
      });
      await Promise.race([done, new Promise((r) => setTimeout(r, 60000))]);
      const tickMs = performance.now() - tt;
      add(
        'price tick: 100 symbols, 5,000 strategies',
        `all pushed (${pushed.size} of 5000)`,
        tickMs,
        'ms',
        '< 3000 ms',
        pushed.size === 5000 && tickMs < 3000,
      );

      // Recomputation throughput of one worker process's code path, without the queue.
      const ids: string[] = (
        await app.ds.query(`SELECT id FROM strategies WHERE portfolio_id = $1`, [tick.portfolioId])
      ).map((r: { id: string }) => r.id);
      const tr = performance.now();
      for (let i = 0; i < ids.length; i += 250) await app.metrics.recompute(ids.slice(i, i + 250));
      const perS = ids.length / ((performance.now() - tr) / 1000);
      add(
        'recomputation (5,000 strategies, chunks of 250)',
        'throughput',
        perS,
        'strategies/s',
        '≥ 2,000/s',
        perS >= 2000,
      );

      // Memory of 1,000 idle subscriptions on the API process.
      const before = rssOf(api.pid!);
      const idle = createClient({
        url: `ws://127.0.0.1:${port}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        lazy: false,
        retryAttempts: 0,
      });
      const subs = Array.from({ length: 1000 }, () =>
        idle.subscribe(
          {
            query: `subscription($p: ID!) { portfolioChanged(portfolioId: $p) { kind } }`,
            variables: { p: livePortfolio },
          },
          { next: () => undefined, error: () => undefined, complete: () => undefined },
        ),
      );
      await new Promise((r) => setTimeout(r, 3000));
      const after = rssOf(api.pid!);
      add(
        '1,000 idle subscriptions',
        'extra RSS of the API process',
        after - before,
        'MB',
        '< 150 MB',
        after - before < 150,
      );
      subs.forEach((d) => d());
      await idle.dispose();
      await ws.dispose();
      await worker.close();
    }
    await inproc.close();

    printTable(rows);
    const memGiB = (os.totalmem() / 2 ** 30).toFixed(0);
    const machine =
      `${os.cpus()[0]?.model ?? 'unknown cpu'} × ${os.cpus().length}, ${memGiB} GiB, ` +
      `Node ${process.version}, ${os.platform()} ${os.release()}`;
    console.log(`\nmachine: ${machine}`);
    // Only full runs are recorded; a single section (--only) is for profiling.
    if (only) return;
    const dir = path.join(PROJECT_ROOT, 'test/bench/results');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), machine, quick, rows }, null, 2));
    writeFileSync(
      path.join(dir, 'latest.json'),
      JSON.stringify({ at: new Date().toISOString(), machine, quick, rows }, null, 2),
    );
    console.log(`results: ${path.relative(PROJECT_ROOT, file)}`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await app.close();
    if (keep) console.error(`kept the benchmark database: ${databaseUrl}`);
    else await dropDatabase(services.databaseUrl, dbName).catch(() => undefined);
    await services.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
