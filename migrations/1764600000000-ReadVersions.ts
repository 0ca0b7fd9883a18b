import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Versions for the read path's per-process caches (README, "One snapshot per read"), kept by the database itself so
 * that every writer, SQL run by hand included, moves them:
 * - a strategy's row changes whenever one of its legs or tags does: every statement that inserts, updates or deletes
 *   legs or tag links touches the rows of the strategies they belonged to and belong to, and a tag's update touches
 *   the strategies that carry it (after locking them in id order, as the API's own writes do), so the row version a
 *   page reads (xmin) also versions the strategy's legs and tags;
 * - the price clock: one row whose `v` moves, in commit order, with every transaction that writes market_data, and
 *   each market_data row carries the clock of the transaction that last wrote it; `reset_v` moves when rows are
 *   deleted or the table truncated, which a reader cannot see as changed rows. A process that holds the prices at
 *   clock c reads only the rows whose clock is above c, or all of them after a reset.
 * Price writers already serialise on the strategies they mark stale; the clock row adds one lock, taken first.
 */
export class ReadVersions1764600000000 implements MigrationInterface {
  name = 'ReadVersions1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "price_clock" ("id" boolean PRIMARY KEY DEFAULT true CHECK ("id"),
       "v" bigint NOT NULL, "reset_v" bigint NOT NULL)`,
    );
    await q.query(`INSERT INTO "price_clock" ("id", "v", "reset_v") VALUES (true, 1, 1)`);
    await q.query(`ALTER TABLE "market_data" ADD "clock" bigint NOT NULL DEFAULT '0'`);
    await q.query(`CREATE INDEX "IDX_market_data_clock" ON "market_data" ("clock") `);
    // One clock value per transaction: the first row it writes moves the clock (and locks its row until commit, so
    // values follow commit order); the value is kept for the transaction's later rows in a transaction-local setting.
    await q.query(
      `CREATE FUNCTION "market_data_clock"() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE
         mine text := current_setting('app.price_clock_tx', true);
       BEGIN
         IF mine IS NULL OR mine = '' OR split_part(mine, ':', 1) <> txid_current()::text THEN
           UPDATE "price_clock" SET "v" = "v" + 1 RETURNING "v" INTO NEW."clock";
           PERFORM set_config('app.price_clock_tx', txid_current()::text || ':' || NEW."clock", true);
         ELSE
           NEW."clock" := split_part(mine, ':', 2)::bigint;
         END IF;
         RETURN NEW;
       END $$`,
    );
    await q.query(
      `CREATE TRIGGER "market_data_clock" BEFORE INSERT OR UPDATE ON "market_data"
       FOR EACH ROW EXECUTE FUNCTION "market_data_clock"()`,
    );
    await q.query(
      `CREATE FUNCTION "market_data_reset"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE "price_clock" SET "v" = "v" + 1, "reset_v" = "v" + 1;
         RETURN NULL;
       END $$`,
    );
    await q.query(
      `CREATE TRIGGER "market_data_reset" AFTER DELETE OR TRUNCATE ON "market_data"
       FOR EACH STATEMENT EXECUTE FUNCTION "market_data_reset"()`,
    );
    // The strategies of changed legs and tag links, touched once per statement (transition tables), locked in id
    // order first; a tag's change (name, colour, order, archiving) touches every strategy that carries it.
    for (const table of ['legs', 'strategy_tags'])
      for (const [op, tables, ids] of [
        ['INSERT', 'NEW TABLE AS changed', 'SELECT strategy_id FROM changed'],
        [
          'UPDATE',
          'OLD TABLE AS before NEW TABLE AS changed',
          'SELECT strategy_id FROM before UNION SELECT strategy_id FROM changed',
        ],
        ['DELETE', 'OLD TABLE AS before', 'SELECT strategy_id FROM before'],
      ])
        await touchStrategies(q, table, op, tables, ids);
    await touchStrategies(
      q,
      'tags',
      'UPDATE',
      'NEW TABLE AS changed',
      'SELECT strategy_id FROM strategy_tags WHERE tag_id IN (SELECT id FROM changed)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table, op] of TOUCHING) {
      await q.query(`DROP TRIGGER "${table}_touch_strategies_${op}" ON "${table}"`);
      await q.query(`DROP FUNCTION "${table}_touch_strategies_${op}"()`);
    }
    await q.query(`DROP TRIGGER "market_data_reset" ON "market_data"`);
    await q.query(`DROP FUNCTION "market_data_reset"()`);
    await q.query(`DROP TRIGGER "market_data_clock" ON "market_data"`);
    await q.query(`DROP FUNCTION "market_data_clock"()`);
    await q.query(`DROP INDEX "public"."IDX_market_data_clock"`);
    await q.query(`ALTER TABLE "market_data" DROP COLUMN "clock"`);
    await q.query(`DROP TABLE "price_clock"`);
  }
}

/** The triggers that touch strategies, as [table, operation]. */
const TOUCHING = [
  ...['legs', 'strategy_tags'].flatMap((t) => ['insert', 'update', 'delete'].map((op) => [t, op])),
  ['tags', 'update'],
];

/** A statement trigger on `table` after `op` that touches the strategies `ids` selects from its transition tables. */
async function touchStrategies(q: QueryRunner, table: string, op: string, tables: string, ids: string) {
  const fn = `${table}_touch_strategies_${op.toLowerCase()}`;
  await q.query(
    `CREATE FUNCTION "${fn}"() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       PERFORM 1 FROM "strategies" WHERE "id" IN (${ids}) ORDER BY "id" FOR NO KEY UPDATE;
       UPDATE "strategies" SET "row_version" = "row_version" WHERE "id" IN (${ids});
       RETURN NULL;
     END $$`,
  );
  await q.query(
    `CREATE TRIGGER "${fn}" AFTER ${op} ON "${table}" REFERENCING ${tables}
     FOR EACH STATEMENT EXECUTE FUNCTION "${fn}"()`,
  );
}
