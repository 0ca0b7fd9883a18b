/**
 * Issue "Strategies as virtual positions": strategy lifecycle (create, update, close, combine, split,
 * addLeg/removeLeg), history (versions, ancestors, descendants), detection, invariants checked in SQL,
 * concurrency, metrics/payoff and isolation between users — all through the real HTTP API.
 */
import {
  createPortfolio,
  createPosition,
  err,
  ok,
  registerUser,
  startHarness,
  until,
  type GqlResult,
  type Harness,
} from './helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

// ---- helpers -------------------------------------------------------------------------------------------

interface User {
  token: string;
  id: string;
  username: string;
  pid: string;
}
interface Pos {
  legId: string;
  strategyId: string;
}

const S = `id name type status closedAt isSynthetic legCount portfolio { id }
  legs { id symbol legOrder } tags { id name } versions { version change details } ancestors { id } descendants { id }`;

const STRATEGY = `query($id: ID!) { strategy(id: $id) { ${S} } }`;
const CREATE_STRATEGY = `mutation($p: ID!, $n: String!, $t: StrategyType!, $l: [ID!]!) {
  createStrategy(portfolioId: $p, name: $n, type: $t, legIds: $l) { ${S} } }`;
const UPDATE_STRATEGY = `mutation($id: ID!, $n: String, $t: StrategyType) {
  updateStrategy(id: $id, name: $n, type: $t) { ${S} } }`;
const CLOSE_STRATEGY = `mutation($id: ID!) { closeStrategy(id: $id) { ${S} } }`;
const COMBINE = `mutation($i: CombineInput!) { combineLegs(input: $i) { ${S} } }`;
const SPLIT = `mutation($id: ID!) { splitStrategy(id: $id) { ${S} } }`;
const ADD_LEG = `mutation($s: ID!, $l: ID!) { addLeg(strategyId: $s, legId: $l) { ${S} } }`;
const REMOVE_LEG = `mutation($s: ID!, $l: ID!) { removeLeg(strategyId: $s, legId: $l) { ${S} } }`;
const SET_TAGS = `mutation($s: ID!, $t: [ID!]!) {
  setStrategyTags(strategyId: $s, tagIds: $t) { id tags { id name } } }`;
const TAGS = `{ tags { id name } }`;
const DETECT = `query($p: ID!) { detectStrategies(portfolioId: $p) { type suggestedName confidence legs { id } } }`;
const APPLY = `mutation($p: ID!) { applyDetections(portfolioId: $p) { ${S} } }`;
const ACTIVE = `query($p: ID!) { portfolio(id: $p) { strategies(first: 500) {
  totalCount edges { node { id name type status legs { id } tags { name } } } } } }`;
const CREATE_POSITION_FULL = `mutation($i: CreatePositionInput!) {
  createPosition(input: $i) { leg { id } strategy { ${S} } } }`;

async function setup(): Promise<User> {
  const u = await registerUser(h);
  return { ...u, pid: await createPortfolio(h, u.token) };
}

function pos(
  u: User,
  symbol: string,
  quantity: number | string,
  entryPrice: number | string,
  extra: Record<string, unknown> = {},
): Promise<Pos> {
  return createPosition(h, u.token, {
    portfolioId: u.pid,
    symbol,
    quantity: String(quantity),
    entryPrice: String(entryPrice),
    ...extra,
  });
}

async function strategy(u: { token: string }, id: string): Promise<any> {
  return ok(await h.gql(STRATEGY, { id }, u.token)).strategy;
}

const ids = (xs: { id: string }[]) => xs.map((x) => x.id).sort();
const changes = (s: { versions: { change: string }[] }) => s.versions.map((v) => v.change);
const sorted = (xs: string[]) => [...xs].sort();

/** The ACTIVE strategies of a portfolio, as the API lists them. */
async function active(u: { token: string }, pid: string): Promise<any[]> {
  return ok(await h.gql(ACTIVE, { p: pid }, u.token)).portfolio.strategies.edges.map((e: any) => e.node);
}

/** The active strategy holding a leg (through the API). */
async function strategyOfLeg(u: User, legId: string, pid = u.pid): Promise<any> {
  const found = (await active(u, pid)).filter((s) => s.legs.some((l: { id: string }) => l.id === legId));
  expect(found).toHaveLength(1);
  return found[0];
}

async function tagIds(u: { token: string }, ...names: string[]): Promise<string[]> {
  const tags: { id: string; name: string }[] = ok(await h.gql(TAGS, {}, u.token)).tags;
  return names.map((n) => {
    const t = tags.find((x) => x.name === n);
    if (!t) throw new Error(`starter tag ${n} missing`);
    return t.id;
  });
}

/** The iron condor of API.md: short 450C @5, long 460C @2, short 420P @3, long 410P @3, Dec 18 '26. */
async function ironCondor(u: User) {
  return {
    sc: await pos(u, 'SPY261218C00450000', -1, 5),
    lc: await pos(u, 'SPY261218C00460000', 1, 2),
    sp: await pos(u, 'SPY261218P00420000', -1, 3),
    lp: await pos(u, 'SPY261218P00410000', 1, 3),
  };
}

/** Versions are numbered 1..n without gaps, start with 'created', and carry JSON details. */
function expectVersionsWellFormed(s: { versions: { version: number; change: string; details: string | null }[] }) {
  expect(s.versions.map((v) => v.version)).toEqual(s.versions.map((_, i) => i + 1));
  expect(s.versions[0].change).toBe('created');
  for (const v of s.versions) if (v.details != null) expect(() => JSON.parse(v.details!)).not.toThrow();
}

