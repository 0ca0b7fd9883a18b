import { performance } from 'node:perf_hooks';
import type { App } from '../../src/app';
import { isTradingDay } from '../../src/domain/trading-calendar';
import { startWorker } from '../../workers/worker';
import { percentile, timeSeq } from './lib';

export interface HistoryBenchContext {
  app: App;
  quick: boolean;
  /** A portfolio of `strategies` strategies with `legsPer` legs each on SYM0…SYM99 (the bench's generator). */
  generate(name: string, strategies: number, legsPer: number): Promise<{ portfolioId: string }>;
  /** A read through the API process (checked: data, no errors). */
  read(query: string, variables: object): Promise<Buffer>;
  /** A request through the API process, answered as JSON. */
  post(query: string, variables: object): Promise<any>;
  /** SQL statements one request costs (in-process server). */
  countStatements(query: string, variables: object): Promise<number>;
  add(benchmark: string, metric: string, value: number, unit: string, target?: string, pass?: boolean): void;
}

/** The `n` NYSE trading days up to today, oldest first. */
function tradingDays(n: number): string[] {
  const out: string[] = [];
  for (let t = Date.now(); out.length < n; t -= 86_400_000) {
    const d = new Date(t).toISOString().slice(0, 10);
    if (isTradingDay(d)) out.unshift(d);
  }
  return out;
}

const PORTFOLIO_TIMELINE = `query($p: ID!) { portfolio(id: $p) { timeline { date marketValue totalPnl dailyPnl } } }`;
const STRATEGY_TIMELINE = `query($s: ID!) { strategy(id: $s) { timeline { date marketValue totalPnl dailyPnl } } }`;
const IMPORT = `mutation($csv: String!) { importPrices(csv: $csv) { run { id } } }`;
const RUN = `query($id: ID!) { batchRun(id: $id) { status completed failed } }`;

/**
 * History benchmarks (issue "Trades that close"): Portfolio.timeline over 252 trading days for 500 strategies / 2,000
 * legs (a quarter of them closed), Strategy.timeline of a 4-leg strategy, and importPrices (400 symbols × 250 days).
 */
export async function benchHistory(c: HistoryBenchContext): Promise<void> {
  const days = tradingDays(252);
  const { portfolioId } = await c.generate('History', 500, 4);
  await c.app.ds.query(`UPDATE legs SET entry_date = $2 WHERE portfolio_id = $1`, [portfolioId, days[0]]);
  await c.app.ds.query(
    `UPDATE legs SET status = 'CLOSED', exit_price = 104.5, exit_date = $2 WHERE portfolio_id = $1 AND leg_order = 3`,
    [portfolioId, days[120]],
  );
  // Closes of the 100 symbols on every one of the 252 days: a deterministic wave around 100.
  await c.app.ds.query(
    `INSERT INTO daily_bars (symbol, date, open, high, low, close)
     SELECT 'SYM' || s, t.d, x.c, x.c, x.c, x.c
     FROM unnest($1::date[]) WITH ORDINALITY AS t(d, i), generate_series(0, 99) s,
       LATERAL (SELECT round((100 + 10 * sin(t.i / 10.0 + s))::numeric, 2) AS c) x
     ON CONFLICT (symbol, date) DO NOTHING`,
    [days],
  );
  const [{ id: strategyId }] = await c.app.ds.query(`SELECT id FROM strategies WHERE portfolio_id = $1 LIMIT 1`, [
    portfolioId,
  ]);

  const rows = JSON.parse((await c.read(PORTFOLIO_TIMELINE, { p: portfolioId })).toString()).data.portfolio.timeline
    .length;
  const pt = await timeSeq(c.quick ? 10 : 50, () => c.read(PORTFOLIO_TIMELINE, { p: portfolioId }), 3);
  c.add(
    `Portfolio.timeline (${rows} days, 500 strategies, 2,000 legs)`,
    'p50 latency',
    percentile(pt, 50),
    'ms',
    '≤ 150 ms',
    percentile(pt, 50) <= 150,
  );
  const st = await timeSeq(c.quick ? 30 : 200, () => c.read(STRATEGY_TIMELINE, { s: strategyId }), 10);
  c.add(
    'Strategy.timeline (4 legs, 252 days)',
    'p50 latency',
    percentile(st, 50),
    'ms',
    '≤ 10 ms',
    percentile(st, 50) <= 10,
  );
  const sp = await c.countStatements(PORTFOLIO_TIMELINE, { p: portfolioId });
  const ss = await c.countStatements(STRATEGY_TIMELINE, { s: strategyId });
  c.add('Portfolio.timeline / Strategy.timeline', 'SQL statements / request', Math.max(sp, ss), 'stmts', 'constant');

  // importPrices: 400 symbols × 250 days in CSVs under the 2 MiB request limit, until every run has completed.
  const worker = await startWorker(c.app, { concurrency: 1 });
  try {
    const importDays = days.slice(-250);
    const symbols = Array.from({ length: 400 }, (_, i) => `IMP${i}`);
    const csvs: string[] = [];
    for (let i = 0; i < symbols.length; i += 100) {
      const lines = ['symbol,date,open,high,low,close,volume'];
      for (const s of symbols.slice(i, i + 100)) {
        importDays.forEach((d, k) => {
          const close = (50 + ((k * 7 + s.length) % 13)).toFixed(2);
          lines.push(
            `${s},${d},${close},${(Number(close) + 1).toFixed(2)},${(Number(close) - 1).toFixed(2)},${close},1000`,
          );
        });
      }
      csvs.push(lines.join('\n'));
    }
    const t = performance.now();
    const ids: string[] = [];
    for (const csv of csvs) ids.push((await c.post(IMPORT, { csv })).data.importPrices.run.id);
    let imported = 0;
    for (const id of ids) {
      for (;;) {
        const run = (await c.post(RUN, { id })).data.batchRun;
        if (run.status === 'COMPLETED' || run.status === 'FAILED') {
          imported += run.completed;
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const perS = imported / ((performance.now() - t) / 1000);
    c.add(
      `importPrices (400 symbols × 250 days, ${imported} rows in ${csvs.length} calls)`,
      'throughput',
      perS,
      'rows/s',
      '≥ 20,000 rows/s',
      perS >= 20000,
    );
  } finally {
    await worker.close();
  }
}
