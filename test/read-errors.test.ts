/**
 * Issue 12: a database error raised on the read path — a value PostgreSQL rejects, reaching it as a bind parameter of
 * a read statement on the read pool — answers with a mapped API code and message (databaseError), never
 * INTERNAL_SERVER_ERROR or the database's own words, over HTTP and over graphql-ws.
 */
import { createPortfolio, createPosition, err, registerUser, startHarness, subscribe, until } from './helpers/harness';
import type { Harness } from './helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ worker: false });
});
afterAll(() => h.close());

const PAGE = `query($p: ID!, $after: String) {
  portfolio(id: $p) { strategies(first: 5, after: $after) { totalCount edges { node { id legs { id } } } } }
}`;
/** A cursor as the API encodes them ([created_at, id], JSON in base64url), with values of the test's choosing. */
const cursor = (ts: string, id: string) => Buffer.from(JSON.stringify([ts, id])).toString('base64url');

// Each passes the API's cursor check (a timestamp JavaScript can parse, 36 hex digits or dashes) and is refused by
// PostgreSQL's casts in the page statement: SQLSTATE 22P02 (uuid) and 22007 (timestamptz).
const REJECTED = [
  {
    after: cursor('2026-01-01 00:00:00+00', '-'.repeat(36)),
    message: 'Rejected by a database rule: a value has the wrong form',
  },
  {
    after: cursor('1', '00000000-0000-0000-0000-000000000000'),
    message: 'Rejected by a database rule: a date or time has the wrong form',
  },
];

describe('a database error on a read', () => {
  let token: string;
  let portfolioId: string;
  beforeAll(async () => {
    ({ token } = await registerUser(h));
    portfolioId = await createPortfolio(h, token);
    await createPosition(h, token, { portfolioId, symbol: 'AAPL', quantity: 10, entryPrice: '150' });
  });

  it('is raised by PostgreSQL on the strategies page statement and answered with a mapped code over HTTP', async () => {
    for (const { after, message } of REJECTED) {
      h.sql.length = 0;
      const r = await h.gql(PAGE, { p: portfolioId, after }, token);
      expect(err(r)).toMatchObject({ code: 'BAD_USER_INPUT', message });
      expect(JSON.stringify(r)).not.toMatch(/INTERNAL_SERVER_ERROR|invalid input syntax/);
      // The value did reach the database: the page's read statement was sent.
      expect(h.sql.some((s) => s.includes('WITH m AS'))).toBe(true);
    }
    // The same read with a cursor the API made answers.
    const first = await h.gql(PAGE, { p: portfolioId, after: null }, token);
    expect(first.errors).toBeUndefined();
    expect(first.data.portfolio.strategies.totalCount).toBe(1);
  });

  it('is answered with the same mapped code over graphql-ws', async () => {
    const client = h.ws(token);
    for (const { after, message } of REJECTED) {
      const s = subscribe(client, PAGE, { p: portfolioId, after });
      await until(async () => s.errors.length > 0 || s.events.length > 0, 10000, 'an answer');
      expect(s.events).toEqual([]);
      expect(s.errors).toHaveLength(1);
      expect(s.errors[0]).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT' } });
      s.dispose();
    }
  });
});