/** The model's invariants for one user's data, read straight from PostgreSQL. */
async function expectInvariants(userId: string) {
  const q = (sql: string) => h.app.ds.query(sql, [userId]);
  // every leg has exactly one strategy, which exists and is of the leg's portfolio
  expect(
    await q(
      `SELECT l.id FROM legs l JOIN portfolios p ON p.id = l.portfolio_id LEFT JOIN strategies s ON s.id = l.strategy_id
     WHERE p.user_id = $1 AND (l.strategy_id IS NULL OR s.id IS NULL OR s.portfolio_id <> l.portfolio_id)`,
    ),
  ).toEqual([]);
  // no ACTIVE strategy without legs
  expect(
    await q(
      `SELECT s.id FROM strategies s JOIN portfolios p ON p.id = s.portfolio_id
     WHERE p.user_id = $1 AND s.status = 'ACTIVE' AND NOT EXISTS (SELECT 1 FROM legs l WHERE l.strategy_id = s.id)`,
    ),
  ).toEqual([]);
  // status and closed_at agree
  expect(
    await q(
      `SELECT s.id FROM strategies s JOIN portfolios p ON p.id = s.portfolio_id
     WHERE p.user_id = $1 AND (s.status = 'CLOSED') <> (s.closed_at IS NOT NULL)`,
    ),
  ).toEqual([]);
  // every strategy has a gap-free history starting with 'created'
  expect(
    await q(
      `SELECT s.id FROM strategies s JOIN portfolios p ON p.id = s.portfolio_id
     LEFT JOIN strategy_versions v ON v.strategy_id = s.id
     WHERE p.user_id = $1 GROUP BY s.id
     HAVING count(v.version) = 0 OR max(v.version) <> count(v.version)
         OR bool_or(v.version = 1 AND v.change = 'created') IS NOT TRUE`,
    ),
  ).toEqual([]);
}

// ---- lifecycle ---------------------------------------------------------------------------------------------

describe('createStrategy / updateStrategy / closeStrategy', () => {
  it('creates a strategy from existing legs, closes the emptied sources and records lineage', async () => {
    const u = await setup();
    const stock = await pos(u, 'AAPL', 100, 150);
    const call = await pos(u, 'AAPL261218C00200000', -1, 5);
    const s = ok(
      await h.gql(
        CREATE_STRATEGY,
        { p: u.pid, n: 'My covered call', t: 'COVERED_CALL', l: [stock.legId, call.legId] },
        u.token,
      ),
    ).createStrategy;

    expect(s).toMatchObject({
      name: 'My covered call',
      type: 'COVERED_CALL',
      status: 'ACTIVE',
      closedAt: null,
      isSynthetic: true,
      legCount: 2,
    });
    expect(s.portfolio.id).toBe(u.pid);
    expect(s.legs.map((l: any) => l.id)).toEqual([stock.legId, call.legId]);
    expect(s.legs.map((l: any) => l.legOrder)).toEqual([0, 1]);
    expect(changes(s)[0]).toBe('created');
    expect(changes(s)).toContain('combined');
    expectVersionsWellFormed(s);
    expect(ids(s.ancestors)).toEqual(sorted([stock.strategyId, call.strategyId]));
    expect(s.descendants).toEqual([]);

    for (const src of [stock.strategyId, call.strategyId]) {
      const old = await strategy(u, src);
      expect(old.status).toBe('CLOSED');
      expect(typeof old.closedAt).toBe('string');
      expect(Number.isNaN(Date.parse(old.closedAt))).toBe(false);
      expect(old.legCount).toBe(0);
      expect(changes(old).at(-1)).toBe('closed');
      expect(ids(old.descendants)).toEqual([s.id]);
    }
    // the portfolio lists only the new strategy as active
    expect((await active(u, u.pid)).map((x) => x.id)).toEqual([s.id]);
    await expectInvariants(u.id);
  });

  it('renames and retypes with one version per change, and rejects bad names', async () => {
    const u = await setup();
    const a = await pos(u, 'MSFT', 10, 400);
    const b = await pos(u, 'GOOGL', -5, 170);
    const s = ok(
      await h.gql(CREATE_STRATEGY, { p: u.pid, n: 'Pair', t: 'CUSTOM', l: [a.legId, b.legId] }, u.token),
    ).createStrategy;

    const renamed = ok(await h.gql(UPDATE_STRATEGY, { id: s.id, n: 'Tech pair' }, u.token)).updateStrategy;
    expect(renamed).toMatchObject({ name: 'Tech pair', type: 'CUSTOM' });
    expect(changes(renamed).at(-1)).toBe('renamed');
    expect(JSON.parse(renamed.versions.at(-1).details)).toMatchObject({ from: 'Pair', to: 'Tech pair' });

    const retyped = ok(await h.gql(UPDATE_STRATEGY, { id: s.id, t: 'PAIRS_TRADE' }, u.token)).updateStrategy;
    expect(retyped).toMatchObject({ name: 'Tech pair', type: 'PAIRS_TRADE' });
    expect(changes(retyped).at(-1)).toBe('retyped');
    expect(JSON.parse(retyped.versions.at(-1).details)).toMatchObject({ from: 'CUSTOM', to: 'PAIRS_TRADE' });

    const both = ok(
      await h.gql(UPDATE_STRATEGY, { id: s.id, n: 'Long MSFT short GOOGL', t: 'CUSTOM' }, u.token),
    ).updateStrategy;
    expect(both).toMatchObject({ name: 'Long MSFT short GOOGL', type: 'CUSTOM' });
    expect(changes(both).slice(-2)).toEqual(['renamed', 'retyped']);
    expectVersionsWellFormed(both);

    // invalid names are rejected and nothing is written
    const before = (await strategy(u, s.id)).versions.length;
    for (const n of ['', '   ', 'x'.repeat(201)]) {
      const r = await h.gql(UPDATE_STRATEGY, { id: s.id, n }, u.token);
      expect(err(r).code).toBe('BAD_USER_INPUT');
    }
    const after = await strategy(u, s.id);
    expect(after.name).toBe('Long MSFT short GOOGL');
    expect(after.versions).toHaveLength(before);
    const bad = await h.gql(CREATE_STRATEGY, { p: u.pid, n: '', t: 'CUSTOM', l: [a.legId] }, u.token);
    expect(err(bad).code).toBe('BAD_USER_INPUT');
    expect((await strategyOfLeg(u, a.legId)).id).toBe(s.id);
  });

  it('closes a strategy once; closing it again is BAD_USER_INPUT', async () => {
    const u = await setup();
    const a = await pos(u, 'NVDA', 20, 120);
    const closed = ok(await h.gql(CLOSE_STRATEGY, { id: a.strategyId }, u.token)).closeStrategy;
    expect(closed.status).toBe('CLOSED');
    expect(closed.closedAt).toEqual(expect.any(String));
    expect(changes(closed).at(-1)).toBe('closed');

    const again = await h.gql(CLOSE_STRATEGY, { id: a.strategyId }, u.token);
    expect(err(again).code).toBe('BAD_USER_INPUT');
    expect(again.data ?? null).toBeNull();
    const still = await strategy(u, a.strategyId);
    expect(still.versions).toHaveLength(closed.versions.length);

    // a closed strategy no longer appears among the active ones, and its legs cannot be moved
    expect(await active(u, u.pid)).toEqual([]);
    const b = await pos(u, 'NVDA', 5, 125);
    const moved = await h.gql(ADD_LEG, { s: b.strategyId, l: a.legId }, u.token);
    expect(err(moved).code).toBe('BAD_USER_INPUT');
    const into = await h.gql(ADD_LEG, { s: a.strategyId, l: b.legId }, u.token);
    expect(err(into).code).toBe('BAD_USER_INPUT');
    expect(err(await h.gql(SPLIT, { id: a.strategyId }, u.token)).code).toBe('BAD_USER_INPUT');
    await expectInvariants(u.id);
  });
});

