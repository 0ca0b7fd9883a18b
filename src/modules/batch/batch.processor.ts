import { parse } from 'csv-parse/sync';
import Decimal from 'decimal.js';
import type { GraphQLError } from 'graphql';
import { EntityNotFoundError, QueryFailedError } from 'typeorm';
import type { App } from '../../app';
import { read } from '../../data-source';
import { rowsOf } from '../../infra/rows';
import type { AuthUser } from '../../context';
import { sumValuations } from '../../domain/valuation';
import { positionSign, type InvestmentClass } from '../../domain/types';
import { buildLeg } from '../leg/leg.service';
import { MAX_TAGS_PER_STRATEGY } from '../tag/tag.rules';
import { checkTagName } from '../tag/tag.service';
import { loadLegViews } from '../leg/leg.loaders';
import type { LegView } from '../leg/leg.rows';
import { PriceSnapshot } from '../market-data/price-snapshot';
import { logger } from '../../logger';
import { UserEntity } from '../auth/user.entity';
import { parseDecimal, parseDateText } from '../../common/scalars';
import { databaseError } from '../../common/errors';
import { PortfolioChangeKind } from '../../common/enums';
import { isTradingDay } from '../../domain/trading-calendar';
import { parseSymbol } from '../market-data/market-data.service';

/** `check(raw)` remembered in `memo`; an Error result is thrown. */
function cached(memo: Map<string, string | Error>, raw: string, check: (raw: string) => string | Error): string {
  let v = memo.get(raw);
  if (v === undefined) memo.set(raw, (v = check(raw)));
  if (v instanceof Error) throw v;
  return v;
}

/** A decimal cell, or an Error naming the column. */
function parseDecimalOr(text: string | undefined, name: string) {
  try {
    return parseDecimal(text ?? '');
  } catch {
    throw new Error(`${name}: not a number: ${JSON.stringify(text ?? '')}`);
  }
}
import { BatchRunEntity, BatchRunKind, BatchRunStatus } from './batch.entity';
import { batchRunRows } from './batch.loaders';
import type { BatchService } from './batch.service';

const IMPORT_COLUMNS = ['ticker', 'quantity', 'entry_price', 'entry_date', 'tags'];
const PRICE_COLUMNS = ['symbol', 'date', 'open', 'high', 'low', 'close'];
/** Rows per upsert statement of a price import. */
const PRICE_CHUNK = 5000;
/** Row errors kept in a run (the count of the others is reported after them). */
const MAX_ERRORS = 1000;

/** Runs a batch run by id: the daily batch, a portfolio recomputation or a CSV import, with progress. */
export class BatchProcessor {
  constructor(
    private readonly app: App,
    private readonly batches: BatchService,
  ) {}

  async run(runId: string): Promise<void> {
    const runs = batchRunRows(this.app.ds);
    const [r] = await read(this.app.ds, `SELECT ${runs.select('r')} FROM batch_runs r WHERE r.id = $1`, [runId]);
    const run = r ? runs.from(r) : null;
    if (!run || run.status === BatchRunStatus.COMPLETED || run.status === BatchRunStatus.SKIPPED) return;
    await this.batches.progress(run, {
      status: BatchRunStatus.RUNNING,
      startedAt: new Date(),
      completed: 0,
      failed: 0,
      errors: [],
    });
    try {
      if (run.kind === BatchRunKind.DAILY) await this.daily(run);
      else if (run.kind === BatchRunKind.RECOMPUTE_ALL) await this.recomputeAll(run);
      else if (run.kind === BatchRunKind.PRICE_IMPORT) await this.importPrices(run);
      else await this.import(run);
      await this.batches.progress(run, {
        status: run.failed && !run.completed ? BatchRunStatus.FAILED : BatchRunStatus.COMPLETED,
        finishedAt: new Date(),
        message: run.message ?? `${run.completed} done, ${run.failed} failed`,
      });
    } catch (e) {
      logger.error({ err: e, runId }, 'batch run failed');
      await this.batches.progress(run, {
        status: BatchRunStatus.FAILED,
        finishedAt: new Date(),
        message: (e as Error).message,
      });
    }
  }

