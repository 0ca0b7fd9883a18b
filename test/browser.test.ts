import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createPortfolio, createPosition, registerUser, startHarness, until, type Harness } from './helpers/harness';

/**
 * Real browser clients, in Debian's chromium driven by playwright-core (nothing downloads a browser; `.ci/run`
 * installs chromium): the IDE the API serves, and a page of another origin calling the API with CORS and graphql-ws.
 */
const CHROMIUM = '/usr/bin/chromium';
const GRAPHQL_WS_UMD = readFileSync(
  path.join(path.dirname(require.resolve('graphql-ws/package.json')), 'umd/graphql-ws.min.js'),
);

/** The page a web app on another origin would serve: it logs in nowhere, it is given a token and a portfolio. */
const APP_PAGE = `<!doctype html><html><head><meta charset="utf-8"><script src="/graphql-ws.js"></script></head><body>
<script>
window.run = async function (api, token, portfolioId) {
  const r = await fetch(api, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
    body: JSON.stringify({
      query: 'query($id: ID!) { node(id: $id) { __typename ... on Portfolio { name } } }',
      variables: { id: portfolioId },
    }),
  });
  window.queried = await r.json();
  window.events = [];
  window.socketErrors = [];
  const client = graphqlWs.createClient({
    url: api.replace(/^http/, 'ws'),
    connectionParams: { authorization: 'Bearer ' + token },
    retryAttempts: 0,
    on: { connected: () => { window.connected = true; } },
  });
  client.subscribe(
    {
      query: 'subscription($p: ID!) { portfolioChanged(portfolioId: $p) { kind strategyIds } }',
      variables: { p: portfolioId },
    },
    {
      next: (v) => window.events.push(v),
      error: (e) => window.socketErrors.push(String(e && (e.code || e.message || e))),
      complete: () => {},
    },
  );
};
window.tryFetch = async function (api) {
  try {
    const headers = { 'content-type': 'application/json' };
    await fetch(api, { method: 'POST', headers, body: '{"query":"{ __typename }"}' });
    return 'answered';
  } catch (e) {
    return 'blocked';
  }
};
</script></body></html>`;

/** A second local HTTP server: the origin of a web app (serves its page and graphql-ws's browser bundle). */
async function appServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/graphql-ws.js')
      return res.writeHead(200, { 'content-type': 'text/javascript' }).end(GRAPHQL_WS_UMD);
    res.writeHead(200, { 'content-type': 'text/html' }).end(APP_PAGE);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

const available = existsSync(CHROMIUM);
if (!available) console.warn(`${CHROMIUM} is missing (apt-get install -y chromium): the browser tests are skipped`);