// ---- combineLegs --------------------------------------------------------------------------------------------

describe('combineLegs', () => {
  it('detects an iron condor when type is null, unions tags, closes sources and records lineage', async () => {
    const u = await setup();
    const ic = await ironCondor(u);
    expect((await strategy(u, ic.sc.strategyId)).name).toBe("Short Call SPY 450 Dec18'26");
    const [growth, income] = await tagIds(u, 'Growth', 'Income');
    ok(await h.gql(SET_TAGS, { s: ic.sc.strategyId, t: [growth] }, u.token));
    ok(await h.gql(SET_TAGS, { s: ic.sp.strategyId, t: [income, growth] }, u.token));

    const legIds = [ic.lp.legId, ic.sp.legId, ic.sc.legId, ic.lc.legId];
    const s = ok(await h.gql(COMBINE, { i: { legIds, type: null } }, u.token)).combineLegs;
    expect(s).toMatchObject({
      type: 'IRON_CONDOR',
      name: "Iron Condor SPY Dec18'26",
      status: 'ACTIVE',
      isSynthetic: true,
      legCount: 4,
    });
    expect(s.legs.map((l: any) => l.id)).toEqual(legIds);
    expect(s.tags.map((t: any) => t.name).sort()).toEqual(['Growth', 'Income']);

    const sources = [ic.sc, ic.lc, ic.sp, ic.lp].map((p) => p.strategyId);
    expect(ids(s.ancestors)).toEqual(sorted(sources));
    const combined = s.versions.find((v: any) => v.change === 'combined');
    expect(sorted(JSON.parse(combined.details).from)).toEqual(sorted(sources));
    for (const src of sources) {
      const old = await strategy(u, src);
      expect(old).toMatchObject({ status: 'CLOSED', legCount: 0 });
      expect(old.closedAt).toEqual(expect.any(String));
      expect(old.descendants.map((d: any) => d.id)).toContain(s.id);
    }
    await expectInvariants(u.id);
  });

  it('uses the given type and name, CUSTOM when nothing matches, and keeps partly emptied sources active', async () => {
    const u = await setup();
    const aapl = await pos(u, 'AAPL', 150, 150);
    const call = await pos(u, 'AAPL261218C00200000', -1, 5);
    // 150 shares + 1 call is no covered call (exactly 100 shares per contract): CUSTOM
    const custom = ok(await h.gql(COMBINE, { i: { legIds: [aapl.legId, call.legId] } }, u.token)).combineLegs;
    expect(custom.type).toBe('CUSTOM');
    expect(custom.name).toBe("Custom AAPL Dec18'26");

    // a given type and name win over detection
    const k = await pos(u, 'KO', 100, 60);
    const p = await pos(u, 'PEP', -60, 170);
    const pair = ok(
      await h.gql(COMBINE, { i: { legIds: [k.legId, p.legId], type: 'PAIRS_TRADE', name: 'KO vs PEP' } }, u.token),
    ).combineLegs;
    expect(pair).toMatchObject({ type: 'PAIRS_TRADE', name: 'KO vs PEP', legCount: 2 });

    // taking one leg out of a 2-leg strategy: that source stays active (one leg left) and records leg_removed
    const x = await pos(u, 'XOM', 10, 110);
    const moved = ok(await h.gql(COMBINE, { i: { legIds: [p.legId, x.legId] } }, u.token)).combineLegs;
    expect(moved.type).toBe('CUSTOM');
    expect(moved.name).toBe('Custom PEP/XOM');
    expect(ids(moved.ancestors)).toEqual(sorted([pair.id, x.strategyId]));
    const rest = await strategy(u, pair.id);
    expect(rest).toMatchObject({ status: 'ACTIVE', legCount: 1, isSynthetic: false, closedAt: null });
    expect(rest.legs.map((l: any) => l.id)).toEqual([k.legId]);
    expect(changes(rest).at(-1)).toBe('leg_removed');
    expect(rest.descendants.map((d: any) => d.id)).toEqual([moved.id]);
    expect((await strategy(u, x.strategyId)).status).toBe('CLOSED');
    await expectInvariants(u.id);
  });

  it("rejects one leg, duplicates, legs of two portfolios and another user's leg, writing nothing", async () => {
    const u = await setup();
    const p2 = await createPortfolio(h, u.token, 'Second');
    const a = await pos(u, 'AAPL', 10, 150);
    const b = await pos(u, 'MSFT', 10, 400);
    const c = await createPosition(h, u.token, { portfolioId: p2, symbol: 'GOOGL', quantity: '3', entryPrice: '170' });
    const other = await setup();
    const o = await pos(other, 'AAPL', 10, 150);

    const one = await h.gql(COMBINE, { i: { legIds: [a.legId] } }, u.token);
    expect(err(one)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'legIds' });
    expect(err(await h.gql(COMBINE, { i: { legIds: [] } }, u.token)).code).toBe('BAD_USER_INPUT');
    expect(err(await h.gql(COMBINE, { i: { legIds: [a.legId, a.legId] } }, u.token)).code).toBe('BAD_USER_INPUT');
    const two = await h.gql(COMBINE, { i: { legIds: [a.legId, c.legId] } }, u.token);
    expect(err(two)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'legIds' });
    const foreign = await h.gql(COMBINE, { i: { legIds: [a.legId, o.legId] } }, u.token);
    expect(err(foreign).code).toBe('NOT_FOUND');
    expect(err(await h.gql(COMBINE, { i: { legIds: [a.legId, 'not-a-uuid'] } }, u.token)).code).toBe('NOT_FOUND');
    const badName = await h.gql(COMBINE, { i: { legIds: [a.legId, b.legId], name: '' } }, u.token);
    expect(err(badName).code).toBe('BAD_USER_INPUT');
    // createStrategy into a portfolio the legs are not in
    const wrongPortfolio = await h.gql(CREATE_STRATEGY, { p: p2, n: 'x', t: 'CUSTOM', l: [a.legId, b.legId] }, u.token);
    expect(err(wrongPortfolio).code).toBe('BAD_USER_INPUT');

    // nothing moved, nothing closed
    for (const [leg, sid, pid] of [
      [a.legId, a.strategyId, u.pid],
      [b.legId, b.strategyId, u.pid],
      [c.legId, c.strategyId, p2],
    ]) {
      expect((await strategyOfLeg(u, leg, pid)).id).toBe(sid);
    }
    const mine = await strategy(other, o.strategyId);
    expect(mine).toMatchObject({ status: 'ACTIVE', legCount: 1 });
    expect(changes(mine)).toEqual(['created']);
    expect(
      await h.app.ds.query(
        `SELECT count(*)::int AS n FROM strategies s JOIN portfolios p ON p.id = s.portfolio_id WHERE p.user_id = $1`,
        [u.id],
      ),
    ).toEqual([{ n: 3 }]);
    await expectInvariants(u.id);
  });
});