  /** Snapshots and daily P&L for every portfolio (one failing does not stop the others), then housekeeping. */
  private async daily(run: BatchRunEntity): Promise<void> {
    const date = run.runDate ?? new Date().toISOString().slice(0, 10);
    const portfolios = await read<{ id: string }>(
      this.app.ds,
      `SELECT id FROM portfolios WHERE deleted_at IS NULL ORDER BY id`,
      [],
    );
    await this.batches.progress(run, { total: portfolios.length });
    for (const p of portfolios) {
      try {
        await this.snapshot(p.id, date);
        run.completed++;
      } catch (e) {
        run.failed++;
        run.errors = [...run.errors, `portfolio ${p.id}: ${(e as Error).message}`];
      }
      await this.batches.progress(run, { completed: run.completed, failed: run.failed, errors: run.errors });
    }
    const purged = await this.app.tags.purgeArchived();
    const pruned = await this.app.candles.prune(this.app.cfg.M2M_RETENTION_DAYS);
    run.message =
      `${run.completed} portfolios snapshotted, ${run.failed} failed; ` +
      `${purged} archived tags purged, ${pruned} old candles dropped`;
  }

  /** One portfolio's snapshot and its strategies' daily P&L for `date`, in one transaction (idempotent per date). */
  async snapshot(portfolioId: string, date: string, now = new Date()): Promise<void> {
    const ds = this.app.ds;
    const active = await read<{ id: string }>(
      ds,
      `SELECT id FROM strategies WHERE portfolio_id = $1 AND status = 'ACTIVE'`,
      [portfolioId],
    );
    const legs = await loadLegViews(
      ds,
      this.app.legCache,
      'l.strategy_id',
      active.map((s) => s.id),
      new PriceSnapshot(this.app.cfg, now),
    );
    const total = sumValuations(legs);
    const sum = (xs: LegView[]) => xs.reduce((s, l) => s.plus(l.marketValue), new Decimal(0));
    const longValue = sum(legs.filter((l) => positionSign(l.positionType) > 0));
    const shortValue = sum(legs.filter((l) => positionSign(l.positionType) < 0));
    const byStrategy = new Map<string, LegView[]>();
    for (const l of legs) byStrategy.set(l.strategyId, [...(byStrategy.get(l.strategyId) ?? []), l]);
    await this.app.uow.run(async (m) => {
      const [prev]: ({ cumulative_pnl: string | null } | undefined)[] = await m.query(
        `SELECT cumulative_pnl FROM portfolio_snapshots
         WHERE portfolio_id = $1 AND date < $2 ORDER BY date DESC LIMIT 1`,
        [portfolioId, date],
      );
      const cumulative = total.unrealizedPnl;
      await m.query(
        `INSERT INTO portfolio_snapshots (portfolio_id, date, total_value, long_value, short_value, gross_exposure,
           net_exposure, daily_pnl, cumulative_pnl, net_delta)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (portfolio_id, date) DO UPDATE SET total_value = EXCLUDED.total_value,
           long_value = EXCLUDED.long_value, short_value = EXCLUDED.short_value,
           gross_exposure = EXCLUDED.gross_exposure, net_exposure = EXCLUDED.net_exposure,
           daily_pnl = EXCLUDED.daily_pnl, cumulative_pnl = EXCLUDED.cumulative_pnl, net_delta = EXCLUDED.net_delta`,
        [
          portfolioId,
          date,
          total.marketValue.toString(),
          longValue.toString(),
          shortValue.abs().toString(),
          longValue.plus(shortValue.abs()).toString(),
          longValue.plus(shortValue).toString(),
          prev?.cumulative_pnl == null ? null : cumulative.minus(prev.cumulative_pnl).toString(),
          cumulative.toString(),
          total.netDelta,
        ],
      );
      const rows = [...byStrategy].map(([strategyId, xs]) => {
        const t = sumValuations(xs);
        return { strategy_id: strategyId, unrealized: t.unrealizedPnl.toString(), value: t.costBasis.abs().toString() };
      });
      // Daily P&L = today's unrealized P&L minus the last recorded one (the first day counts from entry).
      await m.query(
        `INSERT INTO strategy_daily_pnl (strategy_id, date, pnl, value, unrealized_pnl)
         SELECT x.strategy_id, $2, x.unrealized - coalesce(prev.unrealized_pnl, 0), x.value, x.unrealized
         FROM jsonb_to_recordset($1::jsonb) AS x(strategy_id uuid, unrealized numeric, value numeric)
         LEFT JOIN LATERAL (SELECT unrealized_pnl FROM strategy_daily_pnl d
                            WHERE d.strategy_id = x.strategy_id AND d.date < $2
                            ORDER BY d.date DESC LIMIT 1) prev ON TRUE
         ON CONFLICT (strategy_id, date) DO UPDATE SET pnl = EXCLUDED.pnl, value = EXCLUDED.value,
           unrealized_pnl = EXCLUDED.unrealized_pnl`,
        [JSON.stringify(rows), date],
      );
    });
  }

