import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  createPortfolio,
  createPosition,
  err,
  ok,
  registerUser,
  startHarness,
  type GqlResult,
  type Harness,
} from './helpers/harness';

/**
 * Tags through the real HTTP API: starter tags, validation and limits, archive/restore, tagging strategies,
 * usageCount (also against SQL, property-based), filters, pagination, grouping, suggestions and isolation.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const STARTERS = [
  'Growth',
  'Value',
  'Dividend',
  'Speculative',
  'Core',
  'Satellite',
  'Defensive',
  'Income',
  'Hedge',
  'Momentum',
];

// ---- queries ------------------------------------------------------------------------------------------

const TAG_FIELDS = 'id name color description displayOrder usageCount isArchived archivedAt';
const TAGS = `query($a: Boolean) { tags(includeArchived: $a) { ${TAG_FIELDS} } }`;
const CREATE_TAG = `mutation($i: TagInput!) { createTag(input: $i) { ${TAG_FIELDS} } }`;
const UPDATE_TAG = `mutation($i: TagUpdateInput!) { updateTag(input: $i) { ${TAG_FIELDS} } }`;
const BATCH_UPDATE = `mutation($i: [TagUpdateInput!]!) { batchUpdateTags(inputs: $i) { ${TAG_FIELDS} } }`;
const REORDER = `mutation($ids: [ID!]!) { reorderTags(tagIds: $ids) { id name displayOrder } }`;
const ARCHIVE = `mutation($id: ID!) { archiveTag(id: $id) { ${TAG_FIELDS} } }`;
const RESTORE = `mutation($id: ID!) { restoreTag(id: $id) { ${TAG_FIELDS} } }`;
const SET_TAGS = `mutation($s: ID!, $t: [ID!]!) {
  setStrategyTags(strategyId: $s, tagIds: $t) { id tags { id name usageCount } } }`;
const ADD_TAGS = `mutation($s: ID!, $t: [ID!]!) {
  addStrategyTags(strategyId: $s, tagIds: $t) { id tags { id name usageCount } } }`;
const REMOVE_TAGS = `mutation($s: ID!, $t: [ID!]!) {
  removeStrategyTags(strategyId: $s, tagIds: $t) { removedCount strategy { id tags { id name } } } }`;
const BULK = `mutation($s: [ID!]!, $t: [ID!]!) { bulkAssignTags(strategyIds: $s, tagIds: $t) { id tags { id name } } }`;
const STRATEGY = `query($id: ID!) {
  strategy(id: $id) { id name type status tags { id name displayOrder } versions { change } } }`;
const COMBINE = `mutation($i: CombineInput!) { combineLegs(input: $i) { id type status tags { id name } } }`;
const SPLIT = `mutation($id: ID!) { splitStrategy(id: $id) { id status tags { id name } } }`;
const CLOSE = `mutation($id: ID!) { closeStrategy(id: $id) { id status } }`;
const STRATEGIES = `query($p: ID!, $f: StrategyFilter, $first: Int, $after: String) {
  portfolio(id: $p) { strategies(filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name type status } } } } }`;
const TAG_STRATEGIES = `query($f: StrategyFilter, $first: Int, $after: String) {
  tags { id name strategies(filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } } }`;
const GROUPED = `query($p: ID!, $by: GroupBy!, $f: StrategyFilter) {
  portfolio(id: $p) { groupedStrategies(by: $by, filter: $f) {
    key tag { id name } strategies { id } totals { strategyCount legCount costBasis } } } }`;
const SUGGEST = `query($s: ID!, $n: Int) {
  suggestTags(strategyId: $s, limit: $n) { tag { id name } name score reason } }`;

// ---- helpers ------------------------------------------------------------------------------------------

type Tag = {
  id: string;
  name: string;
  color: string;
  description: string | null;
  displayOrder: number;
  usageCount: number;
  isArchived: boolean;
  archivedAt: string | null;
};
type User = { token: string; id: string; username: string };

/** A symbol no other test file uses, so that nobody else's prices or sectors reach these strategies. */
function sym(prefix = 'Z'): string {
  const letters = [...randomBytes(4)].map((b) => String.fromCharCode(65 + (b % 26))).join('');
  return `${prefix}${letters}`;
}

async function listTags(u: User, includeArchived = false): Promise<Tag[]> {
  return ok(await h.gql(TAGS, { a: includeArchived }, u.token)).tags;
}
async function tagByName(u: User, name: string, includeArchived = false): Promise<Tag> {
  const t = (await listTags(u, includeArchived)).find((x) => x.name === name);
  if (!t) throw new Error(`no tag ${name}`);
  return t;
}
async function tagIds(u: User, ...names: string[]): Promise<string[]> {
  const all = await listTags(u);
  return names.map((n) => {
    const t = all.find((x) => x.name === n);
    if (!t) throw new Error(`no tag ${n}`);
    return t.id;
  });
}
function createTag(u: User, input: Record<string, unknown>): Promise<GqlResult> {
  return h.gql(CREATE_TAG, { i: input }, u.token);
}
async function newTag(u: User, name: string): Promise<Tag> {
  return ok(await createTag(u, { name })).createTag;
}
/** Creates tags named `${prefix}N` until the user has `n` active tags. */
async function fillTo(u: User, n: number, prefix = 'Fill'): Promise<Tag[]> {
  const have = (await listTags(u)).length;
  const made: Tag[] = [];
  for (let i = have; i < n; i++) made.push(await newTag(u, `${prefix}${i}`));
  expect(await listTags(u)).toHaveLength(n);
  return made;
}
async function strategy(u: User, id: string) {
  return ok(await h.gql(STRATEGY, { id }, u.token)).strategy;
}
async function strategyTagNames(u: User, id: string): Promise<string[]> {
  return (await strategy(u, id)).tags.map((t: { name: string }) => t.name);
}
async function usage(u: User, includeArchived = true): Promise<Record<string, number>> {
  return Object.fromEntries((await listTags(u, includeArchived)).map((t) => [t.name, t.usageCount]));
}
async function stock(u: User, portfolioId: string, symbol: string, quantity = 10, entryPrice = 100) {
  return createPosition(h, u.token, { portfolioId, symbol, quantity, entryPrice });
}
async function page(u: User, p: string, f: Record<string, unknown> | null = null, first?: number, after?: string) {
  return ok(await h.gql(STRATEGIES, { p, f, first, after }, u.token)).portfolio.strategies;
}
async function ids(u: User, p: string, f: Record<string, unknown> | null = null): Promise<string[]> {
  return (await page(u, p, f)).edges.map((e: { node: { id: string } }) => e.node.id);
}
async function setup(): Promise<{ u: User; p: string }> {
  const u = await registerUser(h);
  return { u, p: await createPortfolio(h, u.token) };
}
const sorted = (a: string[]) => [...a].sort();

// ---- starter tags ------------------------------------------------------------------------------------