// ---- splitStrategy --------------------------------------------------------------------------------------------

describe('splitStrategy', () => {
  it('gives every leg its own STANDALONE strategy keeping the tags, as descendants of the split one', async () => {
    const u = await setup();
    const ic = await ironCondor(u);
    const legIds = [ic.sc.legId, ic.lc.legId, ic.sp.legId, ic.lp.legId];
    const s = ok(await h.gql(COMBINE, { i: { legIds } }, u.token)).combineLegs;
    const [hedge, core] = await tagIds(u, 'Hedge', 'Core');
    ok(await h.gql(SET_TAGS, { s: s.id, t: [hedge, core] }, u.token));

    const parts: any[] = ok(await h.gql(SPLIT, { id: s.id }, u.token)).splitStrategy;
    expect(parts).toHaveLength(4);
    expect(parts.map((p) => p.legs[0].id)).toEqual(legIds);
    expect(parts.map((p) => p.name)).toEqual([
      "Short Call SPY 450 Dec18'26",
      "Long Call SPY 460 Dec18'26",
      "Short Put SPY 420 Dec18'26",
      "Long Put SPY 410 Dec18'26",
    ]);
    for (const p of parts) {
      expect(p).toMatchObject({ type: 'STANDALONE', status: 'ACTIVE', legCount: 1, isSynthetic: false });
      expect(p.tags.map((t: any) => t.name).sort()).toEqual(['Core', 'Hedge']);
      expect((await strategy(u, p.id)).tags.map((t: any) => t.name).sort()).toEqual(['Core', 'Hedge']);
      expect(ids(p.ancestors)).toEqual([s.id]);
      expect(changes(p)[0]).toBe('created');
    }
    const old = await strategy(u, s.id);
    expect(old).toMatchObject({ status: 'CLOSED', legCount: 0 });
    expect(old.closedAt).toEqual(expect.any(String));
    expect(changes(old).at(-1)).toBe('split');
    expect(ids(old.descendants)).toEqual(ids(parts));
    // the split one's own ancestors (the 4 original standalones) are untouched
    expect(old.ancestors).toHaveLength(4);
    await expectInvariants(u.id);
  });

  // Regression: tagsByStrategy once mapped de-duplicated TypeORM entities to raw join rows by index, so strategies
  // loaded together that share a tag got wrong or missing tags.
  it('returns the tags of strategies sharing tags in one request (splitStrategy answer, portfolio list)', async () => {
    const u = await setup();
    const a = await pos(u, 'KO', 10, 60);
    const b = await pos(u, 'PEP', 10, 170);
    const s = ok(await h.gql(COMBINE, { i: { legIds: [a.legId, b.legId] } }, u.token)).combineLegs;
    const [hedge, core] = await tagIds(u, 'Hedge', 'Core');
    ok(await h.gql(SET_TAGS, { s: s.id, t: [hedge, core] }, u.token));
    const parts: any[] = ok(await h.gql(SPLIT, { id: s.id }, u.token)).splitStrategy;
    expect(parts.map((p) => p.tags.map((t: any) => t.name).sort())).toEqual([
      ['Core', 'Hedge'],
      ['Core', 'Hedge'],
    ]);
    const listed = await active(u, u.pid);
    expect(listed.map((x) => x.tags.map((t: any) => t.name).sort())).toEqual([
      ['Core', 'Hedge'],
      ['Core', 'Hedge'],
    ]);
  });

  it('refuses to split a one-leg strategy', async () => {
    const u = await setup();
    const a = await pos(u, 'AMZN', 10, 180);
    const r = await h.gql(SPLIT, { id: a.strategyId }, u.token);
    expect(err(r).code).toBe('BAD_USER_INPUT');
    const s = await strategy(u, a.strategyId);
    expect(s).toMatchObject({ status: 'ACTIVE', legCount: 1 });
    expect(changes(s)).toEqual(['created']);
    expect(s.descendants).toEqual([]);
  });
});

// ---- addLeg / removeLeg / createPosition into a strategy ---------------------------------------------------