  private async recomputeAll(run: BatchRunEntity): Promise<void> {
    // A user's run covers one portfolio; an admin's startBatchRun(RECOMPUTE_ALL) covers every live portfolio.
    const rows = await read<{ id: string }>(
      this.app.ds,
      `SELECT s.id FROM strategies s JOIN portfolios p ON p.id = s.portfolio_id AND p.deleted_at IS NULL
       WHERE ($1::uuid IS NULL OR s.portfolio_id = $1) AND s.status = 'ACTIVE' ORDER BY s.id`,
      [run.portfolioId],
    );
    const ids = rows.map((r) => r.id);
    await this.batches.progress(run, { total: ids.length });
    for (let i = 0; i < ids.length; i += 250) {
      const chunk = ids.slice(i, i + 250);
      // A failing chunk is recorded (and its strategies stay stale for the sweeper); the others go on.
      try {
        const result = await this.app.metrics.recompute(chunk);
        await this.app.publishMetrics(result);
        run.completed += chunk.length;
      } catch (e) {
        run.failed += chunk.length;
        run.errors = [...run.errors, `strategies ${i + 1}–${i + chunk.length}: ${(e as Error).message}`];
        logger.warn({ err: e, runId: run.id }, 'recompute chunk failed');
      }
      await this.batches.progress(run, { completed: run.completed, failed: run.failed, errors: run.errors });
    }
  }

  /**
   * importPrices: every row is checked on its own (`row N: reason`), the valid ones are upserted as daily bars in
   * statements of PRICE_CHUNK rows (a later row for the same symbol and day wins). Then the latest prices move forward
   * where a bar is newer than them, and the strategies holding the symbols are recomputed and told.
   */
  private async importPrices(run: BatchRunEntity): Promise<void> {
    const parsed = await this.parseCsv(run, PRICE_COLUMNS, ['volume']);
    if (!parsed) return;
    const { header, records } = parsed;
    const at = (name: string) => header.indexOf(name);
    const [iSymbol, iDate, iOpen, iHigh, iLow, iClose, iVolume] = [...PRICE_COLUMNS, 'volume'].map(at);
    const today = new Date().toISOString().slice(0, 10);
    const bars = new Map<string, string[]>();
    // Symbols and dates repeat on most rows: each distinct text is checked once (the calendar check builds a year).
    const symbolOf = new Map<string, string | Error>();
    const dateOf = new Map<string, string | Error>();
    const errors: string[] = [];
    let failed = 0;
    const price = (r: string[], i: number, name: string) => {
      const v = parseDecimalOr(r[i], name);
      if (v.isNegative()) throw new Error(`${name}: must be ≥ 0`);
      return v;
    };
    for (const [i, r] of records.entries()) {
      try {
        if (r.length !== header.length) throw new Error(`expected ${header.length} columns, got ${r.length}`);
        if (!r[iSymbol]) throw new Error('symbol: missing');
        const symbol = cached(symbolOf, r[iSymbol], (raw) => {
          try {
            return parseSymbol(raw);
          } catch (e) {
            return new Error(`symbol: ${(e as Error).message}`);
          }
        });
        const date = cached(dateOf, r[iDate], (raw) => {
          let d: string;
          try {
            d = parseDateText(raw);
          } catch {
            return new Error(`date: not a real calendar date YYYY-MM-DD: ${JSON.stringify(raw)}`);
          }
          if (d > today) return new Error(`date: ${d} is in the future`);
          return isTradingDay(d) ? d : new Error(`date: ${d} is not an NYSE trading day`);
        });
        const [open, high, low, close] = [
          price(r, iOpen, 'open'),
          price(r, iHigh, 'high'),
          price(r, iLow, 'low'),
          price(r, iClose, 'close'),
        ];
        if (high.lessThan(low)) throw new Error('high is below low');
        if (open.lessThan(low) || open.greaterThan(high)) throw new Error('open is outside low…high');
        if (close.lessThan(low) || close.greaterThan(high)) throw new Error('close is outside low…high');
        const volume = iVolume >= 0 && r[iVolume] ? price(r, iVolume, 'volume').toFixed() : '';
        const cells = [open, high, low, close].map((v) => v.toFixed());
        bars.set(`${symbol}|${date}`, [symbol, date, ...cells, volume]);
      } catch (e) {
        failed++;
        if (errors.length < MAX_ERRORS) errors.push(`row ${i + 1}: ${(e as Error).message}`);
      }
    }
    const more = () => (failed > errors.length ? [`… and ${failed - errors.length} more rows rejected`] : []);
    run.failed = failed;
    run.errors = [...errors, ...more()];
    await this.batches.progress(run, { total: records.length, failed, errors: run.errors });
    const rows = [...bars.values()];
    const col = (k: number, chunk: string[][]) => chunk.map((b) => b[k]);
    for (let i = 0; i < rows.length; i += PRICE_CHUNK) {
      const chunk = rows.slice(i, i + PRICE_CHUNK);
      await this.app.ds.query(
        `INSERT INTO daily_bars (symbol, date, open, high, low, close, volume, close_at)
         SELECT x.symbol, x.date, x.open, x.high, x.low, x.close, nullif(x.volume, '')::numeric, NULL
         FROM unnest($1::text[], $2::date[], $3::numeric[], $4::numeric[], $5::numeric[], $6::numeric[], $7::text[])
           AS x(symbol, date, open, high, low, close, volume)
         ORDER BY x.symbol, x.date
         ON CONFLICT (symbol, date) DO UPDATE SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low,
           close = EXCLUDED.close, volume = EXCLUDED.volume, close_at = NULL`,
        [0, 1, 2, 3, 4, 5, 6].map((k) => col(k, chunk)),
      );
      run.completed += chunk.length;
      await this.batches.progress(run, { completed: run.completed });
    }
    // Rows that repeat a symbol and day count as imported (the last one is the bar).
    run.completed = records.length - failed;
    const symbols = [...new Set(rows.map((r) => r[0]))].sort();
    if (symbols.length) await this.afterPriceImport(symbols);
    run.message =
      `${run.completed} rows imported (${rows.length} daily bars of ${symbols.length} symbols), ` +
      `${failed} rejected`;
    await this.batches.progress(run, { completed: run.completed });
  }