describe('starter tags', () => {
  it('a new user has exactly the 10 starter tags, in display order, unused and active', async () => {
    const u = await registerUser(h);
    const tags = await listTags(u);
    expect(tags.map((t) => t.name)).toEqual(STARTERS);
    const orders = tags.map((t) => t.displayOrder);
    expect(orders).toEqual([...orders].sort((a, b) => a - b));
    expect(new Set(orders).size).toBe(10);
    for (const t of tags) {
      expect(t.color).toMatch(/^#[0-9A-Fa-f]{6}$/);
      expect(t.usageCount).toBe(0);
      expect(t.isArchived).toBe(false);
      expect(t.archivedAt).toBeNull();
    }
    // Nothing archived either.
    expect(await listTags(u, true)).toHaveLength(10);
  });

  it('concurrent creates cannot overshoot the limit nor duplicate a name', async () => {
    const u = await registerUser(h);
    await fillTo(u, 97);
    const rs = await Promise.all(
      ['Race1', 'Race2', 'Race3', 'Race4', 'Race5', 'Race6'].map((name) => createTag(u, { name })),
    );
    expect(rs.filter((r) => r.data?.createTag).length).toBe(3);
    expect(rs.filter((r) => !r.data?.createTag).map((r) => err(r).code)).toEqual([
      'LIMIT_EXCEEDED',
      'LIMIT_EXCEEDED',
      'LIMIT_EXCEEDED',
    ]);
    expect(await listTags(u)).toHaveLength(100);

    const v = await registerUser(h);
    const same = await Promise.all(['Twin', 'twin', 'TWIN', 'Twin'].map((name) => createTag(v, { name })));
    expect(same.filter((r) => r.data?.createTag).length).toBe(1);
    expect(same.filter((r) => !r.data?.createTag).map((r) => err(r).code)).toEqual([
      'CONFLICT',
      'CONFLICT',
      'CONFLICT',
    ]);
    expect((await listTags(v)).filter((t) => t.name.toLowerCase() === 'twin')).toHaveLength(1);
  });

  it('count towards the limit of 100 active tags: 90 more can be created, the 101st is LIMIT_EXCEEDED', async () => {
    const u = await registerUser(h);
    const made = await fillTo(u, 100);
    expect(made).toHaveLength(90);
    const r = await createTag(u, { name: 'OneTooMany' });
    expect(err(r).code).toBe('LIMIT_EXCEEDED');
    const all = await listTags(u, true);
    expect(all).toHaveLength(100);
    expect(all.some((t) => t.name === 'OneTooMany')).toBe(false);
  });
});

// ---- createTag ------------------------------------------------------------------------------------------

describe('createTag', () => {
  it('rejects bad names with BAD_USER_INPUT on field "name", writing nothing', async () => {
    const u = await registerUser(h);
    const before = (await listTags(u, true)).length;
    for (const name of ['', '   ', 'x'.repeat(51), 'bad!', 'semi;colon', 'dot.name', 'émoji', 'a/b']) {
      const r = await createTag(u, { name });
      expect({ name, ...err(r) }).toMatchObject({ name, code: 'BAD_USER_INPUT', field: 'name' });
      expect(r.data?.createTag ?? null).toBeNull();
    }
    expect(await listTags(u, true)).toHaveLength(before);
  });

  it('accepts 1 and 50 characters of letters, digits, space, "_" and "-"', async () => {
    const u = await registerUser(h);
    const fifty = 'A'.repeat(25) + '_- 9'.repeat(6) + 'b';
    expect(fifty).toHaveLength(50);
    for (const name of ['x', fifty, 'Tech 2026', 'big_caps', 'semi-conductors']) {
      const t = ok(await createTag(u, { name })).createTag;
      expect(t.name).toBe(name);
    }
    expect(await listTags(u)).toHaveLength(15);
  });

  it('refuses a duplicate name case-insensitively with CONFLICT, writing nothing', async () => {
    const u = await registerUser(h);
    await newTag(u, 'Tech');
    const before = (await listTags(u, true)).length;
    for (const name of ['Tech', 'tech', 'TECH', 'growth', 'GROWTH', 'Momentum']) {
      expect({ name, ...err(await createTag(u, { name })) }).toMatchObject({ name, code: 'CONFLICT' });
    }
    expect(await listTags(u, true)).toHaveLength(before);
    // Names are per user: another user may use the same name.
    const other = await registerUser(h);
    expect(ok(await createTag(other, { name: 'Tech' })).createTag.name).toBe('Tech');
  });

  it('validates the color "#RRGGBB", defaulting to #4A90E2, and keeps the description', async () => {
    const u = await registerUser(h);
    const plain = ok(await createTag(u, { name: 'Plain' })).createTag;
    expect(plain.color.toUpperCase()).toBe('#4A90E2');
    expect(plain.description).toBeNull();
    expect(plain.isArchived).toBe(false);
    expect(plain.usageCount).toBe(0);

    const custom = ok(await createTag(u, { name: 'Custom', color: '#a1b2c3', description: 'my own' })).createTag;
    expect(custom.color.toUpperCase()).toBe('#A1B2C3');
    expect(custom.description).toBe('my own');

    const before = (await listTags(u, true)).length;
    for (const color of ['red', '#12345', '#1234567', '123456', '#GGGGGG', '']) {
      const r = await createTag(u, { name: `C${before}${color.length}x`, color });
      expect({ color, ...err(r) }).toMatchObject({ color, code: 'BAD_USER_INPUT', field: 'color' });
    }
    const long = await createTag(u, { name: 'LongText', description: 'x'.repeat(501) });
    expect(err(long)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'description' });
    expect(await listTags(u, true)).toHaveLength(before);
    // New tags go after the existing ones.
    const names = (await listTags(u)).map((t) => t.name);
    expect(names).toEqual([...STARTERS, 'Plain', 'Custom']);
  });
});

// ---- updateTag, batchUpdateTags, reorderTags ----------------------------------------------------------

describe('updateTag / batchUpdateTags / reorderTags', () => {
  it('updateTag changes name, color and description; refuses conflicts and bad input without writing', async () => {
    const u = await registerUser(h);
    const t = ok(await createTag(u, { name: 'Tech', description: 'kept' })).createTag;

    const renamed = ok(await h.gql(UPDATE_TAG, { i: { id: t.id, name: 'Technology' } }, u.token)).updateTag;
    expect(renamed).toMatchObject({ id: t.id, name: 'Technology', description: 'kept' });
    const recolored = ok(
      await h.gql(UPDATE_TAG, { i: { id: t.id, color: '#00FF00', description: 'new text' } }, u.token),
    ).updateTag;
    expect(recolored).toMatchObject({ name: 'Technology', description: 'new text' });
    expect(recolored.color.toUpperCase()).toBe('#00FF00');
    // A tag may change the case of its own name.
    expect(ok(await h.gql(UPDATE_TAG, { i: { id: t.id, name: 'TECHNOLOGY' } }, u.token)).updateTag.name).toBe(
      'TECHNOLOGY',
    );

    expect(err(await h.gql(UPDATE_TAG, { i: { id: t.id, name: 'growth' } }, u.token)).code).toBe('CONFLICT');
    expect(err(await h.gql(UPDATE_TAG, { i: { id: t.id, name: 'bad!' } }, u.token))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'name',
    });
    expect(err(await h.gql(UPDATE_TAG, { i: { id: t.id, name: '' } }, u.token))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'name',
    });
    expect(err(await h.gql(UPDATE_TAG, { i: { id: t.id, color: 'red' } }, u.token))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'color',
    });
    expect(err(await h.gql(UPDATE_TAG, { i: { id: t.id, displayOrder: -1 } }, u.token)).code).toBe('BAD_USER_INPUT');
    expect(
      err(await h.gql(UPDATE_TAG, { i: { id: '00000000-0000-4000-8000-000000000000', name: 'Ghost' } }, u.token)).code,
    ).toBe('NOT_FOUND');
    expect(err(await h.gql(UPDATE_TAG, { i: { id: 'not-a-uuid', name: 'Ghost' } }, u.token)).code).toBe('NOT_FOUND');

    const now = await tagByName(u, 'TECHNOLOGY');
    expect(now).toMatchObject({ id: t.id, description: 'new text' });
    expect(now.color.toUpperCase()).toBe('#00FF00');
    expect((await listTags(u)).filter((x) => x.name.toLowerCase() === 'growth')).toHaveLength(1);
  });

  it('batchUpdateTags is all-or-nothing: one bad entry and nothing changes', async () => {
    const u = await registerUser(h);
    const before = await listTags(u, true);
    const [growth, value, core] = await tagIds(u, 'Growth', 'Value', 'Core');

    const badEntries = [
      { id: core, name: 'bad!' },
      { id: core, color: 'blue' },
      { id: core, name: 'dividend' }, // conflicts with Dividend
      { id: '00000000-0000-4000-8000-000000000000', name: 'Nobody' },
      { id: growth, name: 'Again' }, // duplicate id
    ];
    for (const bad of badEntries) {
      const r = await h.gql(
        BATCH_UPDATE,
        { i: [{ id: growth, name: 'Growth Stocks' }, { id: value, color: '#000000' }, bad] },
        u.token,
      );
      expect(r.errors?.length).toBeGreaterThan(0);
      expect(['BAD_USER_INPUT', 'CONFLICT', 'NOT_FOUND']).toContain(err(r).code);
      expect(await listTags(u, true)).toEqual(before);
    }
    // A conflict between two entries of the same batch is refused too.
    const clash = await h.gql(
      BATCH_UPDATE,
      {
        i: [
          { id: growth, name: 'Same' },
          { id: value, name: 'same' },
        ],
      },
      u.token,
    );
    expect(err(clash).code).toBe('CONFLICT');
    expect(await listTags(u, true)).toEqual(before);

    const done = ok(
      await h.gql(
        BATCH_UPDATE,
        {
          i: [
            { id: growth, name: 'Growth Stocks' },
            { id: value, color: '#000000', description: 'cheap' },
          ],
        },
        u.token,
      ),
    ).batchUpdateTags;
    expect(done.map((t: Tag) => t.id)).toEqual([growth, value]);
    const after = await listTags(u);
    expect(after.find((t) => t.id === growth)!.name).toBe('Growth Stocks');
    expect(after.find((t) => t.id === value)).toMatchObject({ name: 'Value', color: '#000000', description: 'cheap' });
    expect(after.find((t) => t.id === core)!.name).toBe('Core');
  });

  it("reorderTags sets displayOrder; tags and a strategy's tags follow that order", async () => {
    const { u, p } = await setup();
    const all = await listTags(u);
    const reversed = [...all].reverse().map((t) => t.id);
    const result = ok(await h.gql(REORDER, { ids: reversed }, u.token)).reorderTags;
    expect(result.map((t: Tag) => t.id)).toEqual(reversed);
    const orders = result.map((t: Tag) => t.displayOrder);
    expect(orders).toEqual([...orders].sort((a: number, b: number) => a - b));
    expect(new Set(orders).size).toBe(orders.length);
    expect((await listTags(u)).map((t) => t.id)).toEqual(reversed);

    const { strategyId } = await stock(u, p, sym());
    const [growth, core, momentum] = await tagIds(u, 'Growth', 'Core', 'Momentum');
    ok(await h.gql(SET_TAGS, { s: strategyId, t: [growth, core, momentum] }, u.token));
    expect(await strategyTagNames(u, strategyId)).toEqual(['Momentum', 'Core', 'Growth']);

    // Listing only some: they come first in that order, the others keep their relative order after them.
    ok(await h.gql(REORDER, { ids: [growth, core] }, u.token));
    const names = (await listTags(u)).map((t) => t.name);
    expect(names.slice(0, 2)).toEqual(['Growth', 'Core']);
    expect(names.slice(2)).toEqual([...STARTERS].reverse().filter((n) => n !== 'Growth' && n !== 'Core'));
    const s = await strategy(u, strategyId);
    expect(s.tags.map((t: Tag) => t.name)).toEqual(['Growth', 'Core', 'Momentum']);
    const so = s.tags.map((t: Tag) => t.displayOrder);
    expect(so).toEqual([...so].sort((a: number, b: number) => a - b));

    // updateTag(displayOrder) moves one tag as well.
    ok(await h.gql(UPDATE_TAG, { i: { id: momentum, displayOrder: 0 } }, u.token));
    ok(await h.gql(UPDATE_TAG, { i: { id: growth, displayOrder: 5 } }, u.token));
    ok(await h.gql(UPDATE_TAG, { i: { id: core, displayOrder: 3 } }, u.token));
    expect(await strategyTagNames(u, strategyId)).toEqual(['Momentum', 'Core', 'Growth']);

    expect(err(await h.gql(REORDER, { ids: [growth, growth] }, u.token)).code).toBe('BAD_USER_INPUT');
  });
});