describe('addLeg / removeLeg', () => {
  it('moves legs between strategies with leg_added / leg_removed and closes emptied sources', async () => {
    const u = await setup();
    const lc = await pos(u, 'SPY261218C00450000', 1, 10);
    const sc = await pos(u, 'SPY261218C00460000', -1, 6);
    const vertical = ok(await h.gql(COMBINE, { i: { legIds: [lc.legId, sc.legId] } }, u.token)).combineLegs;
    expect(vertical.type).toBe('VERTICAL_SPREAD');

    const extra = await pos(u, 'SPY', 100, 440);
    const added = ok(await h.gql(ADD_LEG, { s: vertical.id, l: extra.legId }, u.token)).addLeg;
    expect(added.id).toBe(vertical.id);
    expect(added.legs.map((l: any) => l.id)).toEqual([lc.legId, sc.legId, extra.legId]);
    expect(added.legs.map((l: any) => l.legOrder)).toEqual([0, 1, 2]);
    expect(changes(added).at(-1)).toBe('leg_added');
    expect(JSON.parse(added.versions.at(-1).details)).toMatchObject({ legId: extra.legId, from: extra.strategyId });
    const emptied = await strategy(u, extra.strategyId);
    expect(emptied).toMatchObject({ status: 'CLOSED', legCount: 0 });
    expect(emptied.closedAt).toEqual(expect.any(String));
    expect(changes(emptied).at(-1)).toBe('closed');

    // adding a leg that is already there, or of another portfolio
    expect(err(await h.gql(ADD_LEG, { s: vertical.id, l: extra.legId }, u.token)).code).toBe('BAD_USER_INPUT');
    const p2 = await createPortfolio(h, u.token, 'Other');
    const far = await createPosition(h, u.token, { portfolioId: p2, symbol: 'SPY', quantity: '1', entryPrice: '440' });
    expect(err(await h.gql(ADD_LEG, { s: vertical.id, l: far.legId }, u.token)).code).toBe('BAD_USER_INPUT');
    expect((await strategyOfLeg(u, far.legId, p2)).id).toBe(far.strategyId);

    // removing: the leg gets its own STANDALONE strategy
    const removed = ok(await h.gql(REMOVE_LEG, { s: vertical.id, l: extra.legId }, u.token)).removeLeg;
    expect(removed.id).toBe(vertical.id);
    expect(removed).toMatchObject({ status: 'ACTIVE', legCount: 2 });
    expect(changes(removed).at(-1)).toBe('leg_removed');
    const own = await strategyOfLeg(u, extra.legId);
    expect(own).toMatchObject({ name: 'Long SPY', type: 'STANDALONE', status: 'ACTIVE' });
    expect(own.id).not.toBe(extra.strategyId);
    expect(own.legs).toHaveLength(1);
    expect(err(await h.gql(REMOVE_LEG, { s: vertical.id, l: extra.legId }, u.token)).code).toBe('BAD_USER_INPUT');

    // removing the last leg but one: the source keeps one leg; then the last one closes it
    ok(await h.gql(REMOVE_LEG, { s: vertical.id, l: sc.legId }, u.token));
    const single = await strategy(u, vertical.id);
    expect(single).toMatchObject({ status: 'ACTIVE', legCount: 1, isSynthetic: false });
    const last = ok(await h.gql(REMOVE_LEG, { s: vertical.id, l: lc.legId }, u.token)).removeLeg;
    expect(last).toMatchObject({ status: 'CLOSED', legCount: 0 });
    expect(changes(last).at(-1)).toBe('closed');
    expect((await strategyOfLeg(u, lc.legId)).name).toBe("Long Call SPY 450 Dec18'26");
    expect((await strategyOfLeg(u, sc.legId)).name).toBe("Short Call SPY 460 Dec18'26");
    expectVersionsWellFormed(last);
    await expectInvariants(u.id);
  });

  it('createPosition with strategyId joins that strategy (and is refused for a closed one)', async () => {
    const u = await setup();
    const stock = await pos(u, 'AAPL', 100, 150);
    const r = ok(
      await h.gql(
        CREATE_POSITION_FULL,
        {
          i: {
            portfolioId: u.pid,
            symbol: 'AAPL261218C00200000',
            quantity: '-1',
            entryPrice: '5',
            entryDate: '2026-01-05',
            strategyId: stock.strategyId,
          },
        },
        u.token,
      ),
    ).createPosition;
    expect(r.strategy.id).toBe(stock.strategyId);
    expect(r.strategy).toMatchObject({ legCount: 2, isSynthetic: true, type: 'COVERED_CALL', status: 'ACTIVE' });
    expect(r.strategy.legs.map((l: any) => l.id)).toEqual([stock.legId, r.leg.id]);
    expect(changes(r.strategy)).toEqual(['created', 'leg_added']);
    expect((await active(u, u.pid)).map((s) => s.id)).toEqual([stock.strategyId]);

    ok(await h.gql(CLOSE_STRATEGY, { id: stock.strategyId }, u.token));
    const refused = await h.gql(
      CREATE_POSITION_FULL,
      {
        i: { portfolioId: u.pid, symbol: 'AAPL', quantity: '1', entryPrice: '150', strategyId: stock.strategyId },
      },
      u.token,
    );
    expect(err(refused).code).toBe('BAD_USER_INPUT');
    expect((await strategy(u, stock.strategyId)).legCount).toBe(2);

    // a strategy of another portfolio of the same user
    const p2 = await createPortfolio(h, u.token, 'Two');
    const other = await pos(u, 'MSFT', 1, 400);
    const cross = await h.gql(
      CREATE_POSITION_FULL,
      {
        i: { portfolioId: p2, symbol: 'MSFT', quantity: '1', entryPrice: '400', strategyId: other.strategyId },
      },
      u.token,
    );
    expect(err(cross).code).toBe('BAD_USER_INPUT');
    expect((await strategy(u, other.strategyId)).legCount).toBe(1);
    await expectInvariants(u.id);
  });
});

// ---- history, detection, templates --------------------------------------------------------------------

