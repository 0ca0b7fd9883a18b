import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The initial schema, generated from the entities and read: every leg has exactly one strategy (NOT NULL FK),
 * tag name/colour rules and money as exact numeric live in the database itself. The case-insensitive unique
 * indexes are expressions TypeORM cannot declare, so they are written here and marked synchronize:false.
 */
export class Initial1763750000000 implements MigrationInterface {
  name = 'Initial1763750000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" character varying(254) NOT NULL,
       "username" character varying(50) NOT NULL, "password_hash" text NOT NULL,
       "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
       CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE TABLE "portfolios" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL,
       "name" character varying(200) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
       "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE,
       CONSTRAINT "CHK_portfolios_name" CHECK (char_length(btrim(name)) BETWEEN 1 AND 200),
       CONSTRAINT "PK_488aa6e9b219d1d9087126871ae" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_57fba72db5ac40768b40f0ecfa" ON "portfolios" ("user_id") `);
    await q.query(
      `CREATE TYPE "public"."strategy_type" AS ENUM('STANDALONE', 'COVERED_CALL', 'PROTECTIVE_PUT', 'COLLAR',
       'VERTICAL_SPREAD', 'IRON_CONDOR', 'IRON_BUTTERFLY', 'BUTTERFLY', 'STRADDLE', 'STRANGLE', 'CALENDAR_SPREAD',
       'DIAGONAL_SPREAD', 'PAIRS_TRADE', 'CUSTOM')`,
    );
    await q.query(`CREATE TYPE "public"."strategy_status" AS ENUM('ACTIVE', 'CLOSED')`);
    await q.query(
      `CREATE TABLE "strategies" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "portfolio_id" uuid NOT NULL,
       "name" character varying(200) NOT NULL, "type" "public"."strategy_type" NOT NULL,
       "status" "public"."strategy_status" NOT NULL DEFAULT 'ACTIVE', "stale" boolean NOT NULL DEFAULT true,
       "row_version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
       "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "closed_at" TIMESTAMP WITH TIME ZONE,
       CONSTRAINT "CHK_strategies_closed" CHECK ((status = 'CLOSED') = (closed_at IS NOT NULL)),
       CONSTRAINT "CHK_strategies_name" CHECK (char_length(name) BETWEEN 1 AND 200),
       CONSTRAINT "PK_9a0d363ddf5b40d080147363238" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_strategies_portfolio_status" ON "strategies" ("portfolio_id", "status", "created_at", "id") `,
    );
    await q.query(
      `CREATE TABLE "strategy_versions" ("strategy_id" uuid NOT NULL, "version" integer NOT NULL,
       "change" character varying(40) NOT NULL, "details" jsonb,
       "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
       CONSTRAINT "PK_7538bcdd306f2bb507d679c8ba3" PRIMARY KEY ("strategy_id", "version"))`,
    );
    await q.query(
      `CREATE TABLE "strategy_lineage" ("ancestor_id" uuid NOT NULL, "descendant_id" uuid NOT NULL,
       "kind" character varying(20) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
       CONSTRAINT "PK_1367d8530ba12141c6f092da1e8" PRIMARY KEY ("ancestor_id", "descendant_id"))`,
    );
    await q.query(`CREATE INDEX "IDX_cc9fa7daeed179cc5e20eef27a" ON "strategy_lineage" ("descendant_id") `);
    await q.query(
      `CREATE TABLE "strategy_metrics" ("strategy_id" uuid NOT NULL, "market_value" numeric(24,8) NOT NULL,
       "cost_basis" numeric(24,8) NOT NULL, "unrealized_pnl" numeric(24,8) NOT NULL,
       "net_delta" double precision NOT NULL, "net_gamma" double precision NOT NULL,
       "net_theta" double precision NOT NULL, "net_vega" double precision NOT NULL, "payoff" jsonb,
       "calculated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
       CONSTRAINT "PK_d15af968e562cd6be397e165ceb" PRIMARY KEY ("strategy_id"))`,
    );
    await q.query(`CREATE TYPE "public"."batch_run_kind" AS ENUM('DAILY', 'RECOMPUTE_ALL', 'IMPORT')`);
    await q.query(
      `CREATE TYPE "public"."batch_run_status" AS ENUM('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'SKIPPED')`,
    );
    await q.query(
      `CREATE TABLE "batch_runs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(),
       "kind" "public"."batch_run_kind" NOT NULL, "status" "public"."batch_run_status" NOT NULL DEFAULT 'QUEUED',
       "user_id" uuid, "portfolio_id" uuid, "total" integer NOT NULL DEFAULT '0',
       "completed" integer NOT NULL DEFAULT '0', "failed" integer NOT NULL DEFAULT '0', "message" text,
       "errors" jsonb NOT NULL, "input" jsonb, "run_date" date, "started_at" TIMESTAMP WITH TIME ZONE,
       "finished_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
       CONSTRAINT "PK_cb9a16f02db4f3234bfaa55f73a" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_batch_runs_kind_status" ON "batch_runs" ("kind", "status") `);
    await q.query(
      `CREATE TABLE "portfolio_snapshots" ("portfolio_id" uuid NOT NULL, "date" date NOT NULL,
       "total_value" numeric(24,8) NOT NULL, "long_value" numeric(24,8) NOT NULL, "short_value" numeric(24,8) NOT NULL,
       "gross_exposure" numeric(24,8) NOT NULL, "net_exposure" numeric(24,8) NOT NULL, "daily_pnl" numeric(24,8),
       "cumulative_pnl" numeric(24,8), "net_delta" double precision NOT NULL,
       CONSTRAINT "PK_f289885d18c589f70e8edfd3bf9" PRIMARY KEY ("portfolio_id", "date"))`,
    );
    await q.query(
      `CREATE TABLE "strategy_daily_pnl" ("strategy_id" uuid NOT NULL, "date" date NOT NULL,
       "pnl" numeric(24,8) NOT NULL, "value" numeric(24,8) NOT NULL, "unrealized_pnl" numeric(24,8) NOT NULL,
       CONSTRAINT "PK_0cf6c52f9b10bc880b36ebc6e3a" PRIMARY KEY ("strategy_id", "date"))`,
    );
    await q.query(`CREATE TYPE "public"."position_type" AS ENUM('LONG', 'SHORT', 'LC', 'LP', 'SC', 'SP')`);
    await q.query(`CREATE TYPE "public"."investment_class" AS ENUM('PUBLIC', 'OPTIONS', 'PRIVATE')`);
    await q.query(`CREATE TYPE "public"."option_type" AS ENUM('CALL', 'PUT')`);
    await q.query(
      `CREATE TABLE "legs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "strategy_id" uuid NOT NULL,
       "portfolio_id" uuid NOT NULL, "symbol" character varying(64) NOT NULL,
       "position_type" "public"."position_type" NOT NULL, "quantity" numeric(24,8) NOT NULL,
       "multiplier" integer NOT NULL, "investment_class" "public"."investment_class" NOT NULL,
       "underlying_symbol" character varying(64) NOT NULL, "option_type" "public"."option_type",
       "strike_price" numeric(24,8), "expiration_date" date, "implied_volatility" double precision,
       "entry_price" numeric(24,8) NOT NULL, "entry_date" date NOT NULL, "leg_order" integer NOT NULL,
       "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
       "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
       CONSTRAINT "CHK_legs_option_shape"
         CHECK ((option_type IS NULL) = (strike_price IS NULL) AND (option_type IS NULL) = (expiration_date IS NULL)),
       CONSTRAINT "CHK_legs_iv"
         CHECK (implied_volatility IS NULL OR (implied_volatility > 0 AND implied_volatility <= 5)),
       CONSTRAINT "CHK_legs_strike" CHECK (strike_price IS NULL OR strike_price > 0),
       CONSTRAINT "CHK_legs_entry_price" CHECK (entry_price >= 0), CONSTRAINT "CHK_legs_quantity" CHECK (quantity > 0),
       CONSTRAINT "PK_bf462bbf1244c07cb9f559090a9" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_3c299fd67c2578bfa068e9ee00" ON "legs" ("portfolio_id") `);
    await q.query(`CREATE INDEX "IDX_5524335469ca6f9c368f11b518" ON "legs" ("underlying_symbol") `);
    await q.query(`CREATE INDEX "IDX_legs_strategy_order" ON "legs" ("strategy_id", "leg_order") `);
    await q.query(
      `CREATE TABLE "market_data" ("symbol" character varying(64) NOT NULL, "last_price" numeric(24,8),
       "price_at" TIMESTAMP WITH TIME ZONE, "sector" character varying(80),
       CONSTRAINT "PK_03f9606e93f9805943eff2bec81" PRIMARY KEY ("symbol"))`,
    );
    await q.query(
      `CREATE TABLE "prices" ("id" BIGSERIAL NOT NULL, "symbol" character varying(64) NOT NULL,
       "price" numeric(24,8) NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL,
       CONSTRAINT "PK_2e40b9e4e631a53cd514d82ccd2" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_prices_symbol_at" ON "prices" ("symbol", "at") `);
    await q.query(
      `CREATE TABLE "m2m_candles" ("strategy_id" uuid NOT NULL, "bucket_start" TIMESTAMP WITH TIME ZONE NOT NULL,
       "open" numeric(24,8) NOT NULL, "high" numeric(24,8) NOT NULL, "low" numeric(24,8) NOT NULL,
       "close" numeric(24,8) NOT NULL,
       CONSTRAINT "PK_657b9621a9fde23c4994117bbca" PRIMARY KEY ("strategy_id", "bucket_start"))`,
    );
    await q.query(
      `CREATE TABLE "tags" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL,
       "name" character varying(50) NOT NULL, "color" character(7) NOT NULL DEFAULT '#4A90E2',
       "description" character varying(500), "display_order" integer NOT NULL DEFAULT '0',
       "archived_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
       "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
       CONSTRAINT "CHK_tags_color" CHECK (color ~ '^#[0-9A-Fa-f]{6}$'),
       CONSTRAINT "CHK_tags_name" CHECK (name ~ '^[A-Za-z0-9 _-]{1,50}$'),
       CONSTRAINT "PK_e7dc17249a1148a1970748eda99" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_74603743868d1e4f4fc2c0225b" ON "tags" ("user_id") `);
    await q.query(
      `CREATE TABLE "strategy_tags" ("strategy_id" uuid NOT NULL, "tag_id" uuid NOT NULL,
       "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
       CONSTRAINT "PK_7633a9a05a2d57d3b8274e66b5f" PRIMARY KEY ("strategy_id", "tag_id"))`,
    );
    await q.query(`CREATE INDEX "IDX_9324fa0fa93737b85f7f7b291c" ON "strategy_tags" ("tag_id") `);
    await q.query(
      `ALTER TABLE "portfolios" ADD CONSTRAINT "FK_57fba72db5ac40768b40f0ecfa1" FOREIGN KEY ("user_id")
       REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "strategies" ADD CONSTRAINT "FK_c6fd114bbd534c5f49fbdb7ab74" FOREIGN KEY ("portfolio_id")
       REFERENCES "portfolios"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "strategy_versions" ADD CONSTRAINT "FK_537595ab6aef33cba842807ea8c" FOREIGN KEY ("strategy_id")
       REFERENCES "strategies"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "strategy_lineage" ADD CONSTRAINT "FK_853f7c32c26b941a50a68b603e2" FOREIGN KEY ("ancestor_id")
       REFERENCES "strategies"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "strategy_lineage" ADD CONSTRAINT "FK_cc9fa7daeed179cc5e20eef27a7" FOREIGN KEY ("descendant_id")
       REFERENCES "strategies"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "strategy_metrics" ADD CONSTRAINT "FK_d15af968e562cd6be397e165ceb" FOREIGN KEY ("strategy_id")
       REFERENCES "strategies"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "portfolio_snapshots" ADD CONSTRAINT "FK_de294421d3b9ba2ba8dc665badd" FOREIGN KEY ("portfolio_id")
       REFERENCES "portfolios"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "strategy_daily_pnl" ADD CONSTRAINT "FK_392e64a65ebc336fb690d2494ff" FOREIGN KEY ("strategy_id")
       REFERENCES "strategies"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "legs" ADD CONSTRAINT "FK_52021372c187ca1d3a07cd09744" FOREIGN KEY ("strategy_id")
       REFERENCES "strategies"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "legs" ADD CONSTRAINT "FK_3c299fd67c2578bfa068e9ee008" FOREIGN KEY ("portfolio_id")
       REFERENCES "portfolios"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "m2m_candles" ADD CONSTRAINT "FK_5b9a2e89ee6db3b36482af3feac" FOREIGN KEY ("strategy_id")
       REFERENCES "strategies"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "tags" ADD CONSTRAINT "FK_74603743868d1e4f4fc2c0225b6" FOREIGN KEY ("user_id")
       REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "strategy_tags" ADD CONSTRAINT "FK_39d7a67a5cf073b5f3ed9e616b4" FOREIGN KEY ("strategy_id")
       REFERENCES "strategies"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "strategy_tags" ADD CONSTRAINT "FK_9324fa0fa93737b85f7f7b291c9" FOREIGN KEY ("tag_id")
       REFERENCES "tags"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(`CREATE UNIQUE INDEX "UQ_users_username_ci" ON "users" (lower("username"))`);
    await q.query(`CREATE UNIQUE INDEX "UQ_users_email_ci" ON "users" (lower("email"))`);
    await q.query(
      `CREATE UNIQUE INDEX "UQ_tags_user_active_name_ci" ON "tags" ("user_id", lower("name"))
       WHERE "archived_at" IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "UQ_tags_user_active_name_ci"`);
    await q.query(`DROP INDEX "UQ_users_email_ci"`);
    await q.query(`DROP INDEX "UQ_users_username_ci"`);
    await q.query(`ALTER TABLE "strategy_tags" DROP CONSTRAINT "FK_9324fa0fa93737b85f7f7b291c9"`);
    await q.query(`ALTER TABLE "strategy_tags" DROP CONSTRAINT "FK_39d7a67a5cf073b5f3ed9e616b4"`);
    await q.query(`ALTER TABLE "tags" DROP CONSTRAINT "FK_74603743868d1e4f4fc2c0225b6"`);
    await q.query(`ALTER TABLE "m2m_candles" DROP CONSTRAINT "FK_5b9a2e89ee6db3b36482af3feac"`);
    await q.query(`ALTER TABLE "legs" DROP CONSTRAINT "FK_3c299fd67c2578bfa068e9ee008"`);
    await q.query(`ALTER TABLE "legs" DROP CONSTRAINT "FK_52021372c187ca1d3a07cd09744"`);
    await q.query(`ALTER TABLE "strategy_daily_pnl" DROP CONSTRAINT "FK_392e64a65ebc336fb690d2494ff"`);
    await q.query(`ALTER TABLE "portfolio_snapshots" DROP CONSTRAINT "FK_de294421d3b9ba2ba8dc665badd"`);
    await q.query(`ALTER TABLE "strategy_metrics" DROP CONSTRAINT "FK_d15af968e562cd6be397e165ceb"`);
    await q.query(`ALTER TABLE "strategy_lineage" DROP CONSTRAINT "FK_cc9fa7daeed179cc5e20eef27a7"`);
    await q.query(`ALTER TABLE "strategy_lineage" DROP CONSTRAINT "FK_853f7c32c26b941a50a68b603e2"`);
    await q.query(`ALTER TABLE "strategy_versions" DROP CONSTRAINT "FK_537595ab6aef33cba842807ea8c"`);
    await q.query(`ALTER TABLE "strategies" DROP CONSTRAINT "FK_c6fd114bbd534c5f49fbdb7ab74"`);
    await q.query(`ALTER TABLE "portfolios" DROP CONSTRAINT "FK_57fba72db5ac40768b40f0ecfa1"`);
    await q.query(`DROP INDEX "public"."IDX_9324fa0fa93737b85f7f7b291c"`);
    await q.query(`DROP TABLE "strategy_tags"`);
    await q.query(`DROP INDEX "public"."IDX_74603743868d1e4f4fc2c0225b"`);
    await q.query(`DROP TABLE "tags"`);
    await q.query(`DROP TABLE "m2m_candles"`);
    await q.query(`DROP INDEX "public"."IDX_prices_symbol_at"`);
    await q.query(`DROP TABLE "prices"`);
    await q.query(`DROP TABLE "market_data"`);
    await q.query(`DROP INDEX "public"."IDX_legs_strategy_order"`);
    await q.query(`DROP INDEX "public"."IDX_5524335469ca6f9c368f11b518"`);
    await q.query(`DROP INDEX "public"."IDX_3c299fd67c2578bfa068e9ee00"`);
    await q.query(`DROP TABLE "legs"`);
    await q.query(`DROP TYPE "public"."option_type"`);
    await q.query(`DROP TYPE "public"."investment_class"`);
    await q.query(`DROP TYPE "public"."position_type"`);
    await q.query(`DROP TABLE "strategy_daily_pnl"`);
    await q.query(`DROP TABLE "portfolio_snapshots"`);
    await q.query(`DROP INDEX "public"."IDX_batch_runs_kind_status"`);
    await q.query(`DROP TABLE "batch_runs"`);
    await q.query(`DROP TYPE "public"."batch_run_status"`);
    await q.query(`DROP TYPE "public"."batch_run_kind"`);
    await q.query(`DROP TABLE "strategy_metrics"`);
    await q.query(`DROP INDEX "public"."IDX_cc9fa7daeed179cc5e20eef27a"`);
    await q.query(`DROP TABLE "strategy_lineage"`);
    await q.query(`DROP TABLE "strategy_versions"`);
    await q.query(`DROP INDEX "public"."IDX_strategies_portfolio_status"`);
    await q.query(`DROP TABLE "strategies"`);
    await q.query(`DROP TYPE "public"."strategy_status"`);
    await q.query(`DROP TYPE "public"."strategy_type"`);
    await q.query(`DROP INDEX "public"."IDX_57fba72db5ac40768b40f0ecfa"`);
    await q.query(`DROP TABLE "portfolios"`);
    await q.query(`DROP TABLE "users"`);
  }
}