// ---- archive / restore --------------------------------------------------------------------------------

describe('archiveTag / restoreTag', () => {
  it('archived tags disappear from tags unless includeArchived, and their name becomes free', async () => {
    const u = await registerUser(h);
    const growth = await tagByName(u, 'Growth');
    const archived = ok(await h.gql(ARCHIVE, { id: growth.id }, u.token)).archiveTag;
    expect(archived).toMatchObject({ id: growth.id, isArchived: true });
    expect(archived.archivedAt).not.toBeNull();

    expect((await listTags(u)).map((t) => t.name)).toEqual(STARTERS.filter((n) => n !== 'Growth'));
    const withArchived = await listTags(u, true);
    expect(withArchived).toHaveLength(10);
    expect(withArchived.find((t) => t.id === growth.id)).toMatchObject({ isArchived: true });

    expect(err(await h.gql(ARCHIVE, { id: growth.id }, u.token)).code).toBe('BAD_USER_INPUT');

    // The name is free again.
    const again = ok(await createTag(u, { name: 'growth' })).createTag;
    expect(again.id).not.toBe(growth.id);
    // ... so the archived one cannot come back while the name is taken by an active tag.
    expect(err(await h.gql(RESTORE, { id: growth.id }, u.token)).code).toBe('LIMIT_EXCEEDED');
    expect((await tagByName(u, 'Growth', true)).isArchived).toBe(true);

    // Once the name is free, restore works and clears archivedAt.
    ok(await h.gql(ARCHIVE, { id: again.id }, u.token));
    const restored = ok(await h.gql(RESTORE, { id: growth.id }, u.token)).restoreTag;
    expect(restored).toMatchObject({ id: growth.id, name: 'Growth', isArchived: false, archivedAt: null });
    expect((await listTags(u)).some((t) => t.id === growth.id)).toBe(true);
    expect(err(await h.gql(RESTORE, { id: growth.id }, u.token)).code).toBe('BAD_USER_INPUT');
  });

  it('archiving frees a slot at the limit; restore is LIMIT_EXCEEDED when 100 tags are active', async () => {
    const u = await registerUser(h);
    await fillTo(u, 100);
    expect(err(await createTag(u, { name: 'Extra' })).code).toBe('LIMIT_EXCEEDED');

    const value = await tagByName(u, 'Value');
    ok(await h.gql(ARCHIVE, { id: value.id }, u.token));
    expect(await listTags(u)).toHaveLength(99);
    ok(await createTag(u, { name: 'Extra' }));
    expect(await listTags(u)).toHaveLength(100);

    const r = await h.gql(RESTORE, { id: value.id }, u.token);
    expect(err(r).code).toBe('LIMIT_EXCEEDED');
    expect((await tagByName(u, 'Value', true)).isArchived).toBe(true);
    expect(await listTags(u)).toHaveLength(100);
    expect(await listTags(u, true)).toHaveLength(101);
  });

  it('an archived tag cannot be assigned to a strategy', async () => {
    const { u, p } = await setup();
    const { strategyId } = await stock(u, p, sym());
    const [growth, value] = await tagIds(u, 'Growth', 'Value');
    ok(await h.gql(ARCHIVE, { id: value }, u.token));
    for (const [q, v] of [
      [SET_TAGS, { s: strategyId, t: [growth, value] }],
      [ADD_TAGS, { s: strategyId, t: [growth, value] }],
      [ADD_TAGS, { s: strategyId, t: [value] }],
      [BULK, { s: [strategyId], t: [growth, value] }],
    ] as const) {
      const r = await h.gql(q, v, u.token);
      expect(r.errors?.length).toBeGreaterThan(0);
      expect(err(r).code).toBe('BAD_USER_INPUT');
    }
    expect(await strategyTagNames(u, strategyId)).toEqual([]);
    expect((await tagByName(u, 'Value', true)).usageCount).toBe(0);
  });
});

// ---- tagging strategies -------------------------------------------------------------------------------

