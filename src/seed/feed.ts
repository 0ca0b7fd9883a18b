import 'reflect-metadata';
import Decimal from 'decimal.js';
import { App } from '../app';
import { config } from '../config';
import type { AuthUser } from '../context';
import { redisAnswers } from '../infra/services';
import { MAX_PRICES_PER_CALL, type PriceTick } from '../modules/market-data/market-data.service';
import { gaussian, mulberry32 } from './demo';

/**
 * `npm run feed:simulate`: a SIMULATED price feed for demos. Every second it publishes a random-walk price for
 * every held symbol (tickers of PUBLIC legs and underlyings of options) through the same path as the
 * publishPrices mutation, so the workers recompute metrics and candles and subscriptions fire.
 * These prices are invented; they are not market data.
 *
 * Options (after `--`): --interval <ms> (1000), --vol <per-tick volatility> (0.002), --seed <n> (time based).
 */
const LABEL = '[SIMULATED FEED]';
const FEED_USER: AuthUser = { id: 'feed', username: 'feed', isAdmin: true };
const REFRESH_EVERY = 30; // ticks between re-reading the held symbols
const MEAN_REVERSION = 0.002; // per tick pull towards the starting price, so a long run stays plausible

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
}

function numberArg(name: string, fallback: number, ok: (n: number) => boolean): number {
  const raw = arg(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || !ok(n)) throw new Error(`--${name} ${raw} is not valid`);
  return n;
}

const FEED_COMMAND =
  'DATABASE_URL=postgres://postgres:postgres@127.0.0.1:<port>/strategy_graph REDIS_URL=redis://127.0.0.1:<port> ' +
  'npm run feed:simulate';
const HOW_TO_CONNECT = `It publishes into the database and Redis of a running API, so it needs both:
  ${FEED_COMMAND}
Use the DATABASE_URL and REDIS_URL that \`npm start\` printed (its embedded PostgreSQL and its redis-server
listen on random ports), or your own when you run the API with DATABASE_URL/REDIS_URL set.`;

interface Walk {
  anchor: number;
  log: number;
}

async function main() {
  const cfg = config();
  if (!cfg.DATABASE_URL) {
    console.error(`${LABEL} DATABASE_URL is not set.\n${HOW_TO_CONNECT}`);
    process.exit(2);
  }
  if (!(await redisAnswers(cfg.REDIS_URL))) {
    console.error(`${LABEL} No Redis answers at REDIS_URL=${cfg.REDIS_URL}.\n${HOW_TO_CONNECT}`);
    process.exit(2);
  }
  const intervalMs = numberArg('interval', 1000, (n) => n >= 50);
  const vol = numberArg('vol', 0.002, (n) => n >= 0 && n < 0.2);
  const seed = numberArg('seed', Date.now() % 2 ** 32, Number.isInteger);
  const rand = mulberry32(seed);

  const app = await App.create(cfg, cfg.DATABASE_URL, cfg.REDIS_URL);
  console.log(
    `${LABEL} SIMULATED random-walk prices, NOT market data. ` +
      `Every ${intervalMs} ms, per-tick volatility ${vol}, seed ${seed}. Ctrl-C stops.`,
  );

  const walks = new Map<string, Walk>();
  /** Held symbols: PUBLIC tickers and option underlyings of active strategies; new ones start at their last price. */
  const refresh = async () => {
    const rows: { symbol: string; price: string | null }[] = await app.ds.query(
      `WITH held AS (
         SELECT DISTINCT CASE WHEN l.investment_class = 'OPTIONS' THEN l.underlying_symbol ELSE l.symbol END AS symbol
         FROM legs l
         JOIN strategies s ON s.id = l.strategy_id AND s.status = 'ACTIVE'
         JOIN portfolios p ON p.id = l.portfolio_id AND p.deleted_at IS NULL
         WHERE l.investment_class IN ('PUBLIC', 'OPTIONS') AND l.status = 'OPEN')
       SELECT h.symbol,
              coalesce(m.last_price,
                       (SELECT pr.price FROM prices pr WHERE pr.symbol = h.symbol ORDER BY pr.at DESC LIMIT 1))::text
                AS price
       FROM held h LEFT JOIN market_data m ON m.symbol = h.symbol ORDER BY h.symbol`,
    );
    const held = new Set(rows.map((r) => r.symbol));
    for (const s of [...walks.keys()]) if (!held.has(s)) walks.delete(s);
    for (const r of rows) {
      if (walks.has(r.symbol)) continue;
      const start = r.price && Number(r.price) > 0 ? Number(r.price) : 100;
      walks.set(r.symbol, { anchor: Math.log(start), log: Math.log(start) });
    }
  };

  let tick = 0;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();

  const step = async () => {
    tick++;
    try {
      if (tick === 1 || tick % REFRESH_EVERY === 0) await refresh();
      const at = new Date();
      const ticks: PriceTick[] = [];
      for (const [symbol, w] of walks) {
        w.log += MEAN_REVERSION * (w.anchor - w.log) + vol * gaussian(rand);
        ticks.push({ symbol, price: new Decimal(Math.exp(w.log)).toDecimalPlaces(2), at });
      }
      let published = 0;
      for (let i = 0; i < ticks.length; i += MAX_PRICES_PER_CALL) {
        published += await app.marketData.publish(FEED_USER, ticks.slice(i, i + MAX_PRICES_PER_CALL));
      }
      console.log(`${LABEL} tick ${tick}: ${published} simulated prices published`);
    } catch (e) {
      console.error(`${LABEL} tick ${tick} failed: ${(e as Error).message}`);
    }
  };

  const schedule = () => {
    if (stopping) return;
    const started = Date.now();
    current = step().finally(() => {
      if (!stopping) timer = setTimeout(schedule, Math.max(0, intervalMs - (Date.now() - started)));
    });
  };

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (timer) clearTimeout(timer);
    await current;
    console.log(`${LABEL} ${signal}: stopped after ${tick} ticks`);
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  schedule();
}

main().catch((e) => {
  console.error(`${LABEL} failed: ${(e as Error).message}`);
  process.exit(1);
});
