import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Trade lifecycle and daily prices: legs gain a status (every existing leg stays OPEN) with exit price and date,
 * `daily_bars` holds each symbol's day, and price imports get their own batch run kind. Generated from the entities
 * and read; the bars are backfilled from the price history already stored (the demo's 90 days and any feed), one bar
 * per symbol and weekday in New York time.
 */
export class TradeLifecycle1764500000000 implements MigrationInterface {
  name = 'TradeLifecycle1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "daily_bars" ("symbol" character varying(64) NOT NULL, "date" date NOT NULL,
       "open" numeric(24,8) NOT NULL, "high" numeric(24,8) NOT NULL, "low" numeric(24,8) NOT NULL,
       "close" numeric(24,8) NOT NULL, "volume" numeric(24,4), "close_at" TIMESTAMP WITH TIME ZONE,
       CONSTRAINT "CHK_daily_bars_range" CHECK (low >= 0 AND low <= high AND open >= low AND open <= high
       AND close >= low AND close <= high AND (volume IS NULL OR volume >= 0)),
       CONSTRAINT "PK_652a1451e2a33e1555b99177578" PRIMARY KEY ("symbol", "date"))`,
    );
    await q.query(`CREATE TYPE "public"."leg_status" AS ENUM('OPEN', 'CLOSED')`);
    await q.query(`ALTER TABLE "legs" ADD "status" "public"."leg_status" NOT NULL DEFAULT 'OPEN'`);
    await q.query(`ALTER TABLE "legs" ADD "exit_price" numeric(24,8)`);
    await q.query(`ALTER TABLE "legs" ADD "exit_date" date`);
    await q.query(`DROP INDEX "public"."IDX_batch_runs_kind_status"`);
    await q.query(`ALTER TYPE "public"."batch_run_kind" RENAME TO "batch_run_kind_old"`);
    await q.query(`CREATE TYPE "public"."batch_run_kind" AS ENUM('DAILY', 'RECOMPUTE_ALL', 'IMPORT', 'PRICE_IMPORT')`);
    await q.query(
      `ALTER TABLE "batch_runs" ALTER COLUMN "kind" TYPE "public"."batch_run_kind"
       USING "kind"::"text"::"public"."batch_run_kind"`,
    );
    await q.query(`DROP TYPE "public"."batch_run_kind_old"`);
    await q.query(`CREATE INDEX "IDX_batch_runs_kind_status" ON "batch_runs" ("kind", "status") `);
    await q.query(
      `ALTER TABLE "legs" ADD CONSTRAINT "CHK_legs_exit"
       CHECK ((status = 'CLOSED') = (exit_price IS NOT NULL) AND (exit_price IS NULL) = (exit_date IS NULL)
       AND (exit_price IS NULL OR exit_price >= 0) AND (exit_date IS NULL OR exit_date >= entry_date))`,
    );
    await q.query(
      `INSERT INTO daily_bars (symbol, date, open, high, low, close, close_at)
       SELECT symbol, d, (array_agg(price ORDER BY at, id))[1], max(price), min(price),
              (array_agg(price ORDER BY at DESC, id DESC))[1], max(at)
       FROM (SELECT id, symbol, price, at, (at AT TIME ZONE 'America/New_York')::date AS d FROM prices) p
       WHERE extract(isodow FROM d) < 6
       GROUP BY symbol, d`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "legs" DROP CONSTRAINT "CHK_legs_exit"`);
    await q.query(`DROP INDEX "public"."IDX_batch_runs_kind_status"`);
    await q.query(`DELETE FROM "batch_runs" WHERE "kind" = 'PRICE_IMPORT'`);
    await q.query(`CREATE TYPE "public"."batch_run_kind_old" AS ENUM('DAILY', 'RECOMPUTE_ALL', 'IMPORT')`);
    await q.query(
      `ALTER TABLE "batch_runs" ALTER COLUMN "kind" TYPE "public"."batch_run_kind_old"
       USING "kind"::"text"::"public"."batch_run_kind_old"`,
    );
    await q.query(`DROP TYPE "public"."batch_run_kind"`);
    await q.query(`ALTER TYPE "public"."batch_run_kind_old" RENAME TO "batch_run_kind"`);
    await q.query(`CREATE INDEX "IDX_batch_runs_kind_status" ON "batch_runs" ("kind", "status") `);
    await q.query(`ALTER TABLE "legs" DROP COLUMN "exit_date"`);
    await q.query(`ALTER TABLE "legs" DROP COLUMN "exit_price"`);
    await q.query(`ALTER TABLE "legs" DROP COLUMN "status"`);
    await q.query(`DROP TYPE "public"."leg_status"`);
    await q.query(`DROP TABLE "daily_bars"`);
  }
}