describe('setStrategyTags / addStrategyTags / removeStrategyTags / bulkAssignTags', () => {
  it('set replaces, add is idempotent, remove reports how many it removed', async () => {
    const { u, p } = await setup();
    const { strategyId: s } = await stock(u, p, sym());
    const [growth, value, dividend, core, hedge] = await tagIds(u, 'Growth', 'Value', 'Dividend', 'Core', 'Hedge');

    let r = ok(await h.gql(SET_TAGS, { s, t: [growth, value] }, u.token)).setStrategyTags;
    expect(r.tags.map((t: Tag) => t.name)).toEqual(['Growth', 'Value']);
    r = ok(await h.gql(SET_TAGS, { s, t: [value, dividend] }, u.token)).setStrategyTags;
    expect(r.tags.map((t: Tag) => t.name)).toEqual(['Value', 'Dividend']);

    r = ok(await h.gql(ADD_TAGS, { s, t: [dividend, core] }, u.token)).addStrategyTags;
    expect(r.tags.map((t: Tag) => t.name)).toEqual(['Value', 'Dividend', 'Core']);
    r = ok(await h.gql(ADD_TAGS, { s, t: [dividend, core] }, u.token)).addStrategyTags;
    expect(r.tags.map((t: Tag) => t.name)).toEqual(['Value', 'Dividend', 'Core']);
    expect(r.tags.every((t: Tag) => t.usageCount === 1)).toBe(true);

    let rm = ok(await h.gql(REMOVE_TAGS, { s, t: [value, hedge] }, u.token)).removeStrategyTags;
    expect(rm.removedCount).toBe(1);
    expect(rm.strategy.tags.map((t: Tag) => t.name)).toEqual(['Dividend', 'Core']);
    rm = ok(await h.gql(REMOVE_TAGS, { s, t: [value] }, u.token)).removeStrategyTags;
    expect(rm.removedCount).toBe(0);
    rm = ok(await h.gql(REMOVE_TAGS, { s, t: [dividend, core] }, u.token)).removeStrategyTags;
    expect(rm.removedCount).toBe(2);
    expect(rm.strategy.tags).toEqual([]);

    ok(await h.gql(SET_TAGS, { s, t: [growth] }, u.token));
    r = ok(await h.gql(SET_TAGS, { s, t: [] }, u.token)).setStrategyTags;
    expect(r.tags).toEqual([]);

    // Duplicate ids are a bad request; each change is recorded as a version.
    expect(err(await h.gql(ADD_TAGS, { s, t: [growth, growth] }, u.token)).code).toBe('BAD_USER_INPUT');
    const versions = (await strategy(u, s)).versions.map((v: { change: string }) => v.change);
    expect(versions.filter((c: string) => c === 'tags_changed').length).toBeGreaterThanOrEqual(7);
    const usage0 = await usage(u);
    expect(Object.values(usage0).every((n) => n === 0)).toBe(true);
  });

  it('bulkAssignTags puts every tag on every strategy in one call', async () => {
    const { u, p } = await setup();
    const strategies: string[] = [];
    for (let i = 0; i < 6; i++) strategies.push((await stock(u, p, sym())).strategyId);
    const [growth, core, income] = await tagIds(u, 'Growth', 'Core', 'Income');
    ok(await h.gql(SET_TAGS, { s: strategies[0], t: [income] }, u.token));

    const result = ok(await h.gql(BULK, { s: strategies, t: [growth, core] }, u.token)).bulkAssignTags;
    expect(result.map((s: { id: string }) => s.id)).toEqual(strategies);
    for (const s of result)
      expect(s.tags.map((t: Tag) => t.name)).toEqual(
        s.id === strategies[0] ? ['Growth', 'Core', 'Income'] : ['Growth', 'Core'],
      );
    // ... and read back one by one.
    expect(await strategyTagNames(u, strategies[0])).toEqual(['Growth', 'Core', 'Income']);
    for (const s of strategies.slice(1)) expect(await strategyTagNames(u, s)).toEqual(['Growth', 'Core']);

    // Idempotent too.
    ok(await h.gql(BULK, { s: strategies, t: [growth, core] }, u.token));
    expect(await usage(u)).toMatchObject({ Growth: 6, Core: 6, Income: 1, Value: 0 });

    expect(err(await h.gql(BULK, { s: [strategies[0], strategies[0]], t: [growth] }, u.token)).code).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('a strategy carries at most 20 tags (LIMIT_EXCEEDED, nothing written)', async () => {
    const { u, p } = await setup();
    const { strategyId: s } = await stock(u, p, sym());
    const { strategyId: s2 } = await stock(u, p, sym());
    await fillTo(u, 21, 'T');
    const all = (await listTags(u)).map((t) => t.id);
    expect(all).toHaveLength(21);

    const twenty = ok(await h.gql(SET_TAGS, { s, t: all.slice(0, 20) }, u.token)).setStrategyTags;
    expect(twenty.tags).toHaveLength(20);

    expect(err(await h.gql(ADD_TAGS, { s, t: [all[20]] }, u.token)).code).toBe('LIMIT_EXCEEDED');
    expect(err(await h.gql(SET_TAGS, { s: s2, t: all }, u.token)).code).toBe('LIMIT_EXCEEDED');
    // bulk: s would exceed, so s2 gets nothing either.
    expect(err(await h.gql(BULK, { s: [s2, s], t: [all[20]] }, u.token)).code).toBe('LIMIT_EXCEEDED');

    expect((await strategy(u, s)).tags.map((t: Tag) => t.id)).toEqual(all.slice(0, 20));
    expect(await strategyTagNames(u, s2)).toEqual([]);
    // Concurrent adds to a strategy at 19 tags: exactly one gets the 20th slot.
    ok(await h.gql(SET_TAGS, { s: s2, t: all.slice(0, 19) }, u.token));
    const race = await Promise.all([all[19], all[20]].map((t) => h.gql(ADD_TAGS, { s: s2, t: [t] }, u.token)));
    expect(race.filter((r) => r.data?.addStrategyTags)).toHaveLength(1);
    expect(race.filter((r) => !r.data?.addStrategyTags).map((r) => err(r).code)).toEqual(['LIMIT_EXCEEDED']);
    expect((await strategy(u, s2)).tags).toHaveLength(20);
    ok(await h.gql(SET_TAGS, { s: s2, t: [] }, u.token));
    // Adding one already there keeps it at 20: fine.
    expect(ok(await h.gql(ADD_TAGS, { s, t: [all[0]] }, u.token)).addStrategyTags.tags).toHaveLength(20);
    // Swapping one out by set works.
    const swapped = ok(await h.gql(SET_TAGS, { s, t: all.slice(1, 21) }, u.token)).setStrategyTags;
    expect(swapped.tags.map((t: Tag) => t.id)).toEqual(all.slice(1, 21));
  });
});

// ---- usageCount ---------------------------------------------------------------------------------------

describe('usageCount', () => {
  it('counts active strategies after set/add/remove, combineLegs, splitStrategy and closeStrategy', async () => {
    const { u, p } = await setup();
    const root = sym('Q');
    const shares = await stock(u, p, root, 100, 50);
    const call = await createPosition(h, u.token, {
      portfolioId: p,
      symbol: `${root}261218C00060000`,
      quantity: -1,
      entryPrice: 2.5,
    });
    const other = await stock(u, p, sym());
    const [growth, core, income, hedge] = await tagIds(u, 'Growth', 'Core', 'Income', 'Hedge');

    ok(await h.gql(SET_TAGS, { s: shares.strategyId, t: [growth, core] }, u.token));
    ok(await h.gql(SET_TAGS, { s: call.strategyId, t: [core, income] }, u.token));
    ok(await h.gql(ADD_TAGS, { s: other.strategyId, t: [core, hedge] }, u.token));
    expect(await usage(u)).toMatchObject({ Growth: 1, Core: 3, Income: 1, Hedge: 1, Value: 0 });
    ok(await h.gql(REMOVE_TAGS, { s: other.strategyId, t: [hedge] }, u.token));
    expect(await usage(u)).toMatchObject({ Core: 3, Hedge: 0 });

    // combine: the new strategy carries the union, the emptied sources are closed and no longer count.
    const combined = ok(
      await h.gql(COMBINE, { i: { legIds: [shares.legId, call.legId], type: 'COVERED_CALL' } }, u.token),
    ).combineLegs;
    expect(combined.status).toBe('ACTIVE');
    expect(combined.tags.map((t: Tag) => t.name)).toEqual(['Growth', 'Core', 'Income']);
    expect((await strategy(u, shares.strategyId)).status).toBe('CLOSED');
    expect((await strategy(u, call.strategyId)).status).toBe('CLOSED');
    expect(await usage(u)).toMatchObject({ Growth: 1, Core: 2, Income: 1 });

    // split: each part keeps the tags, the split strategy is closed.
    const parts = ok(await h.gql(SPLIT, { id: combined.id }, u.token)).splitStrategy;
    expect(parts).toHaveLength(2);
    for (const part of parts) {
      expect(part.tags.map((t: Tag) => t.name)).toEqual(['Growth', 'Core', 'Income']);
      expect(await strategyTagNames(u, part.id)).toEqual(['Growth', 'Core', 'Income']);
    }
    expect((await strategy(u, combined.id)).status).toBe('CLOSED');
    expect(await usage(u)).toMatchObject({ Growth: 2, Core: 3, Income: 2 });

    ok(await h.gql(CLOSE, { id: parts[0].id }, u.token));
    expect(await usage(u)).toMatchObject({ Growth: 1, Core: 2, Income: 1 });

    // Tag.strategies agrees with usageCount.
    const viaTags = ok(await h.gql(TAG_STRATEGIES, {}, u.token)).tags;
    for (const t of viaTags) expect(t.strategies.totalCount).toBe((await usage(u))[t.name]);
  });

  it('an archived tag keeps its links and its usageCount', async () => {
    const { u, p } = await setup();
    const { strategyId: s } = await stock(u, p, sym());
    const [value] = await tagIds(u, 'Value');
    ok(await h.gql(SET_TAGS, { s, t: [value] }, u.token));
    ok(await h.gql(ARCHIVE, { id: value }, u.token));
    expect((await tagByName(u, 'Value', true)).usageCount).toBe(1);
    // It can still be removed.
    expect(ok(await h.gql(REMOVE_TAGS, { s, t: [value] }, u.token)).removeStrategyTags.removedCount).toBe(1);
    expect((await tagByName(u, 'Value', true)).usageCount).toBe(0);
  });

  it('does not count strategies of a deleted portfolio (they disappear from every read)', async () => {
    const u = await registerUser(h);
    const p1 = await createPortfolio(h, u.token, 'Kept');
    const p2 = await createPortfolio(h, u.token, 'Dropped');
    const [growth] = await tagIds(u, 'Growth');
    const a = await stock(u, p1, sym());
    const b = await stock(u, p2, sym());
    ok(await h.gql(BULK, { s: [a.strategyId, b.strategyId], t: [growth] }, u.token));
    expect((await usage(u)).Growth).toBe(2);
    ok(await h.gql(`mutation($id: ID!) { deletePortfolio(id: $id) }`, { id: p2 }, u.token));
    const t = ok(await h.gql(TAG_STRATEGIES, {}, u.token)).tags.find((x: Tag) => x.name === 'Growth');
    expect(t.strategies.totalCount).toBe(1);
    expect((await usage(u)).Growth).toBe(t.strategies.totalCount);
  });

  it('property: after random add/remove/set/archive runs, usageCount equals the SQL count and a model', async () => {
    const TAGN = 5;
    const STRATN = 3;
    const subset = fc.uniqueArray(fc.integer({ min: 0, max: TAGN - 1 }), { maxLength: TAGN });
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), s: fc.integer({ min: 0, max: STRATN - 1 }), t: subset }),
      fc.record({ kind: fc.constant('remove' as const), s: fc.integer({ min: 0, max: STRATN - 1 }), t: subset }),
      fc.record({ kind: fc.constant('set' as const), s: fc.integer({ min: 0, max: STRATN - 1 }), t: subset }),
      fc.record({
        kind: fc.constant('archive' as const),
        s: fc.constant(0),
        t: fc.tuple(fc.integer({ min: 0, max: TAGN - 1 })).map((x) => x as number[]),
      }),
    );

    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
        const { u, p } = await setup();
        const strategies: string[] = [];
        for (let i = 0; i < STRATN; i++) strategies.push((await stock(u, p, sym())).strategyId);
        const tags = (await listTags(u)).slice(0, TAGN).map((t) => t.id);
        const links = strategies.map(() => new Set<number>());
        const archived = new Set<number>();

        for (const o of ops) {
          const s = strategies[o.s];
          const t = o.t.map((i) => tags[i]);
          if (o.kind === 'archive') {
            const r = await h.gql(ARCHIVE, { id: t[0] }, u.token);
            if (archived.has(o.t[0])) expect(err(r).code).toBe('BAD_USER_INPUT');
            else {
              ok(r);
              archived.add(o.t[0]);
            }
          } else if (o.kind === 'remove') {
            const r = ok(await h.gql(REMOVE_TAGS, { s, t }, u.token)).removeStrategyTags;
            expect(r.removedCount).toBe(o.t.filter((i) => links[o.s].has(i)).length);
            o.t.forEach((i) => links[o.s].delete(i));
          } else {
            const r = await h.gql(o.kind === 'add' ? ADD_TAGS : SET_TAGS, { s, t }, u.token);
            if (o.t.some((i) => archived.has(i))) {
              expect(err(r).code).toBe('BAD_USER_INPUT');
            } else {
              ok(r);
              if (o.kind === 'set') links[o.s].clear();
              o.t.forEach((i) => links[o.s].add(i));
            }
          }
        }

        const api = new Map((await listTags(u, true)).map((t) => [t.id, t.usageCount]));
        const rows: { tag_id: string; count: string | number }[] = await h.app.ds.query(
          `SELECT tag_id, count(*) FROM strategy_tags st
           JOIN strategies s ON s.id = st.strategy_id AND s.status='ACTIVE' GROUP BY tag_id`,
        );
        const sql = new Map(rows.map((r) => [r.tag_id, Number(r.count)]));
        for (const [id, n] of api) expect({ id, n }).toEqual({ id, n: sql.get(id) ?? 0 });
        tags.forEach((id, i) => expect({ i, n: api.get(id) }).toEqual({ i, n: links.filter((l) => l.has(i)).length }));
        // Tag.strategies agrees (active tags; archived ones are listed only with includeArchived).
        for (const t of ok(await h.gql(TAG_STRATEGIES, {}, u.token)).tags)
          expect({ id: t.id, n: t.strategies.totalCount }).toEqual({ id: t.id, n: api.get(t.id) });
        for (let i = 0; i < STRATN; i++) {
          const names = (await strategy(u, strategies[i])).tags.map((t: Tag) => t.id);
          expect(sorted(names)).toEqual(sorted([...links[i]].map((j) => tags[j])));
        }
      }),
      { numRuns: 15 },
    );
  }, 120000);
});

