import { createPortfolio, ok, registerUser, startHarness, subscribe, until, type Harness } from './helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ config: { ADMIN_USERS: 'obs_admin' } });
});
afterAll(() => h.close());

const gauge = async () => {
  const text = await (await fetch(h.server.url.replace('/graphql', '/metrics'))).text();
  return Number(/^graphql_active_subscriptions (\d+)/m.exec(text)?.[1]);
};

describe('observability', () => {
  it('counts open subscriptions in /metrics, including those closed with their socket', async () => {
    const u = await registerUser(h);
    const p = await createPortfolio(h, u.token);
    const before = await gauge();
    const client = h.ws(u.token);
    const subs = [1, 2, 3].map(() =>
      subscribe(client, 'subscription($p: ID!) { portfolioChanged(portfolioId: $p) { kind } }', { p }),
    );
    await until(async () => (await gauge()) === before + 3, 5000, 'three subscriptions counted');
    subs[0].dispose();
    await until(async () => (await gauge()) === before + 2, 5000, 'one completed');
    await client.dispose();
    await until(async () => (await gauge()) === before, 5000, 'socket closed');
  });

  it('answers with an x-request-id and counts errors by code', async () => {
    const res = await fetch(h.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ portfolios { id } }' }),
    });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const text = await (await fetch(h.server.url.replace('/graphql', '/metrics'))).text();
    expect(text).toMatch(/graphql_errors_total\{code="UNAUTHENTICATED"\} \d+/);
  });
});

describe('the daily batch', () => {
  it('purges tags archived more than 90 days ago and keeps the recently archived ones', async () => {
    const admin = await registerUser(h, 'obs_admin');
    const u = await registerUser(h);
    const tags = ok(await h.gql('{ tags { id name } }', {}, u.token)).tags;
    const [old, recent] = [tags[0].id, tags[1].id];
    for (const id of [old, recent])
      ok(await h.gql('mutation($id: ID!) { archiveTag(id: $id) { id } }', { id }, u.token));
    await h.app.ds.query(`UPDATE tags SET archived_at = now() - interval '91 days' WHERE id = $1`, [old]);
    const run = ok(
      await h.gql('mutation { startBatchRun(kind: DAILY, force: true) { id } }', {}, admin.token),
    ).startBatchRun;
    await until(
      async () =>
        ok(await h.gql('query($id: ID!) { batchRun(id: $id) { status } }', { id: run.id }, admin.token)).batchRun
          .status === 'COMPLETED',
      20000,
      'daily run',
    );
    const left = ok(await h.gql('{ tags(includeArchived: true) { id } }', {}, u.token)).tags.map(
      (t: { id: string }) => t.id,
    );
    expect(left).not.toContain(old);
    expect(left).toContain(recent);
  });
});