describe('history, detection and templates', () => {
  it('answers versions, ancestors and descendants from history across a chain of operations', async () => {
    const u = await setup();
    const a = await pos(u, 'AAPL', 100, 150);
    const b = await pos(u, 'AAPL261218P00140000', 1, 4);
    const c = await pos(u, 'AAPL261218C00180000', -1, 3);
    const first = ok(await h.gql(COMBINE, { i: { legIds: [a.legId, b.legId] } }, u.token)).combineLegs;
    expect(first.type).toBe('PROTECTIVE_PUT');
    const collar = ok(await h.gql(COMBINE, { i: { legIds: [a.legId, b.legId, c.legId] } }, u.token)).combineLegs;
    expect(collar.type).toBe('COLLAR');
    expect(collar.name).toBe("Collar AAPL Dec18'26");
    const parts: any[] = ok(await h.gql(SPLIT, { id: collar.id }, u.token)).splitStrategy;

    const A = await strategy(u, a.strategyId);
    expect(ids(A.descendants)).toEqual([first.id]);
    const F = await strategy(u, first.id);
    expect(ids(F.ancestors)).toEqual(sorted([a.strategyId, b.strategyId]));
    expect(ids(F.descendants)).toEqual([collar.id]);
    expect(changes(F)).toEqual(['created', 'combined', 'closed']);
    const C = await strategy(u, collar.id);
    expect(ids(C.ancestors)).toEqual(sorted([first.id, c.strategyId]));
    expect(ids(C.descendants)).toEqual(ids(parts));
    expect(changes(C)).toEqual(['created', 'combined', 'split']);
    for (const s of [A, F, C, ...parts]) expectVersionsWellFormed(s);
    await expectInvariants(u.id);
  });

  it('detects a covered call and applies it', async () => {
    const u = await setup();
    const stock = await pos(u, 'AAPL', 100, 150);
    const call = await pos(u, 'AAPL261218C00200000', -1, 5);
    await pos(u, 'MSFT', 10, 400); // matches nothing

    const found: any[] = ok(await h.gql(DETECT, { p: u.pid }, u.token)).detectStrategies;
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ type: 'COVERED_CALL', suggestedName: "Covered Call AAPL Dec18'26" });
    expect(found[0].confidence).toBeGreaterThan(0);
    expect(found[0].confidence).toBeLessThanOrEqual(1);
    expect(ids(found[0].legs)).toEqual(sorted([stock.legId, call.legId]));

    const applied: any[] = ok(await h.gql(APPLY, { p: u.pid }, u.token)).applyDetections;
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({
      type: 'COVERED_CALL',
      name: "Covered Call AAPL Dec18'26",
      legCount: 2,
      status: 'ACTIVE',
    });
    expect(ids(applied[0].ancestors)).toEqual(sorted([stock.strategyId, call.strategyId]));
    expect((await strategy(u, stock.strategyId)).status).toBe('CLOSED');
    // the legs are no longer standalone: nothing left to detect or apply
    expect(ok(await h.gql(DETECT, { p: u.pid }, u.token)).detectStrategies).toEqual([]);
    expect(ok(await h.gql(APPLY, { p: u.pid }, u.token)).applyDetections).toEqual([]);
    await expectInvariants(u.id);
  });

  it('does not detect a covered call on 150 shares and 1 call', async () => {
    const u = await setup();
    const stock = await pos(u, 'AAPL', 150, 150);
    const call = await pos(u, 'AAPL261218C00200000', -1, 5);
    expect(ok(await h.gql(DETECT, { p: u.pid }, u.token)).detectStrategies).toEqual([]);
    expect(ok(await h.gql(APPLY, { p: u.pid }, u.token)).applyDetections).toEqual([]);
    expect(await strategy(u, stock.strategyId)).toMatchObject({ type: 'STANDALONE', status: 'ACTIVE', legCount: 1 });
    expect(await strategy(u, call.strategyId)).toMatchObject({ type: 'STANDALONE', status: 'ACTIVE', legCount: 1 });
  });

  it('lists a template for every StrategyType', async () => {
    const u = await setup();
    const d = ok(
      await h.gql(
        `{ strategyTemplates { type description legCount legs } __type(name: "StrategyType") { enumValues { name } } }`,
        {},
        u.token,
      ),
    );
    const types = d.__type.enumValues.map((v: any) => v.name).sort();
    expect(types).toHaveLength(14);
    expect(d.strategyTemplates.map((t: any) => t.type).sort()).toEqual(types);
    for (const t of d.strategyTemplates) {
      expect(t.description.length).toBeGreaterThan(0);
      expect(t.legs).toHaveLength(t.legCount);
    }
    expect(d.strategyTemplates.find((t: any) => t.type === 'IRON_CONDOR').legCount).toBe(4);
    expect(err(await h.gql(`{ strategyTemplates { type } }`)).code).toBe('UNAUTHENTICATED');
  });
});

// ---- invariants and concurrency -------------------------------------------------------------------------

describe('invariants', () => {
  it('hold after a sequence of operations, and the database itself enforces one strategy per leg', async () => {
    const u = await setup();
    const ic = await ironCondor(u);
    const s = ok(
      await h.gql(COMBINE, { i: { legIds: [ic.sc.legId, ic.lc.legId, ic.sp.legId, ic.lp.legId] } }, u.token),
    ).combineLegs;
    ok(await h.gql(REMOVE_LEG, { s: s.id, l: ic.lp.legId }, u.token));
    const stock = await pos(u, 'SPY', 100, 440);
    ok(await h.gql(ADD_LEG, { s: s.id, l: stock.legId }, u.token));
    const parts: any[] = ok(await h.gql(SPLIT, { id: s.id }, u.token)).splitStrategy;
    ok(await h.gql(COMBINE, { i: { legIds: [parts[0].legs[0].id, parts[1].legs[0].id] } }, u.token));
    ok(await h.gql(CLOSE_STRATEGY, { id: parts[2].id }, u.token));
    await expectInvariants(u.id);

    const legs: { n: number }[] = await h.app.ds.query(
      `SELECT count(*)::int AS n FROM legs l JOIN portfolios p ON p.id = l.portfolio_id WHERE p.user_id = $1`,
      [u.id],
    );
    expect(legs).toEqual([{ n: 5 }]);

    // legs.strategy_id: NOT NULL, a foreign key to strategies
    const col = await h.app.ds.query(
      `SELECT is_nullable FROM information_schema.columns WHERE table_name = 'legs' AND column_name = 'strategy_id'`,
    );
    expect(col).toEqual([{ is_nullable: 'NO' }]);
    await expect(h.app.ds.query(`UPDATE legs SET strategy_id = NULL WHERE id = $1`, [stock.legId])).rejects.toThrow();
    await expect(
      h.app.ds.query(`UPDATE legs SET strategy_id = gen_random_uuid() WHERE id = $1`, [stock.legId]),
    ).rejects.toThrow();
    await expectInvariants(u.id);
  });
});