(available ? describe : describe.skip)('in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let app: Awaited<ReturnType<typeof appServer>>;
  let other: Awaited<ReturnType<typeof appServer>>;
  beforeAll(async () => {
    app = await appServer();
    other = await appServer();
    h = await startHarness({ worker: false, config: { CORS_ORIGINS: app.origin } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await app?.close();
    await other?.close();
  });

  /** A fresh page whose every request is recorded. */
  async function page(): Promise<{ page: Page; requests: string[]; problems: string[] }> {
    const p = await browser.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    p.on('request', (r) => requests.push(r.url()));
    p.on('pageerror', (e) => problems.push(e.message));
    return { page: p, requests, problems };
  }

  /** Sets the text of the shown GraphiQL editor (CodeMirror 5) under `selector` (a hidden one is the other tab's). */
  const setEditor = (p: Page, selector: string, value: string) =>
    p.evaluate(
      ([sel, v]) => {
        const el = [...(globalThis as any).document.querySelectorAll(sel)].find(
          (e: any) => !e.parentElement.classList.contains('hidden'),
        );
        el.CodeMirror.setValue(v);
      },
      [selector, value] as const,
    );
  /**
   * GraphiQL takes the editor's text into its state after a short debounce; until then the execute button still
   * sees the previous document (the default one has two operations, so a click opens the operation picker instead
   * of running). Its tab shows the operation's name once the state holds it.
   */
  const operationReady = (p: Page, name: string) =>
    p.waitForFunction(
      (n) =>
        (globalThis as any).document.querySelector('.graphiql-tab-active, .graphiql-tab')?.textContent?.includes(n),
      name,
      { timeout: 10_000 },
    );
  const response = (p: Page) =>
    p.evaluate(
      () =>
        ((globalThis as any).document.querySelector('.result-window .CodeMirror') as any)?.CodeMirror.getValue() ?? '',
    );

  it('GraphiQL at /graphql loads from the API alone, runs a query and a subscription with edited auth', async () => {
    const u = await registerUser(h);
    const portfolioId = await createPortfolio(h, u.token, 'Seen in GraphiQL');
    const { page: p, requests, problems } = await page();
    try {
      await p.goto(h.server.url);
      await p.waitForSelector('.graphiql-container .graphiql-query-editor .CodeMirror', { timeout: 20_000 });
      await setEditor(p, '.graphiql-editor-tool .CodeMirror', JSON.stringify({ Authorization: `Bearer ${u.token}` }));
      await setEditor(p, '.graphiql-query-editor .CodeMirror', `query Mine { portfolios { id name } }`);
      await operationReady(p, 'Mine');
      await p.click('.graphiql-execute-button');
      await until(async () => (await response(p)).includes('Seen in GraphiQL'), 20_000, 'the query result in GraphiQL');
      expect(JSON.parse(await response(p))).toEqual({
        data: { portfolios: [{ id: portfolioId, name: 'Seen in GraphiQL' }] },
      });

      await setEditor(
        p,
        '.graphiql-query-editor .CodeMirror',
        `subscription Live { portfolioChanged(portfolioId: "${portfolioId}") { kind } }`,
      );
      await operationReady(p, 'Live');
      await p.click('.graphiql-execute-button');
      // Once the socket is subscribed, a change made elsewhere shows up in the IDE.
      await until(
        async () => {
          await createPosition(h, u.token, { portfolioId, symbol: 'IBM', quantity: 1, entryPrice: '100' });
          return (await response(p)).includes('STRATEGY_CREATED');
        },
        20_000,
        'a subscription event in GraphiQL',
      );

      const origin = new URL(h.server.url).origin;
      expect(
        requests.filter(
          (r) => !r.startsWith(origin) && !r.startsWith(origin.replace(/^http/, 'ws')) && !r.startsWith('data:'),
        ),
      ).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await p.close();
    }
  }, 90_000);

  it('a page of an allowed origin queries with CORS and receives a subscription event over graphql-ws', async () => {
    const u = await registerUser(h);
    const portfolioId = await createPortfolio(h, u.token, 'Cross-origin');
    const { page: p, problems } = await page();
    try {
      await p.goto(`${app.origin}/`);
      await p.evaluate(([api, token, id]) => (globalThis as any).run(api, token, id), [
        h.server.url,
        u.token,
        portfolioId,
      ] as const);
      expect(await p.evaluate(() => (globalThis as any).queried)).toEqual({
        data: { node: { __typename: 'Portfolio', name: 'Cross-origin' } },
      });
      await until(() => p.evaluate(() => (globalThis as any).connected === true), 10_000, 'the socket');
      const { strategyId } = await until(
        async () => {
          const created = await createPosition(h, u.token, {
            portfolioId,
            symbol: 'MSFT',
            quantity: 2,
            entryPrice: '300',
          });
          return (await p.evaluate(() => (globalThis as any).events.length)) > 0 && created;
        },
        20_000,
        'a subscription event in the page',
      );
      const events = await p.evaluate(() => (globalThis as any).events);
      expect(events[0].data.portfolioChanged.kind).toBe('STRATEGY_CREATED');
      expect(events.some((e: any) => e.data.portfolioChanged.strategyIds.includes(strategyId))).toBe(true);
      expect(await p.evaluate(() => (globalThis as any).socketErrors)).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await p.close();
    }
  }, 60_000);

  it('a page of an origin not listed can neither read answers nor open a socket', async () => {
    const u = await registerUser(h);
    const portfolioId = await createPortfolio(h, u.token);
    const { page: p } = await page();
    try {
      await p.goto(`${other.origin}/`);
      expect(await p.evaluate((api) => (globalThis as any).tryFetch(api), h.server.url)).toBe('blocked');
      await p.evaluate(([api, token, id]) => (globalThis as any).run(api, token, id).catch(() => undefined), [
        h.server.url,
        u.token,
        portfolioId,
      ] as const);
      await p.evaluate(
        ([api, token, id]) => {
          const w = globalThis as any;
          w.events = [];
          w.socketErrors = [];
          w.connected = false;
          const c = w.graphqlWs.createClient({
            url: api.replace(/^http/, 'ws'),
            connectionParams: { authorization: 'Bearer ' + token },
            retryAttempts: 0,
          });
          c.subscribe(
            { query: 'subscription($p: ID!) { portfolioChanged(portfolioId: $p) { kind } }', variables: { p: id } },
            {
              next: (v: unknown) => w.events.push(v),
              error: (e: any) => w.socketErrors.push(String(e?.code ?? e?.type ?? e)),
              complete: () => undefined,
            },
          );
        },
        [h.server.url, u.token, portfolioId] as const,
      );
      await until(() => p.evaluate(() => (globalThis as any).socketErrors.length > 0), 10_000, 'the refused socket');
      expect(await p.evaluate(() => (globalThis as any).events)).toEqual([]);
    } finally {
      await p.close();
    }
  }, 60_000);
});