// ---- filtering, pagination ----------------------------------------------------------------------------

describe('strategy filters and pagination', () => {
  it('filters by tagIds with ANY (default) and ALL, and Tag.strategies lists the tagged ones', async () => {
    const { u, p } = await setup();
    const s1 = (await stock(u, p, sym())).strategyId;
    const s2 = (await stock(u, p, sym())).strategyId;
    const s3 = (await stock(u, p, sym())).strategyId;
    const s4 = (await stock(u, p, sym())).strategyId;
    const [a, b, c] = await tagIds(u, 'Growth', 'Value', 'Dividend');
    ok(await h.gql(SET_TAGS, { s: s1, t: [a] }, u.token));
    ok(await h.gql(SET_TAGS, { s: s2, t: [a, b] }, u.token));
    ok(await h.gql(SET_TAGS, { s: s3, t: [b] }, u.token));

    expect((await page(u, p)).totalCount).toBe(4);
    const any = await page(u, p, { tagIds: [a, b], tagMatch: 'ANY' });
    expect(any.totalCount).toBe(3);
    expect(sorted(any.edges.map((e: { node: { id: string } }) => e.node.id))).toEqual(sorted([s1, s2, s3]));
    expect(sorted(await ids(u, p, { tagIds: [a, b] }))).toEqual(sorted([s1, s2, s3]));
    const all = await page(u, p, { tagIds: [a, b], tagMatch: 'ALL' });
    expect(all.totalCount).toBe(1);
    expect(all.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([s2]);
    expect(sorted(await ids(u, p, { tagIds: [a], tagMatch: 'ALL' }))).toEqual(sorted([s1, s2]));
    expect((await page(u, p, { tagIds: [c] })).totalCount).toBe(0);
    expect(await ids(u, p, { tagIds: [a, b, c], tagMatch: 'ALL' })).toEqual([]);
    // An empty list means no tag filter.
    expect((await page(u, p, { tagIds: [] })).totalCount).toBe(4);
    expect(await ids(u, p)).toContain(s4);

    const viaTag = ok(await h.gql(TAG_STRATEGIES, {}, u.token)).tags;
    const byName = Object.fromEntries(viaTag.map((t: any) => [t.name, t.strategies]));
    expect(sorted(byName.Growth.edges.map((e: any) => e.node.id))).toEqual(sorted([s1, s2]));
    expect(byName.Growth.totalCount).toBe(2);
    expect(sorted(byName.Value.edges.map((e: any) => e.node.id))).toEqual(sorted([s2, s3]));
    expect(byName.Dividend.totalCount).toBe(0);
    // Tag.strategies accepts a filter too.
    const narrowed = ok(await h.gql(TAG_STRATEGIES, { f: { tagIds: [b], tagMatch: 'ALL' } }, u.token)).tags;
    expect(narrowed.find((t: any) => t.name === 'Growth').strategies.edges.map((e: any) => e.node.id)).toEqual([s2]);

    // An archived tag still filters.
    ok(await h.gql(ARCHIVE, { id: b }, u.token));
    expect(sorted(await ids(u, p, { tagIds: [b] }))).toEqual(sorted([s2, s3]));
  });

  it('first/after pages through each strategy once in a stable order; first above 500 is BAD_USER_INPUT', async () => {
    const { u, p } = await setup();
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await stock(u, p, sym())).strategyId);
    // A split creates several strategies in one transaction (same created_at): the order stays stable.
    const root = sym('K');
    const x = await stock(u, p, root, 100, 10);
    const y = await createPosition(h, u.token, {
      portfolioId: p,
      symbol: `${root}261218C00012000`,
      quantity: -1,
      entryPrice: 1,
    });
    const comb = ok(await h.gql(COMBINE, { i: { legIds: [x.legId, y.legId] } }, u.token)).combineLegs;
    const parts = ok(await h.gql(SPLIT, { id: comb.id }, u.token)).splitStrategy.map((s: { id: string }) => s.id);
    const [growth] = await tagIds(u, 'Growth');
    ok(await h.gql(BULK, { s: [...created, ...parts], t: [growth] }, u.token));
    const expected = [...created, ...parts];

    const full = await page(u, p);
    expect(full.totalCount).toBe(9);
    expect(full.pageInfo.hasNextPage).toBe(false);
    const fullOrder = full.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(sorted(fullOrder)).toEqual(sorted(expected));
    expect(fullOrder.slice(0, 7)).toEqual(created);
    expect(ok(await h.gql(STRATEGIES, { p }, u.token)).portfolio.strategies.edges.map((e: any) => e.node.id)).toEqual(
      fullOrder,
    );

    for (const size of [1, 2, 4]) {
      const seen: string[] = [];
      let after: string | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const pg = await page(u, p, null, size, after);
        expect(pg.totalCount).toBe(9);
        expect(pg.edges.length).toBeLessThanOrEqual(size);
        seen.push(...pg.edges.map((e: { node: { id: string } }) => e.node.id));
        if (!pg.pageInfo.hasNextPage) {
          expect(pg.pageInfo.endCursor === null || pg.pageInfo.endCursor === pg.edges.at(-1)?.cursor).toBe(true);
          break;
        }
        expect(pg.edges).toHaveLength(size);
        expect(pg.pageInfo.endCursor).toBe(pg.edges.at(-1).cursor);
        after = pg.pageInfo.endCursor;
      }
      expect({ size, seen }).toEqual({ size, seen: fullOrder });
    }

    // Tag.strategies pages the same way.
    const seen: string[] = [];
    let after: string | undefined;
    for (let guard = 0; guard < 20; guard++) {
      const t = ok(await h.gql(TAG_STRATEGIES, { first: 4, after }, u.token)).tags.find(
        (x: Tag) => x.name === 'Growth',
      );
      seen.push(...t.strategies.edges.map((e: any) => e.node.id));
      expect(t.strategies.totalCount).toBe(9);
      if (!t.strategies.pageInfo.hasNextPage) break;
      after = t.strategies.pageInfo.endCursor;
    }
    expect(seen).toEqual(fullOrder);

    // The last page: nothing after the last cursor.
    const last = await page(u, p, null, 3, full.edges.at(-1).cursor);
    expect(last).toMatchObject({ totalCount: 9, edges: [], pageInfo: { hasNextPage: false } });

    expect(err(await h.gql(STRATEGIES, { p, first: 501 }, u.token))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(err(await h.gql(STRATEGIES, { p, first: -1 }, u.token)).code).toBe('BAD_USER_INPUT');
    expect(err(await h.gql(STRATEGIES, { p, after: 'garbage' }, u.token)).code).toBe('BAD_USER_INPUT');
    expect((await page(u, p, null, 500)).edges).toHaveLength(9);
  });

  it('filters by types, statuses (default ACTIVE), underlying and search (case-insensitive substring)', async () => {
    const { u, p } = await setup();
    const under = sym('W');
    const otherSym = sym('V');
    const shares = await stock(u, p, under, 100, 20);
    const call = await createPosition(h, u.token, {
      portfolioId: p,
      symbol: `${under}261218C00025000`,
      quantity: -1,
      entryPrice: 1.5,
    });
    const lone = await stock(u, p, under, 5, 21);
    const other = await stock(u, p, otherSym, 3, 30);
    const cc = ok(
      await h.gql(
        COMBINE,
        { i: { legIds: [shares.legId, call.legId], type: 'COVERED_CALL', name: 'My Covered Call 50% off' } },
        u.token,
      ),
    ).combineLegs;
    expect(cc.type).toBe('COVERED_CALL');

    const active = [cc.id, lone.strategyId, other.strategyId];
    const closed = [shares.strategyId, call.strategyId];
    expect(sorted(await ids(u, p))).toEqual(sorted(active));
    expect(sorted(await ids(u, p, { statuses: ['ACTIVE'] }))).toEqual(sorted(active));
    expect(sorted(await ids(u, p, { statuses: ['CLOSED'] }))).toEqual(sorted(closed));
    const both = await page(u, p, { statuses: ['ACTIVE', 'CLOSED'] });
    expect(both.totalCount).toBe(5);
    expect(both.edges.find((e: any) => e.node.id === shares.strategyId).node.status).toBe('CLOSED');

    expect(await ids(u, p, { types: ['COVERED_CALL'] })).toEqual([cc.id]);
    expect(sorted(await ids(u, p, { types: ['STANDALONE'] }))).toEqual(sorted([lone.strategyId, other.strategyId]));
    expect(sorted(await ids(u, p, { types: ['STANDALONE'], statuses: ['ACTIVE', 'CLOSED'] }))).toEqual(
      sorted([lone.strategyId, other.strategyId, ...closed]),
    );
    expect(await ids(u, p, { types: ['IRON_CONDOR'] })).toEqual([]);

    expect(sorted(await ids(u, p, { underlying: under }))).toEqual(sorted([cc.id, lone.strategyId]));
    expect(sorted(await ids(u, p, { underlying: under.toLowerCase() }))).toEqual(sorted([cc.id, lone.strategyId]));
    expect(await ids(u, p, { underlying: otherSym })).toEqual([other.strategyId]);
    expect(await ids(u, p, { underlying: 'NOSUCH' })).toEqual([]);

    // Standalone names look like "Long W…"; search is a case-insensitive substring of the name.
    const lname = (await strategy(u, lone.strategyId)).name as string;
    expect(lname).toContain(under);
    expect(await ids(u, p, { search: `long ${under.toLowerCase()}` })).toEqual([lone.strategyId]);
    expect(await ids(u, p, { search: 'COVERED call' })).toEqual([cc.id]);
    expect(await ids(u, p, { search: '50%' })).toEqual([cc.id]);
    expect(await ids(u, p, { search: '%' })).toEqual([cc.id]); // literal, not a wildcard
    expect(await ids(u, p, { search: '_' })).toEqual([]);
    expect(sorted(await ids(u, p, { search: 'long' }))).toEqual(sorted([lone.strategyId, other.strategyId]));

    // Combined criteria.
    const [growth] = await tagIds(u, 'Growth');
    ok(await h.gql(BULK, { s: [cc.id, other.strategyId], t: [growth] }, u.token));
    expect(await ids(u, p, { tagIds: [growth], underlying: under })).toEqual([cc.id]);
    expect(await ids(u, p, { tagIds: [growth], search: 'long' })).toEqual([other.strategyId]);
  });
});