describe('concurrency', () => {
  const ALLOWED = new Set(['BAD_USER_INPUT', 'CONFLICT']);

  it('parallel combineLegs/addLeg/removeLeg on shared legs leave each leg in exactly one active strategy', async () => {
    for (let round = 0; round < 3; round++) {
      const u = await setup();
      const L: Pos[] = [];
      for (const sym of ['KO', 'PEP', 'XOM', 'CVX', 'T', 'VZ']) L.push(await pos(u, sym, 10, 50));
      const A = ok(await h.gql(COMBINE, { i: { legIds: [L[0].legId, L[1].legId] } }, u.token)).combineLegs.id;
      const B = ok(await h.gql(COMBINE, { i: { legIds: [L[2].legId, L[3].legId] } }, u.token)).combineLegs.id;
      const leg = (i: number) => L[i].legId;

      const ops: [string, string, Record<string, unknown>][] = [
        ['combineLegs', COMBINE, { i: { legIds: [leg(0), leg(2)] } }],
        ['combineLegs', COMBINE, { i: { legIds: [leg(1), leg(4)] } }],
        ['combineLegs', COMBINE, { i: { legIds: [leg(3), leg(5)] } }],
        ['combineLegs', COMBINE, { i: { legIds: [leg(0), leg(5)] } }],
        ['addLeg', ADD_LEG, { s: A, l: leg(4) }],
        ['addLeg', ADD_LEG, { s: B, l: leg(0) }],
        ['addLeg', ADD_LEG, { s: A, l: leg(5) }],
        ['addLeg', ADD_LEG, { s: B, l: leg(1) }],
        ['combineLegs', COMBINE, { i: { legIds: [leg(2), leg(3), leg(4)] } }],
        ['removeLeg', REMOVE_LEG, { s: A, l: leg(1) }],
      ];
      const results: GqlResult[] = await Promise.all(ops.map(([, q, v]) => h.gql(q, v, u.token)));

      let succeeded = 0;
      results.forEach((r, i) => {
        const name = ops[i][0];
        if (r.errors?.length) {
          // a clear, client-facing error: never INTERNAL_SERVER_ERROR
          expect({ op: i, name, code: err(r).code }).toEqual({
            op: i,
            name,
            code: expect.stringMatching(/^(BAD_USER_INPUT|CONFLICT)$/),
          });
          expect(ALLOWED.has(err(r).code!)).toBe(true);
        } else {
          succeeded++;
          expect(r.data?.[name]?.id).toEqual(expect.any(String));
        }
      });
      expect(succeeded).toBeGreaterThan(0);

      const strategies = await active(u, u.pid);
      const legOwners = new Map<string, number>();
      for (const s of strategies) {
        expect(s.status).toBe('ACTIVE');
        expect(s.legs.length).toBeGreaterThan(0);
        for (const l of s.legs) legOwners.set(l.id, (legOwners.get(l.id) ?? 0) + 1);
      }
      expect([...legOwners.keys()].sort()).toEqual(L.map((p) => p.legId).sort());
      expect([...legOwners.values()].every((n) => n === 1)).toBe(true);
      await expectInvariants(u.id);
    }
  });
});

/** 10 parallel combineLegs / addLeg mutations all fighting over the same three legs. */
async function hammerSameLegs() {
  const u = await setup();
  const [a, b, c, d, e] = [
    await pos(u, 'KO', 10, 50),
    await pos(u, 'PEP', 10, 50),
    await pos(u, 'XOM', 10, 50),
    await pos(u, 'CVX', 10, 50),
    await pos(u, 'VZ', 10, 50),
  ];
  const combine = (...legs: Pos[]): [string, string, Record<string, unknown>] => [
    'combineLegs',
    COMBINE,
    { i: { legIds: legs.map((l) => l.legId) } },
  ];
  const add = (target: Pos, leg: Pos): [string, string, Record<string, unknown>] => [
    'addLeg',
    ADD_LEG,
    { s: target.strategyId, l: leg.legId },
  ];
  const ops = [
    combine(a, b),
    combine(b, c),
    combine(c, a),
    combine(a, b, c),
    add(d, a),
    add(e, b),
    add(d, c),
    combine(a, b),
    combine(b, c),
    add(e, a),
  ];
  const results: GqlResult[] = await Promise.all(ops.map(([, q, v]) => h.gql(q, v, u.token)));
  return { u, legs: [a, b, c, d, e], ops, results };
}

describe('concurrency on the very same legs', () => {
  it('keeps every leg in exactly one active strategy and no active strategy empty', async () => {
    for (let round = 0; round < 3; round++) {
      const { u, legs, ops, results } = await hammerSameLegs();
      expect(results.filter((r, i) => !r.errors?.length && r.data?.[ops[i][0]]?.id).length).toBeGreaterThan(0);
      const owners = new Map<string, number>();
      for (const s of await active(u, u.pid)) {
        expect(s.legs.length).toBeGreaterThan(0);
        for (const l of s.legs) owners.set(l.id, (owners.get(l.id) ?? 0) + 1);
      }
      expect([...owners.keys()].sort()).toEqual(legs.map((l) => l.legId).sort());
      expect([...owners.values()].every((n) => n === 1)).toBe(true);
      await expectInvariants(u.id);
    }
  });

  it('answers every losing mutation with a client error code, never INTERNAL_SERVER_ERROR', async () => {
    for (let round = 0; round < 3; round++) {
      const { ops, results } = await hammerSameLegs();
      const codes = results.map((r, i) => (r.errors?.length ? `${ops[i][0]}:${err(r).code}` : 'ok'));
      expect(codes.filter((c) => c !== 'ok' && !/:(BAD_USER_INPUT|CONFLICT)$/.test(c))).toEqual([]);
    }
  });
});

// ---- metrics and payoff ----------------------------------------------------------------------------------

const METRICS = `query($id: ID!) { strategy(id: $id) { id metrics {
  stale marketValue costBasis unrealizedPnl netDelta netGamma netTheta netVega calculatedAt
  payoff { maxProfit maxLoss breakEvenPoints curve(points: 7) { underlyingPrice pnl } } } } }`;

async function freshMetrics(u: { token: string }, id: string): Promise<any> {
  return until(
    async () => {
      const m = ok(await h.gql(METRICS, { id }, u.token)).strategy.metrics;
      return m && !m.stale ? m : null;
    },
    20000,
    `fresh metrics of ${id}`,
  );
}

