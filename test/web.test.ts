/**
 * The portfolio screen (src/web) in a real Chromium (Debian's /usr/bin/chromium driven by playwright-core; nothing
 * downloads a browser) against the real server, worker, PostgreSQL and Redis. One browser and one server for the
 * file; the tests run in order on one page, as a user would. WEB_SCREENSHOTS=1 also seeds the demo data and takes
 * the README's screenshots of it into docs/.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page, type WebSocketRoute } from 'playwright-core';
import { DEMO_PASSWORD, seedDemo } from '../src/seed/demo';
import {
  createPortfolio,
  createPosition,
  ok,
  registerUser,
  startHarness,
  until,
  type Harness,
} from './helpers/harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '..');
const SHOTS = mkdtempSync(path.join(tmpdir(), 'web-shots-'));
/** WEB_SCREENSHOTS=1: the README's screenshots, of the demo data, into docs/. */
const README_SHOTS = process.env.WEB_SCREENSHOTS === '1';
const ADMIN = `web_admin_${randomBytes(4).toString('hex')}`;
const PASSWORD = 'correct-horse-1';

/** Tickers of this file only (prices are global). */
const ticker = (p: string) => `${p}${Array.from(randomBytes(3), (b) => String.fromCharCode(65 + (b % 26))).join('')}`;
const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const fmt = (v: string) => money.format(Number(v));
/** As the app shows a nullable amount. */
const fmtOr = (v: string | null) => (v === null ? '—' : fmt(v));
const label = (t: string) => t.toLowerCase().replace(/_/g, ' ');

const PUBLISH = `mutation($p: [PriceInput!]!) { publishPrices(prices: $p) }`;
const TOTALS = `query($id: ID!) { portfolio(id: $id) {
  totals { marketValue unrealizedPnl costBasis strategyCount legCount realizedPnl totalPnl dayPnl } } }`;
const PREVIEW = `query($ids: [ID!]!) { previewStrategy(legIds: $ids) {
  type suggestedName payoff { maxProfit maxLoss breakEvenPoints } } }`;
const T0 = `query($id: ID!) { strategy(id: $id) { metrics { payoff { tZeroCurve(points: 121) { pnl } } } } }`;
const LIFECYCLE = `query($id: ID!) { strategy(id: $id) { id name status
  metrics { realizedPnl totalPnl stale }
  legs { id symbol status realizedPnl dayPnl exitPrice } timeline { date totalPnl } } }`;
const STRATS = `query($id: ID!, $f: StrategyFilter) { portfolio(id: $id) {
  strategies(first: 500, filter: $f) { totalCount
  edges { node { id name type legs { id symbol } tags { id name } metrics { unrealizedPnl stale } } } } } }`;
const GROUPED = `query($id: ID!) { portfolio(id: $id) {
  groupedStrategies(by: TAG) { key totals { unrealizedPnl } strategies { id } } } }`;
const STRATEGY = `query($id: ID!) { strategy(id: $id) { id name type legs { id } tags { name }
  metrics { stale unrealizedPnl payoff { breakEvenPoints } } } }`;