  /**
   * After bars were imported: a bar newer than a symbol's latest price becomes it (dated at 16:00 New York), the active
   * strategies holding the symbols are marked stale and recomputed, and every portfolio holding them hears of it.
   */
  private async afterPriceImport(symbols: string[]): Promise<void> {
    await this.app.uow.run(async (m, c) => {
      await m.query(
        `INSERT INTO market_data (symbol, last_price, price_at)
         SELECT DISTINCT ON (symbol) symbol, close, (date + time '16:00') AT TIME ZONE 'America/New_York'
         FROM daily_bars
         WHERE symbol = ANY($1) ORDER BY symbol, date DESC
         ON CONFLICT (symbol) DO UPDATE SET last_price = EXCLUDED.last_price, price_at = EXCLUDED.price_at
         WHERE market_data.price_at IS NULL OR market_data.price_at < EXCLUDED.price_at`,
        [symbols],
      );
      const [hit]: [{ id: string }[], number] = await m.query(
        `WITH hit AS (SELECT id FROM strategies WHERE status = 'ACTIVE'
                      AND id IN (SELECT strategy_id FROM legs
                                 WHERE status = 'OPEN' AND (symbol = ANY($1) OR underlying_symbol = ANY($1)))
                      ORDER BY id FOR NO KEY UPDATE)
         UPDATE strategies s SET stale = true, row_version = row_version + 1
         FROM hit WHERE s.id = hit.id RETURNING s.id`,
        [symbols],
      );
      hit.forEach((h) => c.recompute.add(h.id));
      const affected: { portfolio_id: string; ids: string[] }[] = await m.query(
        `SELECT l.portfolio_id, array_agg(DISTINCT l.strategy_id) AS ids
         FROM legs l JOIN portfolios p ON p.id = l.portfolio_id AND p.deleted_at IS NULL
         WHERE l.symbol = ANY($1) OR l.underlying_symbol = ANY($1) GROUP BY l.portfolio_id`,
        [symbols],
      );
      for (const a of affected) c.touch(a.portfolio_id, PortfolioChangeKind.PRICES_IMPORTED, a.ids, false);
    });
  }

  /** The CSV of an import run with its lower-cased header; null (reported in the run) when it cannot be used. */
  private async parseCsv(
    run: BatchRunEntity,
    required: string[],
    optional: string[],
  ): Promise<{ header: string[]; records: string[][] } | null> {
    let records: string[][];
    try {
      const csv = (run.input as { csv: string }).csv;
      records = parse(csv, { relax_column_count: true, skip_empty_lines: true, trim: true, bom: true });
    } catch (e) {
      run.errors = [`csv: ${(e as Error).message}`];
      await this.batches.progress(run, {
        failed: 1,
        total: 0,
        errors: run.errors,
        message: 'The CSV could not be parsed',
      });
      return null;
    }
    const header = (records.shift() ?? []).map((h) => h.toLowerCase());
    const missing = required.filter((c) => !header.includes(c));
    if (missing.length) {
      const expected = `${required.join(',')}${optional.map((o) => `[,${o}]`).join('')}`;
      const columns = `column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`;
      run.errors = [`header: missing ${columns} (expected ${expected})`];
      await this.batches.progress(run, { failed: 1, errors: run.errors, message: 'Bad header' });
      return null;
    }
    return { header, records };
  }