describe('metrics and payoff', () => {
  it('computes the payoff of the API.md iron condor', async () => {
    const u = await setup();
    const ic = await ironCondor(u);
    const s = ok(
      await h.gql(COMBINE, { i: { legIds: [ic.sc.legId, ic.lc.legId, ic.sp.legId, ic.lp.legId] } }, u.token),
    ).combineLegs;
    expect(s.type).toBe('IRON_CONDOR');
    const m = await freshMetrics(u, s.id);

    expect(m.stale).toBe(false);
    expect(Number(m.costBasis)).toBe(-300); // net credit 3.00 × 100
    expect(Number(m.unrealizedPnl)).toBeCloseTo(Number(m.marketValue) - Number(m.costBasis), 6);
    for (const k of ['netDelta', 'netGamma', 'netTheta', 'netVega']) {
      expect(typeof m[k]).toBe('number');
      expect(Number.isFinite(m[k])).toBe(true);
    }
    expect(Number.isNaN(Date.parse(m.calculatedAt))).toBe(false);
    expect(m.payoff).not.toBeNull();
    expect(Number(m.payoff.maxProfit)).toBe(300);
    expect(Number(m.payoff.maxLoss)).toBe(700);
    expect(m.payoff.breakEvenPoints.map(Number)).toEqual([417, 453]);
    // 7 evenly spaced points plus the kinks (strikes) and the break-evens
    expect(m.payoff.curve.length).toBeGreaterThanOrEqual(7);
    const curveXs = m.payoff.curve.map((p: any) => Number(p.underlyingPrice));
    for (const k of [410, 417, 420, 450, 453, 460]) expect(curveXs).toContain(k);
    expect(Number(m.payoff.curve.find((p: any) => Number(p.underlyingPrice) === 440).pnl)).toBe(300);
    expect(Number(m.payoff.curve.find((p: any) => Number(p.underlyingPrice) === 417).pnl)).toBe(0);
    for (const p of m.payoff.curve) {
      expect(Number(p.pnl)).toBeGreaterThanOrEqual(-700);
      expect(Number(p.pnl)).toBeLessThanOrEqual(300);
    }
    const xs = m.payoff.curve.map((p: any) => Number(p.underlyingPrice));
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
  });

  it('gives a strategy with a PRIVATE leg metrics without payoff, without failing', async () => {
    const u = await setup();
    const fund = await pos(u, 'TWO_SIGMA_FUND', 10, 1000);
    const stock = await pos(u, 'ZZPRIVTEST', 5, 20, { investmentClass: 'PUBLIC' });
    const s = ok(await h.gql(COMBINE, { i: { legIds: [fund.legId, stock.legId] } }, u.token)).combineLegs;
    expect(s.type).toBe('CUSTOM');
    const m = await freshMetrics(u, s.id);
    expect(m.payoff).toBeNull();
    expect(Number(m.costBasis)).toBe(10 * 1000 + 5 * 20);
    expect(typeof m.netDelta).toBe('number');

    const alone = await freshMetrics(u, (await pos(u, 'RE_COMMERCIAL_PROPERTY', 1, 250000)).strategyId);
    expect(alone.payoff).toBeNull();
    expect(Number(alone.costBasis)).toBe(250000);
    expect(Number(alone.marketValue)).toBe(250000); // no market data: valued at entry price
  });
});

// ---- isolation ---------------------------------------------------------------------------------------------

describe('isolation between users', () => {
  it("answers NOT_FOUND for every strategy mutation on another user's ids, and null for strategy(id)", async () => {
    const a = await setup();
    const a1 = await pos(a, 'AAPL', 100, 150);
    const a2 = await pos(a, 'AAPL261218C00200000', -1, 5);
    const a3 = await pos(a, 'MSFT', 10, 400);
    const aStrat = ok(await h.gql(COMBINE, { i: { legIds: [a1.legId, a2.legId] } }, a.token)).combineLegs;
    const before = await strategy(a, aStrat.id);

    const b = await setup();
    const b1 = await pos(b, 'AAPL', 100, 150);
    const [bTag] = await tagIds(b, 'Growth');

    expect(ok(await h.gql(STRATEGY, { id: aStrat.id }, b.token)).strategy).toBeNull();
    expect(ok(await h.gql(STRATEGY, { id: a3.strategyId }, b.token)).strategy).toBeNull();

    const attempts: [string, string, Record<string, unknown>][] = [
      ['updateStrategy', UPDATE_STRATEGY, { id: aStrat.id, n: 'mine now' }],
      ['closeStrategy', CLOSE_STRATEGY, { id: aStrat.id }],
      ['splitStrategy', SPLIT, { id: aStrat.id }],
      ['combineLegs', COMBINE, { i: { legIds: [a1.legId, a3.legId] } }],
      ['combineLegs (mixed)', COMBINE, { i: { legIds: [b1.legId, a3.legId] } }],
      ['createStrategy', CREATE_STRATEGY, { p: a.pid, n: 'x', t: 'CUSTOM', l: [a3.legId] }],
      ['createStrategy (own portfolio)', CREATE_STRATEGY, { p: b.pid, n: 'x', t: 'CUSTOM', l: [a3.legId] }],
      ['addLeg (their strategy)', ADD_LEG, { s: aStrat.id, l: b1.legId }],
      ['addLeg (their leg)', ADD_LEG, { s: b1.strategyId, l: a3.legId }],
      ['removeLeg', REMOVE_LEG, { s: aStrat.id, l: a1.legId }],
      ['setStrategyTags', SET_TAGS, { s: aStrat.id, t: [bTag] }],
      ['applyDetections', APPLY, { p: a.pid }],
      ['detectStrategies', DETECT, { p: a.pid }],
      [
        'createPosition',
        CREATE_POSITION_FULL,
        { i: { portfolioId: b.pid, symbol: 'AAPL', quantity: '1', entryPrice: '1', strategyId: aStrat.id } },
      ],
    ];
    for (const [name, q, v] of attempts) {
      const r = await h.gql(q, v, b.token);
      expect({ name, code: err(r).code }).toEqual({ name, code: 'NOT_FOUND' });
    }
    // unauthenticated
    expect(err(await h.gql(CLOSE_STRATEGY, { id: aStrat.id })).code).toBe('UNAUTHENTICATED');

    // nothing changed for the owner, and B's own leg did not move
    const after = await strategy(a, aStrat.id);
    expect(after).toEqual(before);
    expect(await strategy(a, a3.strategyId)).toMatchObject({ status: 'ACTIVE', legCount: 1 });
    expect(await strategy(b, b1.strategyId)).toMatchObject({ status: 'ACTIVE', legCount: 1 });
    expect(changes(await strategy(b, b1.strategyId))).toEqual(['created']);
    await expectInvariants(a.id);
    await expectInvariants(b.id);
  });
});