// ---- grouping -----------------------------------------------------------------------------------------

describe('groupedStrategies', () => {
  it('by TAG: one group per tag (a strategy with two tags is in both) and "untagged"; totals per group', async () => {
    const { u, p } = await setup();
    const s1 = await stock(u, p, sym(), 10, 100); // cost 1000
    const s2 = await stock(u, p, sym(), 5, 300); // cost 1500
    const s3 = await stock(u, p, sym(), 2, 50); // cost 100
    const [growth, value, dividend] = await tagIds(u, 'Growth', 'Value', 'Dividend');
    ok(await h.gql(SET_TAGS, { s: s1.strategyId, t: [dividend] }, u.token));
    ok(await h.gql(SET_TAGS, { s: s2.strategyId, t: [growth, value] }, u.token));

    const groups = ok(await h.gql(GROUPED, { p, by: 'TAG' }, u.token)).portfolio.groupedStrategies;
    // Tag groups in display order, untagged last.
    expect(groups.map((g: any) => g.key)).toEqual(['Growth', 'Value', 'Dividend', 'untagged']);
    const byKey = Object.fromEntries(groups.map((g: any) => [g.key, g]));
    expect(byKey.Growth.tag).toEqual({ id: growth, name: 'Growth' });
    expect(byKey.Value.tag).toEqual({ id: value, name: 'Value' });
    expect(byKey.Dividend.tag).toEqual({ id: dividend, name: 'Dividend' });
    expect(byKey.untagged.tag).toBeNull();
    expect(byKey.Growth.strategies.map((s: any) => s.id)).toEqual([s2.strategyId]);
    expect(byKey.Value.strategies.map((s: any) => s.id)).toEqual([s2.strategyId]);
    expect(byKey.Dividend.strategies.map((s: any) => s.id)).toEqual([s1.strategyId]);
    expect(byKey.untagged.strategies.map((s: any) => s.id)).toEqual([s3.strategyId]);
    for (const [key, cost] of [
      ['Growth', 1500],
      ['Value', 1500],
      ['Dividend', 1000],
      ['untagged', 100],
    ] as const) {
      expect({ key, ...byKey[key].totals, costBasis: Number(byKey[key].totals.costBasis) }).toEqual({
        key,
        strategyCount: 1,
        legCount: 1,
        costBasis: cost,
      });
    }

    // With a filter.
    const filtered = ok(await h.gql(GROUPED, { p, by: 'TAG', f: { tagIds: [value] } }, u.token)).portfolio
      .groupedStrategies;
    expect(filtered.map((g: any) => [g.key, g.strategies.map((s: any) => s.id)])).toEqual([
      ['Growth', [s2.strategyId]],
      ['Value', [s2.strategyId]],
    ]);
    // Only closed strategies asked for: none here.
    expect(
      ok(await h.gql(GROUPED, { p, by: 'TAG', f: { statuses: ['CLOSED'] } }, u.token)).portfolio.groupedStrategies,
    ).toEqual([]);
  });

  // Regression: the tagsByStrategy loader once paired de-duplicated TypeORM entities with raw rows, so a tag
  // shared by several strategies of one response showed on only one of them.
  it('a shared tag is on each of its strategies in one response (Strategy.tags, groups, bulk/split)', async () => {
    const { u, p } = await setup();
    const s1 = await stock(u, p, sym(), 10, 100);
    const s2 = await stock(u, p, sym(), 5, 200);
    const [growth, value] = await tagIds(u, 'Growth', 'Value');
    const bulk = ok(
      await h.gql(BULK, { s: [s1.strategyId, s2.strategyId], t: [growth, value] }, u.token),
    ).bulkAssignTags;
    expect(bulk.map((s: any) => s.tags.map((t: Tag) => t.name))).toEqual([
      ['Growth', 'Value'],
      ['Growth', 'Value'],
    ]);

    const list = ok(
      await h.gql(
        `query($p: ID!) { portfolio(id: $p) { strategies { edges { node { id tags { name } } } } } }`,
        { p },
        u.token,
      ),
    );
    expect(list.portfolio.strategies.edges.map((e: any) => e.node.tags.map((t: Tag) => t.name))).toEqual([
      ['Growth', 'Value'],
      ['Growth', 'Value'],
    ]);

    const groups = ok(await h.gql(GROUPED, { p, by: 'TAG' }, u.token)).portfolio.groupedStrategies;
    expect(groups.map((g: any) => [g.key, g.strategies.length, g.totals.strategyCount])).toEqual([
      ['Growth', 2, 2],
      ['Value', 2, 2],
    ]);

    const root = sym('J');
    const x = await stock(u, p, root, 100, 10);
    const y = await createPosition(h, u.token, {
      portfolioId: p,
      symbol: `${root}261218C00012000`,
      quantity: -1,
      entryPrice: 1,
    });
    ok(await h.gql(BULK, { s: [x.strategyId], t: [growth] }, u.token));
    const comb = ok(await h.gql(COMBINE, { i: { legIds: [x.legId, y.legId] } }, u.token)).combineLegs;
    const parts = ok(await h.gql(SPLIT, { id: comb.id }, u.token)).splitStrategy;
    expect(parts.map((s: any) => s.tags.map((t: Tag) => t.name))).toEqual([['Growth'], ['Growth']]);
  });

  it('by STRATEGY_TYPE, UNDERLYING and SECTOR ("unknown" without sector data)', async () => {
    const { u, p } = await setup();
    const under = sym('R');
    const otherSym = sym('S');
    const shares = await stock(u, p, under, 100, 20);
    const call = await createPosition(h, u.token, {
      portfolioId: p,
      symbol: `${under}261218C00025000`,
      quantity: -1,
      entryPrice: 1,
    });
    const lone = await stock(u, p, otherSym, 4, 25);
    const cc = ok(
      await h.gql(COMBINE, { i: { legIds: [shares.legId, call.legId], type: 'COVERED_CALL' } }, u.token),
    ).combineLegs;

    const byType = ok(await h.gql(GROUPED, { p, by: 'STRATEGY_TYPE' }, u.token)).portfolio.groupedStrategies;
    const t = Object.fromEntries(byType.map((g: any) => [g.key, g]));
    expect(sorted(Object.keys(t))).toEqual(['COVERED_CALL', 'STANDALONE']);
    expect(t.COVERED_CALL.strategies.map((s: any) => s.id)).toEqual([cc.id]);
    expect(t.COVERED_CALL.totals).toMatchObject({ strategyCount: 1, legCount: 2 });
    expect(Number(t.COVERED_CALL.totals.costBasis)).toBe(2000 - 100);
    expect(t.STANDALONE.strategies.map((s: any) => s.id)).toEqual([lone.strategyId]);
    expect(byType.every((g: any) => g.tag === null)).toBe(true);

    const byUnderlying = ok(await h.gql(GROUPED, { p, by: 'UNDERLYING' }, u.token)).portfolio.groupedStrategies;
    const un = Object.fromEntries(byUnderlying.map((g: any) => [g.key, g.strategies.map((s: any) => s.id)]));
    expect(un).toEqual({ [under]: [cc.id], [otherSym]: [lone.strategyId] });

    const bySector = ok(await h.gql(GROUPED, { p, by: 'SECTOR' }, u.token)).portfolio.groupedStrategies;
    expect(bySector).toHaveLength(1);
    expect(bySector[0].key).toBe('unknown');
    expect(sorted(bySector[0].strategies.map((s: any) => s.id))).toEqual(sorted([cc.id, lone.strategyId]));
    expect(bySector[0].totals).toMatchObject({ strategyCount: 2, legCount: 3 });
    expect(Number(bySector[0].totals.costBasis)).toBe(1900 + 100);
  });
});