  /** Imports every valid row (each in its own transaction); every bad row is reported as `row N: reason`. */
  private async import(run: BatchRunEntity): Promise<void> {
    const parsed = await this.parseCsv(run, IMPORT_COLUMNS, ['investment_class']);
    if (!parsed) return;
    const { header, records } = parsed;
    const col = (r: string[], name: string) => r[header.indexOf(name)] ?? '';
    const owners = rowsOf(this.app.ds, UserEntity, ['id', 'username']);
    const [o] = await read(this.app.ds, `SELECT ${owners.select('u')} FROM users u WHERE u.id = $1`, [run.userId]);
    if (!o) throw new EntityNotFoundError(UserEntity, { id: run.userId });
    const owner = owners.from(o);
    const user: AuthUser = { id: owner.id, username: owner.username, isAdmin: false };
    await this.batches.progress(run, { total: records.length });
    for (const [i, r] of records.entries()) {
      const rowNo = i + 1;
      try {
        if (r.length !== header.length) throw new Error(`expected ${header.length} columns, got ${r.length}`);
        const field = (name: string, f: () => unknown) => {
          try {
            return f();
          } catch (e) {
            throw new Error(`${name}: ${(e as Error).message}`, { cause: e });
          }
        };
        const quantity = field('quantity', () => parseDecimal(col(r, 'quantity'))) as Decimal;
        const entryPrice = field('entry_price', () => parseDecimal(col(r, 'entry_price'))) as Decimal;
        const entryDate = col(r, 'entry_date')
          ? (field('entry_date', () => parseDateText(col(r, 'entry_date'))) as string)
          : null;
        const cls =
          header.includes('investment_class') && col(r, 'investment_class')
            ? col(r, 'investment_class').toUpperCase()
            : null;
        if (cls && !['PUBLIC', 'OPTIONS', 'PRIVATE'].includes(cls))
          throw new Error(`investment_class: must be PUBLIC, OPTIONS or PRIVATE`);
        const tagNames = col(r, 'tags')
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean);
        const position = {
          portfolioId: run.portfolioId!,
          symbol: col(r, 'ticker'),
          quantity,
          entryPrice,
          entryDate,
          investmentClass: cls as InvestmentClass | null,
        };
        // Validate the whole row before writing anything; the tags (created when missing, all or none) are put on
        // the new strategy in the position's own transaction, so a rejected row leaves no position behind.
        buildLeg(position);
        tagNames.forEach(checkTagName);
        if (new Set(tagNames.map((t) => t.toLowerCase())).size > MAX_TAGS_PER_STRATEGY)
          throw new Error(`tags: at most ${MAX_TAGS_PER_STRATEGY} per strategy`);
        const tagIds = tagNames.length ? await this.app.tags.ensureByNames(user, tagNames) : [];
        await this.app.legs.createPosition(user, { ...position, tagIds });
        run.completed++;
      } catch (e) {
        const err = rowError(e, run.id, rowNo);
        const field = err.extensions?.field ? `${err.extensions.field}: ` : '';
        run.failed++;
        run.errors = [...run.errors, `row ${rowNo}: ${field}${err.message}`];
      }
      if (rowNo % 20 === 0 || rowNo === records.length) {
        await this.batches.progress(run, { completed: run.completed, failed: run.failed, errors: run.errors });
      }
    }
    run.message = `${run.completed} rows imported, ${run.failed} rejected`;
  }
}

/**
 * The reason a row was refused, as a client may read it: validation messages as they are, database errors through
 * the one mapping (databaseError), anything else logged and reported without its internals.
 */
function rowError(e: unknown, runId: string, rowNo: number): { message: string; extensions?: Record<string, unknown> } {
  if (e instanceof QueryFailedError || !(e instanceof Error)) {
    const known = databaseError(e);
    if (known) return known;
    logger.error({ err: e, runId, row: rowNo }, 'import row failed unexpectedly');
    return { message: 'could not be stored (an internal error, logged)' };
  }
  return e as GraphQLError;
}
