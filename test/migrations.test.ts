import { DataSource } from 'typeorm';
import { Initial1763750000000 } from '../migrations/1763750000000-Initial';
import { createDataSource } from '../src/data-source';
import { dropDatabase, ensureDatabase } from '../src/infra/bootstrap';

/** A database with data from before the trade lifecycle, migrated forward: existing data stays valid. */
describe('TradeLifecycle migration', () => {
  const name = `${process.env.TEST_DATABASE}_mig`;
  afterAll(() => dropDatabase(process.env.TEST_SERVER_URL!, name));

  it('keeps every existing leg OPEN and turns the stored prices into daily bars', async () => {
    const url = await ensureDatabase(process.env.TEST_SERVER_URL!, name);
    const full = createDataSource(url);
    const old = new DataSource({ ...full.options, migrations: [Initial1763750000000] } as typeof full.options);
    await old.initialize();
    await old.runMigrations();
    const [{ id: user }] = await old.query(
      `INSERT INTO users (email, username, password_hash) VALUES ('m@x.io', 'm', 'x') RETURNING id`,
    );
    const [{ id: portfolio }] = await old.query(
      `INSERT INTO portfolios (user_id, name) VALUES ($1, 'P') RETURNING id`,
      [user],
    );
    const [{ id: strategy }] = await old.query(
      `INSERT INTO strategies (portfolio_id, name, type, row_version) VALUES ($1, 'S', 'STANDALONE', 1) RETURNING id`,
      [portfolio],
    );
    await old.query(
      `INSERT INTO legs (strategy_id, portfolio_id, symbol, position_type, quantity, multiplier, investment_class,
         underlying_symbol, entry_price, entry_date, leg_order)
       VALUES ($1, $2, 'MIG', 'LONG', 10, 1, 'PUBLIC', 'MIG', 5, '2026-01-05', 0)`,
      [strategy, portfolio],
    );
    // Tuesday 2026-01-06 in New York: three ticks (the last by time closes); Saturday 2026-01-10: none.
    await old.query(`INSERT INTO prices (symbol, price, at) VALUES
      ('MIG', 6, '2026-01-06T15:00:00Z'), ('MIG', 8, '2026-01-06T20:59:00Z'),
      ('MIG', 4, '2026-01-06T17:00:00Z'), ('MIG', 9, '2026-01-07T03:00:00Z'), ('MIG', 7, '2026-01-10T15:00:00Z')`);
    await old.destroy();

    await full.initialize();
    try {
      // This one, then the read versions (which need nothing of the data).
      expect((await full.runMigrations()).map((m) => m.name)).toEqual([
        'TradeLifecycle1764500000000',
        'ReadVersions1764600000000',
      ]);
      expect(await full.query(`SELECT status, exit_price, exit_date FROM legs`)).toEqual([
        { status: 'OPEN', exit_price: null, exit_date: null },
      ]);
      // 03:00 UTC on the 7th is still the 6th in New York: it is that day's last price.
      expect(
        await full.query(
          `SELECT symbol, date, open::text, high::text, low::text, close::text FROM daily_bars ORDER BY date`,
        ),
      ).toEqual([
        {
          symbol: 'MIG',
          date: '2026-01-06',
          open: '6.00000000',
          high: '9.00000000',
          low: '4.00000000',
          close: '9.00000000',
        },
      ]);
    } finally {
      await full.destroy();
    }
  });
});