// ---- suggestTags --------------------------------------------------------------------------------------

describe('suggestTags', () => {
  type Suggestion = { tag: { id: string; name: string } | null; name: string; score: number; reason: string };
  const suggest = async (u: User, s: string, n = 10): Promise<Suggestion[]> =>
    ok(await h.gql(SUGGEST, { s, n }, u.token)).suggestTags;
  const wellFormed = (list: Suggestion[], own: string[]) => {
    for (const x of list) {
      expect(typeof x.score).toBe('number');
      expect(Number.isFinite(x.score)).toBe(true);
      expect(x.reason.trim().length).toBeGreaterThan(0);
      expect(x.name.length).toBeGreaterThan(0);
      if (x.tag) expect(own).not.toContain(x.tag.id);
      expect(own.map((id) => id)).not.toContain(x.tag?.id);
    }
    // Existing tags first.
    const firstNew = list.findIndex((x) => !x.tag);
    if (firstNew >= 0) expect(list.slice(firstNew).every((x) => !x.tag)).toBe(true);
    const names = list.map((x) => x.name.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
  };

  it('rules: a covered call gets credit/hedge reasons; never a tag it already has; existing tags first', async () => {
    const { u, p } = await setup();
    const under = sym('C');
    const shares = await stock(u, p, under, 100, 40);
    const call = await createPosition(h, u.token, {
      portfolioId: p,
      symbol: `${under}261218C00045000`,
      quantity: -1,
      entryPrice: 2,
    });
    const cc = ok(
      await h.gql(COMBINE, { i: { legIds: [shares.legId, call.legId], type: 'COVERED_CALL' } }, u.token),
    ).combineLegs;

    const list = await suggest(u, cc.id);
    expect(list.length).toBeGreaterThan(0);
    wellFormed(list, []);
    expect(list.some((x) => /credit|hedg/i.test(x.reason))).toBe(true);
    const income = list.find((x) => x.name.toLowerCase() === 'income');
    expect(income).toBeDefined();
    expect(income!.tag?.name).toBe('Income'); // matched to the starter tag
    expect(list.some((x) => x.name.toLowerCase() === 'options')).toBe(true);

    // Once it carries Income, Income is no longer suggested.
    const [incomeId] = await tagIds(u, 'Income');
    ok(await h.gql(SET_TAGS, { s: cc.id, t: [incomeId] }, u.token));
    const after = await suggest(u, cc.id);
    wellFormed(after, [incomeId]);
    expect(after.some((x) => x.name.toLowerCase() === 'income')).toBe(false);
    expect(after.some((x) => x.tag?.id === incomeId)).toBe(false);

    // limit is honoured.
    expect((await suggest(u, cc.id, 1)).length).toBeLessThanOrEqual(1);
    expect(err(await h.gql(SUGGEST, { s: cc.id, n: 0 }, u.token)).code).toBe('BAD_USER_INPUT');
  });

  it("learns from the user's own tagging of similar strategies (same underlying ranks first)", async () => {
    const { u, p } = await setup();
    const under = sym('M');
    const elsewhere = sym('N');
    const first = await stock(u, p, under, 10, 10);
    const second = await stock(u, p, under, 20, 11);
    const unrelated = await stock(u, p, elsewhere, 30, 12);
    const pick = await newTag(u, 'My Pick');
    const [growth, value] = await tagIds(u, 'Growth', 'Value');
    ok(await h.gql(SET_TAGS, { s: first.strategyId, t: [pick.id, growth] }, u.token));
    ok(await h.gql(SET_TAGS, { s: unrelated.strategyId, t: [value] }, u.token));
    ok(await h.gql(SET_TAGS, { s: second.strategyId, t: [growth] }, u.token));

    const list = await suggest(u, second.strategyId);
    wellFormed(list, [growth]);
    expect(list.length).toBeGreaterThan(0);
    expect(list[0].tag?.id).toBe(pick.id);
    expect(list[0].reason).toMatch(/underlying/i);
    expect(list.some((x) => x.tag?.id === growth)).toBe(false);
    const vi = list.findIndex((x) => x.tag?.id === value);
    if (vi >= 0) {
      expect(vi).toBeGreaterThan(0);
      expect(list[vi].score).toBeLessThan(list[0].score);
    }
    // A stock-only strategy gets no option rules.
    expect(list.some((x) => x.name.toLowerCase() === 'options')).toBe(false);

    // Another user's tagging never leaks in.
    const other = await registerUser(h);
    const op = await createPortfolio(h, other.token);
    const theirs = await stock(other, op, under, 1, 1);
    const tlist = await suggest(other, theirs.strategyId);
    expect(tlist.some((x) => x.tag?.id === pick.id || x.name === 'My Pick')).toBe(false);
  });
});

// ---- isolation ----------------------------------------------------------------------------------------

describe('isolation between users', () => {
  it("another user's tag is NOT_FOUND everywhere and never listed", async () => {
    const alice = await setup();
    const bob = await setup();
    const aliceTag = await newTag(alice.u, 'Secret');
    const aliceArchived = await newTag(alice.u, 'Old');
    ok(await h.gql(ARCHIVE, { id: aliceArchived.id }, alice.u.token));
    const aliceStrategy = (await stock(alice.u, alice.p, sym())).strategyId;
    ok(await h.gql(SET_TAGS, { s: aliceStrategy, t: [aliceTag.id] }, alice.u.token));
    const bobStrategy = (await stock(bob.u, bob.p, sym())).strategyId;
    const [bobGrowth] = await tagIds(bob.u, 'Growth');
    ok(await h.gql(SET_TAGS, { s: bobStrategy, t: [bobGrowth] }, bob.u.token));
    const bobBefore = await listTags(bob.u, true);

    const notFound = async (q: string, v: Record<string, unknown>) => {
      const r = await h.gql(q, v, bob.u.token);
      expect({ q: q.slice(0, 40), code: err(r).code }).toEqual({ q: q.slice(0, 40), code: 'NOT_FOUND' });
      expect(JSON.stringify(r.data ?? null)).not.toContain('Secret');
    };
    await notFound(UPDATE_TAG, { i: { id: aliceTag.id, name: 'Mine' } });
    await notFound(BATCH_UPDATE, {
      i: [
        { id: bobGrowth, name: 'Renamed' },
        { id: aliceTag.id, name: 'Mine' },
      ],
    });
    await notFound(REORDER, { ids: [aliceTag.id, bobGrowth] });
    await notFound(ARCHIVE, { id: aliceTag.id });
    await notFound(RESTORE, { id: aliceArchived.id });
    await notFound(SET_TAGS, { s: bobStrategy, t: [bobGrowth, aliceTag.id] });
    await notFound(ADD_TAGS, { s: bobStrategy, t: [aliceTag.id] });
    await notFound(REMOVE_TAGS, { s: bobStrategy, t: [aliceTag.id] });
    await notFound(BULK, { s: [bobStrategy], t: [aliceTag.id] });
    await notFound(STRATEGIES, { p: bob.p, f: { tagIds: [aliceTag.id] } });
    await notFound(STRATEGIES, { p: bob.p, f: { tagIds: [bobGrowth, aliceTag.id], tagMatch: 'ALL' } });
    await notFound(GROUPED, { p: bob.p, by: 'TAG', f: { tagIds: [aliceTag.id] } });
    await notFound(TAG_STRATEGIES, { f: { tagIds: [aliceTag.id] } });
    // Bob's own tag on Alice's strategy, and suggestions for Alice's strategy.
    await notFound(SET_TAGS, { s: aliceStrategy, t: [bobGrowth] });
    await notFound(ADD_TAGS, { s: aliceStrategy, t: [bobGrowth] });
    await notFound(BULK, { s: [bobStrategy, aliceStrategy], t: [bobGrowth] });
    await notFound(SUGGEST, { s: aliceStrategy, n: 5 });

    // Nothing changed on either side.
    expect(await listTags(bob.u, true)).toEqual(bobBefore);
    expect(await strategyTagNames(bob.u, bobStrategy)).toEqual(['Growth']);
    const aliceTags = await listTags(alice.u, true);
    expect(aliceTags.find((t) => t.id === aliceTag.id)).toMatchObject({
      name: 'Secret',
      isArchived: false,
      usageCount: 1,
    });
    expect(aliceTags.find((t) => t.id === aliceArchived.id)).toMatchObject({ isArchived: true });
    expect(await strategyTagNames(alice.u, aliceStrategy)).toEqual(['Secret']);

    // Lists never show it.
    for (const inc of [false, true]) {
      const list = await listTags(bob.u, inc);
      expect(list.some((t) => t.id === aliceTag.id || t.id === aliceArchived.id || t.name === 'Secret')).toBe(false);
    }
    const groups = ok(await h.gql(GROUPED, { p: bob.p, by: 'TAG' }, bob.u.token)).portfolio.groupedStrategies;
    expect(groups.map((g: any) => g.key)).toEqual(['Growth']);
    expect(ok(await h.gql(STRATEGY, { id: aliceStrategy }, bob.u.token)).strategy).toBeNull();
    const bobTagStrategies = ok(await h.gql(TAG_STRATEGIES, {}, bob.u.token)).tags;
    expect(bobTagStrategies.find((t: any) => t.name === 'Growth').strategies.edges.map((e: any) => e.node.id)).toEqual([
      bobStrategy,
    ]);

    // Bob may use the same name for a tag of his own.
    expect(ok(await createTag(bob.u, { name: 'Secret' })).createTag.id).not.toBe(aliceTag.id);
  });

  it('tag operations require a login', async () => {
    const r = await h.gql(TAGS, {});
    expect(err(r).code).toBe('UNAUTHENTICATED');
    expect(err(await h.gql(CREATE_TAG, { i: { name: 'Anon' } })).code).toBe('UNAUTHENTICATED');
  });
});