describe('portfolio screen in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let user: { token: string; username: string };
  let admin: { token: string };
  let pid: string;
  const consoleErrors: string[] = [];
  /** The page's graphql-ws sockets pass through Playwright, so a test can cut them (and refuse new ones). */
  const sockets: { page: WebSocketRoute; server: WebSocketRoute }[] = [];
  let refuseSockets = false;
  const T = { stock: ticker('W'), other: ticker('V'), idx: ticker('X') };
  const ids: Record<string, { legId: string; strategyId: string }> = {};

  const publish = async (prices: Record<string, string>) =>
    ok(await h.gql(PUBLISH, { p: Object.entries(prices).map(([symbol, price]) => ({ symbol, price })) }, admin.token));
  const strategies = async (f?: Record<string, unknown>) =>
    ok(await h.gql(STRATS, { id: pid, f }, user.token)).portfolio.strategies;
  /** Waits until the worker has recomputed every strategy of the portfolio. */
  const settled = () =>
    until(
      async () => (await strategies()).edges.every((e: any) => e.node.metrics && !e.node.metrics.stale),
      20000,
      'metrics recomputed',
    );
  const row = (name: string) =>
    page.locator('[data-strategy-id]', { has: page.getByRole('button', { name, exact: true }) });

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (see .ci/run)`);
    // Builds dist/web when its sources changed (what npm run build does).
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-web.mjs')], { cwd: ROOT, stdio: 'inherit' });
    h = await startHarness({ config: { ADMIN_USERS: ADMIN } });
    admin = await registerUser(h, ADMIN);
    user = await registerUser(h);
    pid = await createPortfolio(h, user.token, 'Web test');
    ids.stock = await createPosition(h, user.token, {
      portfolioId: pid,
      symbol: T.stock,
      quantity: '100',
      entryPrice: '100',
    });
    ids.call = await createPosition(h, user.token, {
      portfolioId: pid,
      symbol: `${T.stock}  271217C00110000`,
      quantity: '-1',
      entryPrice: '3.00',
    });
    ids.other = await createPosition(h, user.token, {
      portfolioId: pid,
      symbol: T.other,
      quantity: '50',
      entryPrice: '20',
    });
    ids.idx = await createPosition(h, user.token, {
      portfolioId: pid,
      symbol: T.idx,
      quantity: '10',
      entryPrice: '400',
    });
    ids.idxPut = await createPosition(h, user.token, {
      portfolioId: pid,
      symbol: `${T.idx}  271217P00380000`,
      quantity: '2',
      entryPrice: '12.50',
    });
    await publish({ [T.stock]: '104', [T.other]: '21.5', [T.idx]: '410' });
    // Every new user starts with the starter tags (Core among them).
    const tag = ok(await h.gql(`{ tags { id name } }`, {}, user.token)).tags.find((t: any) => t.name === 'Core').id;
    ok(
      await h.gql(
        `mutation($s: ID!, $t: [ID!]!) { addStrategyTags(strategyId: $s, tagIds: $t) { id } }`,
        { s: ids.other.strategyId, t: [tag] },
        user.token,
      ),
    );
    await settled();

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.routeWebSocket(/\/graphql$/, (ws) => {
      // 1012 (service restart): a close graphql-ws retries.
      if (refuseSockets) return ws.close({ code: 1012, reason: 'refused by the test' });
      sockets.push({ page: ws, server: ws.connectToServer() });
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('logs in and shows the strategy rows and totals the API reports', async () => {
    await page.goto(`http://localhost:${h.server.port}/`);
    await page.getByLabel('Username or email').fill(user.username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();

    const api = await strategies();
    expect(api.totalCount).toBe(5);
    for (const e of api.edges) await row(e.node.name).waitFor();
    expect(await page.locator('[data-strategy-id]').count()).toBe(5);
    for (const e of api.edges) {
      expect((await row(e.node.name).locator('[data-field=pnl]').innerText()).trim()).toBe(
        fmt(e.node.metrics.unrealizedPnl),
      );
    }
    const totals = ok(await h.gql(TOTALS, { id: pid }, user.token)).portfolio.totals;
    await until(
      async () => (await page.locator('[data-total=marketValue]').innerText()) === fmt(totals.marketValue),
      5000,
      'totals',
    );
    expect(await page.locator('[data-total=unrealizedPnl]').innerText()).toBe(fmt(totals.unrealizedPnl));
    expect(await page.locator('[data-total=costBasis]').innerText()).toBe(fmt(totals.costBasis));
    expect(await page.locator('[data-total=legCount]').innerText()).toBe(String(totals.legCount));
    expect(await page.locator('[data-total=realizedPnl]').innerText()).toBe(fmt(totals.realizedPnl));
    expect(await page.locator('[data-total=totalPnl]').innerText()).toBe(fmt(totals.totalPnl));
    expect(await page.locator('[data-total=dayPnl]').innerText()).toBe(fmtOr(totals.dayPnl));

    // Expanding a row shows its legs.
    await page.getByRole('button', { name: `Expand Long ${T.stock}` }).click();
    await page.getByLabel(`Select leg ${T.stock}`, { exact: true }).waitFor();
    await page.getByRole('button', { name: `Collapse Long ${T.stock}` }).click();
  }, 60_000);

  it('filters by name and groups by tag with the API group totals', async () => {
    await page.getByRole('searchbox', { name: 'Name' }).fill(T.other);
    await until(async () => (await page.locator('[data-strategy-id]').count()) === 1, 5000, 'one row');
    expect(await page.locator('[data-strategy-id]').getAttribute('data-strategy-id')).toBe(ids.other.strategyId);
    await page.getByRole('searchbox', { name: 'Name' }).fill('');
    await until(async () => (await page.locator('[data-strategy-id]').count()) === 5, 5000, 'all rows');

    await page.getByLabel('Group by').selectOption('TAG');
    const groups = ok(await h.gql(GROUPED, { id: pid }, user.token)).portfolio.groupedStrategies;
    expect(groups.map((g: any) => g.key)).toEqual(expect.arrayContaining(['Core', 'untagged']));
    for (const g of groups) {
      const header = page.locator(`[data-group="${g.key}"]`);
      await header.waitFor();
      expect(await header.locator('[data-field=group-pnl]').innerText()).toBe(fmt(g.totals.unrealizedPnl));
    }
    await page.getByLabel('Group by').selectOption('');
    await until(async () => (await page.locator('[data-group]').count()) === 0, 5000, 'ungrouped');
  }, 60_000);

  it('creates a tag in the sidebar and assigns it by dragging it onto a strategy row', async () => {
    // The API's message for a taken name appears by the form.
    await page.getByRole('textbox', { name: 'New tag' }).fill('growth');
    await page.getByRole('button', { name: 'Add tag' }).click();
    const refused = page.getByRole('form', { name: 'Create a tag' }).getByRole('alert');
    await refused.waitFor();
    expect(await refused.innerText()).toBe('A tag named "growth" already exists');
    await page.getByRole('textbox', { name: 'New tag' }).fill('Earnings');
    await page.getByRole('button', { name: 'Add tag' }).click();
    const tag = page.locator('.tag', { hasText: 'Earnings' }).locator('.tag-drag');
    await tag.waitFor();
    const target = row(`Long ${T.idx}`);
    const from = (await tag.boundingBox())!;
    const to = (await target.boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + 40, from.y + 10, { steps: 5 });
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 15 });
    await page.mouse.up();
    const s = await until(
      async () => {
        const r = ok(await h.gql(STRATEGY, { id: ids.idx.strategyId }, user.token)).strategy;
        return r.tags.some((t: any) => t.name === 'Earnings') ? r : null;
      },
      10000,
      'the tag assigned through the API',
    );
    expect(s.tags.map((t: any) => t.name)).toEqual(['Earnings']);
    await target.locator('.chip', { hasText: 'Earnings' }).waitFor();
    // Its usage count in the sidebar follows.
    await until(
      async () => (await page.locator('.tag', { hasText: 'Earnings' }).locator('.usage').innerText()) === '1',
      5000,
      'usage count 1',
    );
  }, 60_000);

  it('creates a covered call from two selected legs through the dialog and shows its payoff chart', async () => {
    await page.getByRole('button', { name: `Expand Long ${T.stock}` }).click();
    const call = (await strategies()).edges.find((e: any) => e.node.id === ids.call.strategyId).node;
    const callName = call.name;
    await page.getByRole('button', { name: `Expand ${callName}` }).click();
    await page.getByLabel(`Select leg ${T.stock}`, { exact: true }).check();
    await page.getByLabel(`Select leg ${call.legs[0].symbol}`, { exact: true }).check();
    await page.getByRole('button', { name: /Create strategy \(2 legs\)/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Create strategy' });
    await dialog.getByTestId('detected-type').waitFor();
    expect(await dialog.getByTestId('detected-type').innerText()).toBe('covered call');
    expect(await dialog.getByLabel('Type').inputValue()).toBe('COVERED_CALL');
    // The dialog shows previewStrategy's type, name and payoff as the API computes them.
    const preview = ok(await h.gql(PREVIEW, { ids: [ids.stock.legId, ids.call.legId] }, user.token)).previewStrategy;
    expect(preview.type).toBe('COVERED_CALL');
    expect(await dialog.getByTestId('detected-type').innerText()).toBe(label(preview.type));
    expect(await dialog.getByTestId('suggested-name').innerText()).toBe(preview.suggestedName);
    expect(await dialog.getByLabel('Name').inputValue()).toBe(preview.suggestedName);
    expect(preview.payoff).not.toBeNull();
    expect(await dialog.getByTestId('preview-max-loss').innerText()).toBe(
      preview.payoff.maxLoss === null ? 'unlimited' : fmt(preview.payoff.maxLoss),
    );
    expect(await dialog.getByTestId('preview-max-profit').innerText()).toBe(
      preview.payoff.maxProfit === null ? 'unlimited' : fmt(preview.payoff.maxProfit),
    );
    expect(await dialog.getByTestId('preview-break-evens').innerText()).toBe(preview.payoff.breakEvenPoints.join(' '));
    await dialog.getByTestId('payoff-chart').locator('canvas').waitFor();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });

    const cc = await until(
      async () => (await strategies({ types: ['COVERED_CALL'] })).edges[0]?.node,
      10000,
      'the covered call',
    );
    expect(cc.legs.map((l: any) => l.id).sort()).toEqual([ids.stock.legId, ids.call.legId].sort());
    const detail = await until(
      async () => {
        const r = ok(await h.gql(STRATEGY, { id: cc.id }, user.token)).strategy;
        return r.metrics && !r.metrics.stale ? r : null;
      },
      20000,
      'the covered call recomputed',
    );
    const breakEvens: string[] = detail.metrics.payoff.breakEvenPoints;
    expect(breakEvens.length).toBe(1);

    // The detail panel of the new strategy: payoff chart drawn, its break-even as the API has it.
    const panel = page.getByRole('complementary', { name: 'Strategy detail' });
    await panel.getByTestId('payoff-chart').locator('canvas').waitFor();
    await until(
      async () => (await panel.getByTestId('break-evens').innerText()).trim() === breakEvens.join(' '),
      10000,
      'break-evens shown',
    );
    const drawn = await panel
      .getByTestId('payoff-chart')
      .locator('canvas')
      .evaluate((c: any) => {
        // a <canvas> (the root tsconfig has no DOM types)
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let curve = 0;
        let breakEven = 0;
        let tZero = 0;
        for (let i = 0; i < d.length; i += 4) {
          if (
            Math.abs(d[i] - 124) < 30 &&
            Math.abs(d[i + 1] - 58) < 30 &&
            Math.abs(d[i + 2] - 237) < 30 &&
            d[i + 3] > 200
          )
            tZero++;
          if (
            Math.abs(d[i] - 5) < 30 &&
            Math.abs(d[i + 1] - 150) < 30 &&
            Math.abs(d[i + 2] - 105) < 30 &&
            d[i + 3] > 200
          )
            curve++;
          if (
            Math.abs(d[i] - 217) < 30 &&
            Math.abs(d[i + 1] - 119) < 30 &&
            Math.abs(d[i + 2] - 6) < 30 &&
            d[i + 3] > 200
          )
            breakEven++;
        }
        return { curve, breakEven, tZero };
      });
    expect(drawn.curve).toBeGreaterThan(100); // the expiry curve's stroke
    expect(drawn.breakEven).toBeGreaterThan(20); // the dashed break-even line
    // The T+0 curve the API computes is drawn too (a dashed violet series).
    const t0 = ok(await h.gql(T0, { id: cc.id }, user.token)).strategy.metrics.payoff.tZeroCurve;
    expect(t0.length).toBeGreaterThan(1);
    expect(drawn.tZero).toBeGreaterThan(50);
    await panel.screenshot({ path: path.join(SHOTS, 'payoff-chart.png') });
  }, 90_000);

  it('moves a P&L cell when a published price is pushed, without a reload', async () => {
    const target = row(`Long ${T.other}`).locator('[data-field=pnl]');
    const before = await target.innerText();
    expect(before).toBe(fmt('75')); // (21.5 − 20) × 50
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    const start = Date.now();
    await publish({ [T.other]: '23' });
    await until(async () => (await target.innerText()) === fmt('150'), 15000, 'the P&L cell to move');
    const ms = Date.now() - start;
    // Publish → worker → Redis → socket → cache → cell, on loopback (a figure, not an assertion).
    console.log(`web: published price to P&L cell in ${ms} ms`);
    expect(await target.locator('[data-changed]').count()).toBe(1); // the cell shows that it changed
    expect(navigations).toEqual([]);
    const totals = ok(await h.gql(TOTALS, { id: pid }, user.token)).portfolio.totals;
    await until(
      async () => (await page.locator('[data-total=unrealizedPnl]').innerText()) === fmt(totals.unrealizedPnl),
      5000,
      'totals to follow',
    );
    await page.getByRole('button', { name: 'Close detail' }).click();
    await page.screenshot({ path: path.join(SHOTS, 'portfolio-screen.png') });
  }, 60_000);

  it('shows a banner while the live connection is lost, reconnects, and updates cells again', async () => {
    expect(await page.getByText('Live connection lost').count()).toBe(0);
    refuseSockets = true;
    for (const s of sockets.splice(0)) {
      await s.server.close();
      await s.page.close({ code: 1012, reason: 'cut by the test' });
    }
    await page.getByRole('status').filter({ hasText: 'Live connection lost — reconnecting…' }).waitFor();
    refuseSockets = false;
    await page.getByText('Live connection lost').waitFor({ state: 'detached', timeout: 15000 });
    expect(sockets.length).toBe(1);
    // The subscriptions were made again on the new socket: a price moves the cell.
    const target = row(`Long ${T.other}`).locator('[data-field=pnl]');
    await until(
      async () => {
        await publish({ [T.other]: '24' });
        return (await target.innerText()) === fmt('200');
      },
      15000,
      'the P&L cell to move after the reconnect',
    );
  }, 60_000);

  it('imports a CSV and lists the bad row with its error', async () => {
    await page.getByRole('button', { name: 'Import' }).click();
    const csv = [
      'ticker,quantity,entry_price,entry_date,tags',
      `${ticker('Z')},10,50.25,2026-01-05,"Imported"`,
      `${ticker('Z')},ten,50,2026-01-05,`,
      '',
    ].join('\n');
    await page.getByLabel('CSV text').fill(csv);
    await page.locator('.import form').getByRole('button', { name: 'Import' }).click();
    const run = page.getByTestId('import-run');
    await until(
      async () => ['COMPLETED', 'FAILED'].includes((await run.getAttribute('data-status').catch(() => null)) ?? ''),
      20000,
      'the import to finish',
    );
    const errors = await run.getByRole('list', { name: 'Rows not imported' }).innerText();
    expect(errors).toMatch(/^row 2: .*quantity/i);
    expect(await run.innerText()).toContain('1 of 2 rows imported, 1 failed');
    await page.getByRole('button', { name: 'Strategies' }).click();
    await until(async () => (await page.locator('[data-strategy-id]').count()) === 5, 10000, 'the imported row listed');
  }, 60_000);

  it('switches portfolios and pages through 130 strategies with first/after, only visible rows rendered', async () => {
    const many = await createPortfolio(h, user.token, 'Many');
    const names: string[] = [];
    for (let i = 0; i < 130; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, async (_, j) => {
          const sym = `M${String(i + j).padStart(3, '0')}${ticker('')}`;
          names[i + j] = `Long ${sym}`;
          await createPosition(h, user.token, { portfolioId: many, symbol: sym, quantity: '1', entryPrice: '10' });
        }),
      );
    }
    const picker = page.getByRole('combobox', { name: 'Portfolio', exact: true });
    await picker.focus(); // the picker reads the list of portfolios again when it gets focus
    await picker.selectOption({ label: 'Many' });
    const scroller = page.getByTestId('strategy-scroll');
    const toBottom = () =>
      scroller.evaluate((el: any) => {
        el.scrollTop = el.scrollHeight;
      });
    try {
      const count = page.locator('.count');
      await until(async () => (await count.innerText()) === '130 strategies, 100 loaded', 15000, 'the first page');
      const rendered = await page.locator('[data-strategy-id]').count();
      expect(rendered).toBeGreaterThan(5);
      expect(rendered).toBeLessThan(60); // virtualised: the visible rows and a few more
      await until(
        async () => (await toBottom(), (await count.innerText()) === '130 strategies, 130 loaded'),
        15000,
        "the second page (after the first page's endCursor)",
      );
      const api = ok(
        await h.gql(
          `query($id: ID!) { portfolio(id: $id) { strategies(first: 500) { edges { node { name } } } } }`,
          { id: many },
          user.token,
        ),
      ).portfolio.strategies.edges.map((e: any) => e.node.name);
      expect(new Set(api)).toEqual(new Set(names));
      await until(
        async () => (
          await toBottom(),
          (await page.locator('[data-strategy-id]').last().innerText()).includes(api.at(-1))
        ),
        15000,
        'the last row shown',
      );
      expect(await page.locator('[data-strategy-id]').count()).toBeLessThan(60);
    } finally {
      await picker.selectOption({ label: 'Web test' });
      await until(
        async () => (await page.locator('[data-strategy-id]').count()) === 5,
        15000,
        'back to the first portfolio',
      );
    }
  }, 90_000);

  it('shows performance by type and by tag as the API computes it', async () => {
    const perf = ok(
      await h.gql(
        `query($id: ID!) { performanceByStrategyType(portfolioId: $id) { key unrealizedPnl }
      performanceByTag(portfolioId: $id) { key unrealizedPnl } }`,
        { id: pid },
        user.token,
      ),
    );
    await page.getByRole('button', { name: 'Performance' }).click();
    for (const [caption, rows] of [
      ['By strategy type', perf.performanceByStrategyType],
      ['By tag', perf.performanceByTag],
    ] as const) {
      const table = page.getByRole('table', { name: caption });
      await table.waitFor();
      expect(await table.locator('tbody tr').count()).toBe(Math.max(rows.length, 1));
      for (const r of rows) {
        const label = caption === 'By tag' ? r.key : r.key.toLowerCase().replace(/_/g, ' ');
        const cells = await table
          .getByRole('row', { name: new RegExp(`^${label}\\b`) })
          .locator('td')
          .allInnerTexts();
        expect(cells[1]).toBe(fmt(r.unrealizedPnl));
      }
    }
    await page.getByRole('button', { name: 'Strategies' }).click();
  }, 60_000);

  it('splits a strategy from its detail panel', async () => {
    const cc = (await strategies({ types: ['COVERED_CALL'] })).edges[0].node;
    await page.getByRole('button', { name: cc.name, exact: true }).click();
    const panel = page.getByRole('complementary', { name: 'Strategy detail' });
    await panel.getByRole('button', { name: 'Split' }).click();
    await panel.waitFor({ state: 'detached' });
    await until(
      async () => (await strategies({ types: ['COVERED_CALL'] })).totalCount === 0,
      10000,
      'the split through the API',
    );
    await until(async () => (await page.locator('[data-strategy-id]').count()) === 6, 10000, 'six rows');
    expect(await page.getByRole('status').filter({ hasText: 'Strategy split into its legs' }).count()).toBe(1);
  }, 60_000);

  it('works on a phone-sized viewport', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await row(`Long ${T.other}`).waitFor();
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    expect(await row(`Long ${T.other}`).locator('[data-field=pnl]').isVisible()).toBe(true);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('shows a closed leg after the open one, realized P&L, the daily timeline; closes at an exit price', async () => {
    // Daily closes of the index ticker after the entry day (2026-01-05), so the timeline has days to draw.
    const run = ok(
      await h.gql(
        `mutation($csv: String!) { importPrices(csv: $csv) { run { id } } }`,
        {
          csv: `symbol,date,open,high,low,close\n${['06', '07', '08']
            .map((d, i) => `${T.idx},2026-01-${d},${401 + i},${401 + i},${401 + i},${401 + i}`)
            .join('\n')}`,
        },
        admin.token,
      ),
    ).importPrices.run;
    const done = await until(
      async () => {
        const r = ok(
          await h.gql(`query($id: ID!) { batchRun(id: $id) { status } }`, { id: run.id }, admin.token),
        ).batchRun;
        return r && ['COMPLETED', 'FAILED'].includes(r.status) ? r : null;
      },
      60000,
      'the price import',
    );
    expect(done.status).toBe('COMPLETED');
    const combined = ok(
      await h.gql(
        `mutation($i: CombineInput!) { combineLegs(input: $i) { id } }`,
        { i: { legIds: [ids.idx.legId, ids.idxPut.legId], name: 'Idx hedged' } },
        user.token,
      ),
    ).combineLegs;
    // (15 − 12.50) × 2 contracts × 100
    const closed = ok(
      await h.gql(
        `mutation($id: ID!) { closeLeg(id: $id, exitPrice: "15") { id status realizedPnl } }`,
        { id: ids.idxPut.legId },
        user.token,
      ),
    ).closeLeg;
    expect(closed.status).toBe('CLOSED');
    expect(Number(closed.realizedPnl)).toBe(500);
    await settled();
    const api = ok(await h.gql(LIFECYCLE, { id: combined.id }, user.token)).strategy;
    expect(api.legs.map((l: any) => l.status)).toEqual(['OPEN', 'CLOSED']);

    // The row's realized P&L, and its legs: the open one first, the closed one after it, marked closed.
    const r = row('Idx hedged');
    await until(
      async () => (await r.locator('[data-field=realized]').innerText()) === fmt(api.metrics.realizedPnl),
      10000,
      'the row realized P&L',
    );
    await page.getByRole('button', { name: 'Expand Idx hedged' }).click();
    const legRows = page.locator('[data-leg-id]');
    await until(async () => (await legRows.count()) === 2, 5000, 'two leg rows');
    expect(await legRows.evaluateAll((els) => els.map((e: any) => e.dataset.legId))).toEqual(
      api.legs.map((l: any) => l.id),
    );
    expect(await legRows.nth(0).locator('[data-field=leg-status]').innerText()).toBe('open');
    expect(await legRows.nth(1).locator('[data-field=leg-status]').innerText()).toBe('closed');
    expect(await legRows.nth(1).getAttribute('class')).toContain('closed');
    expect(await legRows.nth(1).locator('[data-field=leg-realized]').innerText()).toBe(fmt(api.legs[1].realizedPnl));
    expect(await legRows.nth(0).locator('[data-field=leg-day-pnl]').innerText()).toBe(
      `day ${fmtOr(api.legs[0].dayPnl)}`,
    );
    await page.getByRole('button', { name: 'Collapse Idx hedged' }).click();
    const totalsAfterLeg = ok(await h.gql(TOTALS, { id: pid }, user.token)).portfolio.totals;
    await until(
      async () => (await page.locator('[data-total=realizedPnl]').innerText()) === fmt(totalsAfterLeg.realizedPnl),
      10000,
      'the totals realized P&L',
    );

    // The detail draws the daily timeline the API has.
    expect(api.timeline.length).toBeGreaterThanOrEqual(2);
    await r.getByRole('button', { name: 'Idx hedged', exact: true }).click();
    const panel = page.getByRole('complementary', { name: 'Strategy detail' });
    await panel.getByTestId('timeline-chart').locator('canvas').waitFor();
    expect(await panel.getByTestId('realized-pnl').innerText()).toBe(fmt(api.metrics.realizedPnl));

    // Closing with an exit price typed for the open leg.
    await panel.getByRole('button', { name: 'Close strategy…' }).click();
    await panel.getByLabel(`Exit price ${T.idx}`).fill('420');
    await panel.getByRole('button', { name: 'Close at these prices' }).click();
    const after = await until(
      async () => {
        const s = ok(await h.gql(LIFECYCLE, { id: combined.id }, user.token)).strategy;
        return s.status === 'CLOSED' ? s : null;
      },
      10000,
      'the strategy closed through the API',
    );
    const idxLeg = after.legs.find((l: any) => l.id === ids.idx.legId);
    expect(Number(idxLeg.exitPrice)).toBe(420);
    expect(Number(idxLeg.realizedPnl)).toBe(200); // (420 − 400) × 10
    expect(Number(after.metrics.realizedPnl)).toBe(700);
    const totals = ok(await h.gql(TOTALS, { id: pid }, user.token)).portfolio.totals;
    await until(
      async () => (await page.locator('[data-total=realizedPnl]').innerText()) === fmt(totals.realizedPnl),
      10000,
      'the totals realized P&L after closing',
    );
    expect(await page.locator('[data-total=totalPnl]').innerText()).toBe(fmt(totals.totalPnl));
    await panel.getByRole('button', { name: 'Close detail' }).click();
  }, 120_000);

  (README_SHOTS ? it : it.skip)(
    'takes the README screenshots of the demo data',
    async () => {
      await seedDemo(h.app);
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByLabel('Username or email').fill('demo_balanced');
      await page.getByLabel('Password').fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.locator('[data-strategy-id]').first().waitFor();
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(ROOT, 'docs', 'portfolio-screen.png') });
      const demo = ok(
        await h.gql(
          `mutation { login(input: { usernameOrEmail: "demo_balanced", password: "${DEMO_PASSWORD}" }) { token } }`,
        ),
      ).login.token;
      const [p] = ok(await h.gql(`{ portfolios { id } }`, {}, demo)).portfolios;
      const condor = ok(await h.gql(STRATS, { id: p.id, f: { types: ['IRON_CONDOR'] } }, demo)).portfolio.strategies
        .edges[0].node;
      await page.getByRole('searchbox', { name: 'Name' }).fill(condor.name);
      await row(condor.name).getByRole('button', { name: condor.name, exact: true }).click();
      const panel = page.getByRole('complementary', { name: 'Strategy detail' });
      await panel.getByTestId('payoff-chart').locator('canvas').waitFor();
      await page.getByRole('searchbox', { name: 'Name' }).fill('');
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(ROOT, 'docs', 'payoff-chart.png') });
    },
    120_000,
  );

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
