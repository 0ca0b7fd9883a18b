/**
 * Trade lifecycle and history (API.md "Trade lifecycle and history"): closing legs and strategies, rolls, realized and
 * day P&L, daily bars (imported and from prices), timelines, performance and trades, over real HTTP and graphql-ws
 * with a real worker.
 */
import { randomBytes } from 'node:crypto';
import Decimal from 'decimal.js';
import fc from 'fast-check';
import { previousCloseDay } from '../src/domain/trading-calendar';
import { TOPICS } from '../src/infra/queues';
import {
  createPortfolio,
  createPosition,
  err,
  ok,
  registerUser,
  startHarness,
  subscribe,
  until,
  type Harness,
} from './helpers/harness';

const ADMIN = `life_admin_${randomBytes(4).toString('hex')}`;
const CONFIG = { ADMIN_USERS: ADMIN };

/** A ticker no other test publishes prices for (prices and bars are global), usable as an OCC root. */
const symbol = () => `L${Array.from(randomBytes(5), (b) => String.fromCharCode(65 + (b % 26))).join('')}`;
const today = () => new Date().toISOString().slice(0, 10);

const LEG = `id symbol status quantity positionType entryPrice entryDate markPrice exitPrice exitDate
  marketValue costBasis unrealizedPnl realizedPnl dayPnl priceSource greeks { delta }`;
const STRATEGY = `query($id: ID!) { strategy(id: $id) {
  id status type legCount isSynthetic legs { ${LEG} } versions { change details }
  metrics { unrealizedPnl realizedPnl totalPnl dayPnl netDelta stale } } }`;
const CLOSE_LEG = `mutation($id: ID!, $p: Decimal, $q: Decimal, $d: Date) {
  closeLeg(id: $id, exitPrice: $p, quantity: $q, exitDate: $d) { ${LEG} } }`;
const CLOSE_STRATEGY = `mutation($id: ID!, $e: [LegExitInput!], $d: Date) {
  closeStrategy(id: $id, exitPrices: $e, exitDate: $d) { id status closedAt } }`;
const ROLL = `mutation($id: ID!, $s: String!, $e: Decimal!, $x: Decimal, $q: Decimal) {
  rollLeg(id: $id, newSymbol: $s, entryPrice: $e, exitPrice: $x, quantity: $q) {
    id status legs { id symbol status quantity positionType entryPrice exitPrice realizedPnl } } }`;
const PUBLISH = `mutation($p: [PriceInput!]!) { publishPrices(prices: $p) }`;
const IMPORT_PRICES = `mutation($csv: String!) { importPrices(csv: $csv) { run { id kind status } } }`;
const RUN = `query($id: ID!) { batchRun(id: $id) { id kind status total completed failed errors message } }`;
const TOTALS = `query($p: ID!) { portfolio(id: $p) {
  totals { marketValue unrealizedPnl realizedPnl totalPnl dayPnl strategyCount legCount } } }`;
const DAY = 'date marketValue unrealizedPnl realizedPnl totalPnl dailyPnl';
const STRATEGY_TIMELINE = `query($id: ID!, $f: Date, $t: Date) {
  strategy(id: $id) { timeline(from: $f, to: $t) { ${DAY} } } }`;
const PORTFOLIO_HISTORY = `query($p: ID!, $f: Date, $t: Date) { portfolio(id: $p) {
  timeline(from: $f, to: $t) { ${DAY} }
  performance(from: $f, to: $t) {
    days returnPct sharpeRatio sortinoRatio calmarRatio maxDrawdown volatility var95 winRate }
  trades(from: $f, to: $t) { closedCount winningCount losingCount realizedPnl averageHoldingDays profitFactor } } }`;

type Run = {
  id: string;
  status: string;
  total: number;
  completed: number;
  failed: number;
  errors: string[];
  message: string;
};

describe('trade lifecycle and history', () => {
  let h: Harness;
  let idle: Harness;
  let admin: { token: string };
  let u: { token: string; id: string };

  beforeAll(async () => {
    h = await startHarness({ config: CONFIG });
    idle = await startHarness({
      worker: false,
      config: { ...CONFIG, QUEUE_PREFIX: `${process.env.TEST_QUEUE_PREFIX}_lidle`.slice(0, 40) },
    });
    admin = await registerUser(h, ADMIN);
    u = await registerUser(h);
  });
  afterAll(async () => {
    await idle?.close();
    await h?.close();
  });

  const publish = async (prices: Record<string, string>) =>
    ok(await h.gql(PUBLISH, { p: Object.entries(prices).map(([s, price]) => ({ symbol: s, price })) }, admin.token));
  const finished = (id: string) =>
    until(
      async () => {
        const run: Run | null = ok(await h.gql(RUN, { id }, admin.token)).batchRun;
        return run && ['COMPLETED', 'FAILED'].includes(run.status) ? run : null;
      },
      60000,
      `price import ${id}`,
    );
  const importPrices = async (csv: string): Promise<Run> =>
    finished(ok(await h.gql(IMPORT_PRICES, { csv }, admin.token)).importPrices.run.id);
  /** Bars with open = high = low = close. */
  const bars = (rows: [string, string, string][]) =>
    importPrices(
      `symbol,date,open,high,low,close\n${rows.map(([s, d, c]) => `${s},${d},${c},${c},${c},${c}`).join('\n')}`,
    );
  const strategy = async (id: string) => ok(await h.gql(STRATEGY, { id }, u.token)).strategy;
  /** The strategy once its metrics are recomputed (not stale). */
  const settled = (id: string) =>
    until(
      async () => {
        const s = await strategy(id);
        return s.metrics && !s.metrics.stale ? s : null;
      },
      20000,
      `metrics of ${id}`,
    );
  const legOf = async (strategyId: string, legId: string) =>
    (await strategy(strategyId)).legs.find((l: { id: string }) => l.id === legId);
  const plain = (rows: Record<string, string>[]) =>
    rows.map((r) => [r.date, r.marketValue, r.unrealizedPnl, r.realizedPnl, r.totalPnl, r.dailyPnl]);

  describe('closing legs', () => {
    it('closes a stock leg in part, then in whole, with exact realized P&L; closed legs do not move', async () => {
      const pid = await createPortfolio(h, u.token, 'Close');
      const sym = symbol();
      const { legId, strategyId } = await createPosition(h, u.token, {
        portfolioId: pid,
        symbol: sym,
        quantity: '100',
        entryPrice: '50',
      });
      await publish({ [sym]: '60' });

      const part = ok(await h.gql(CLOSE_LEG, { id: legId, p: '55', q: '40', d: '2026-01-07' }, u.token)).closeLeg;
      expect(part).toMatchObject({
        status: 'CLOSED',
        quantity: '40',
        exitPrice: '55',
        exitDate: '2026-01-07',
        markPrice: '55',
        realizedPnl: '200',
        marketValue: '0',
        costBasis: '0',
        unrealizedPnl: '0',
        dayPnl: null,
        greeks: null,
        positionType: 'LONG',
        entryPrice: '50',
      });
      expect(part.id).not.toBe(legId);
      let s = await settled(strategyId);
      expect(s).toMatchObject({ status: 'ACTIVE', legCount: 2, isSynthetic: false });
      // the OPEN rest first, then the CLOSED part
      expect(s.legs.map((l: { id: string; status: string; quantity: string }) => [l.id, l.status, l.quantity])).toEqual(
        [
          [legId, 'OPEN', '60'],
          [part.id, 'CLOSED', '40'],
        ],
      );
      expect(s.metrics).toMatchObject({ unrealizedPnl: '600', realizedPnl: '200', totalPnl: '800', netDelta: 60 });
      expect(s.versions.at(-1)).toMatchObject({ change: 'leg_closed' });

      await publish({ [sym]: '70' });
      expect(await legOf(strategyId, part.id)).toMatchObject({
        markPrice: '55',
        realizedPnl: '200',
        marketValue: '0',
        unrealizedPnl: '0',
      });
      expect(await legOf(strategyId, legId)).toMatchObject({
        markPrice: '70',
        unrealizedPnl: '1200',
        realizedPnl: '0',
        status: 'OPEN',
      });

      // without an exit price: at its mark (70) today; the strategy closes with its last OPEN leg
      const rest = ok(await h.gql(CLOSE_LEG, { id: legId }, u.token)).closeLeg;
      expect(rest).toMatchObject({
        id: legId,
        status: 'CLOSED',
        quantity: '60',
        exitPrice: '70',
        exitDate: today(),
        realizedPnl: '1200',
      });
      s = await settled(strategyId);
      expect(s).toMatchObject({ status: 'CLOSED', legCount: 2 });
      expect(s.metrics).toMatchObject({ unrealizedPnl: '0', realizedPnl: '1400', totalPnl: '1400', dayPnl: null });
      expect(s.versions.map((v: { change: string }) => v.change).slice(-3)).toEqual([
        'leg_closed',
        'leg_closed',
        'closed',
      ]);
      const totals = ok(await h.gql(TOTALS, { p: pid }, u.token)).portfolio.totals;
      expect(totals).toEqual({
        marketValue: '0',
        unrealizedPnl: '0',
        realizedPnl: '1400',
        totalPnl: '1400',
        dayPnl: null,
        strategyCount: 0,
        legCount: 0,
      });
      expect(err(await h.gql(CLOSE_LEG, { id: legId }, u.token))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'id',
      });
    });

    it('closes part of a short option and rolls another part in one transaction with one version', async () => {
      const pid = await createPortfolio(h, u.token, 'Options');
      const und = symbol().slice(0, 6);
      const call = `${und}271217C00100000`;
      const { legId, strategyId } = await createPosition(h, u.token, {
        portfolioId: pid,
        symbol: call,
        quantity: '-3',
        entryPrice: '4',
      });
      // short: −1 × 1 × 100 × (2.50 − 4.00) = 150
      const part = ok(await h.gql(CLOSE_LEG, { id: legId, p: '2.5', q: '1', d: '2026-01-06' }, u.token)).closeLeg;
      expect(part).toMatchObject({ positionType: 'SC', quantity: '1', realizedPnl: '150', status: 'CLOSED' });
      const before = (await strategy(strategyId)).versions.length;

      const next = `${und}280121C00110000`;
      const rolled = ok(await h.gql(ROLL, { id: legId, s: next, e: '3.2', x: '1', q: '1' }, u.token)).rollLeg;
      expect(rolled.status).toBe('ACTIVE');
      const legs = rolled.legs.map((l: Record<string, string>) => [
        l.symbol,
        l.status,
        l.quantity,
        l.positionType,
        l.entryPrice,
        l.exitPrice,
        l.realizedPnl,
      ]);
      expect(legs).toEqual([
        [call, 'OPEN', '1', 'SC', '4', null, '0'],
        [next, 'OPEN', '1', 'SC', '3.2', null, '0'],
        [call, 'CLOSED', '1', 'SC', '4', '2.5', '150'],
        [call, 'CLOSED', '1', 'SC', '4', '1', '300'],
      ]);
      const s = await settled(strategyId);
      expect(s.versions).toHaveLength(before + 1);
      expect(s.versions.at(-1).change).toBe('rolled');
      expect(s.metrics.realizedPnl).toBe('450');

      // rolling a stock, into a malformed or expired symbol, or into itself: BAD_USER_INPUT, nothing written
      const stock = await createPosition(h, u.token, {
        portfolioId: pid,
        symbol: und,
        quantity: '10',
        entryPrice: '5',
      });
      expect(err(await h.gql(ROLL, { id: stock.legId, s: next, e: '1' }, u.token))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'id',
      });
      for (const bad of [`${und}271317C00100000`, `${und}250117C00100000`, und, call]) {
        expect(err(await h.gql(ROLL, { id: legId, s: bad, e: '1' }, u.token))).toMatchObject({
          code: 'BAD_USER_INPUT',
          field: 'newSymbol',
        });
      }
      expect(err(await h.gql(ROLL, { id: legId, s: next, e: '-1' }, u.token))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'entryPrice',
      });
      expect(err(await h.gql(ROLL, { id: legId, s: next, e: '1', q: '2' }, u.token))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'quantity',
      });
      const after = await strategy(strategyId);
      expect(after.versions).toHaveLength(before + 1);
      expect(after.legs).toHaveLength(4);
    });

    it('closes a strategy at given prices and at marks; closed legs cannot be moved or updated', async () => {
      const pid = await createPortfolio(h, u.token, 'Close strategy');
      const sym = symbol().slice(0, 6);
      const stock = await createPosition(h, u.token, {
        portfolioId: pid,
        symbol: sym,
        quantity: '100',
        entryPrice: '20',
      });
      const call = await createPosition(h, u.token, {
        portfolioId: pid,
        symbol: `${sym}271217C00025000`,
        quantity: '-1',
        entryPrice: '1.5',
      });
      const cc = ok(
        await h.gql(
          `mutation($l: [ID!]!) { combineLegs(input: { legIds: $l }) { id type } }`,
          { l: [stock.legId, call.legId] },
          u.token,
        ),
      ).combineLegs;
      expect(cc.type).toBe('COVERED_CALL');
      await publish({ [sym]: '22' });
      const closed = ok(
        await h.gql(
          CLOSE_STRATEGY,
          { id: cc.id, e: [{ legId: call.legId, exitPrice: '0.5' }], d: '2026-01-08' },
          u.token,
        ),
      ).closeStrategy;
      expect(closed.status).toBe('CLOSED');
      const s = await settled(cc.id);
      // stock at its mark: 100 × (22 − 20) = 200; call: −100 × (0.50 − 1.50) = 100
      expect(
        s.legs.map((l: Record<string, string>) => [l.id, l.status, l.exitPrice, l.exitDate, l.realizedPnl]),
      ).toEqual([
        [stock.legId, 'CLOSED', '22', '2026-01-08', '200'],
        [call.legId, 'CLOSED', '0.5', '2026-01-08', '100'],
      ]);
      expect(s.metrics).toMatchObject({ unrealizedPnl: '0', realizedPnl: '300', totalPnl: '300', netDelta: 0 });

      const other = await createPosition(h, u.token, {
        portfolioId: pid,
        symbol: sym,
        quantity: '5',
        entryPrice: '21',
      });
      const refused = [
        h.gql(
          `mutation($s: ID!, $l: ID!) { addLeg(strategyId: $s, legId: $l) { id } }`,
          { s: other.strategyId, l: stock.legId },
          u.token,
        ),
        h.gql(
          `mutation($l: [ID!]!) { combineLegs(input: { legIds: $l }) { id } }`,
          { l: [stock.legId, other.legId] },
          u.token,
        ),
        h.gql(`mutation($id: ID!) { updateLeg(id: $id, quantity: 3) { id } }`, { id: stock.legId }, u.token),
        h.gql(`mutation($id: ID!) { deleteLeg(id: $id) }`, { id: stock.legId }, u.token),
        h.gql(`mutation($id: ID!) { splitStrategy(id: $id) { id } }`, { id: cc.id }, u.token),
        h.gql(CLOSE_STRATEGY, { id: cc.id }, u.token),
      ];
      for (const r of await Promise.all(refused)) expect(err(r).code).toBe('BAD_USER_INPUT');
      expect(err(await refused[0])).toMatchObject({ field: 'legId' });

      // a strategy closed without exit prices: every leg at its mark
      await publish({ [sym]: '23' });
      ok(await h.gql(CLOSE_STRATEGY, { id: other.strategyId }, u.token));
      expect(await legOf(other.strategyId, other.legId)).toMatchObject({
        status: 'CLOSED',
        exitPrice: '23',
        exitDate: today(),
        realizedPnl: '10',
      });
      const totals = ok(await h.gql(TOTALS, { p: pid }, u.token)).portfolio.totals;
      expect(totals).toMatchObject({ realizedPnl: '310', totalPnl: '310', strategyCount: 0, legCount: 0 });
    });

    it('refuses bad input (BAD_USER_INPUT naming the field, nothing written); NOT_FOUND for others', async () => {
      const pid = await createPortfolio(h, u.token, 'Bad');
      const { legId, strategyId } = await createPosition(h, u.token, {
        portfolioId: pid,
        symbol: symbol(),
        quantity: '10',
        entryPrice: '5',
        entryDate: '2026-01-06',
      });
      const before = await strategy(strategyId);
      const cases: [Record<string, unknown>, string][] = [
        [{ q: '11' }, 'quantity'],
        [{ q: '0' }, 'quantity'],
        [{ q: '-1' }, 'quantity'],
        [{ p: '-0.01' }, 'exitPrice'],
        [{ d: '2026-01-05' }, 'exitDate'],
        [{ d: '2099-01-02' }, 'exitDate'],
      ];
      for (const [vars, field] of cases) {
        expect(err(await h.gql(CLOSE_LEG, { id: legId, p: '6', ...vars }, u.token))).toMatchObject({
          code: 'BAD_USER_INPUT',
          field,
        });
      }
      const other = await createPosition(h, u.token, {
        portfolioId: pid,
        symbol: symbol(),
        quantity: '1',
        entryPrice: '1',
      });
      expect(
        err(await h.gql(CLOSE_STRATEGY, { id: strategyId, e: [{ legId: other.legId, exitPrice: '1' }] }, u.token)),
      ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'exitPrices' });
      expect(
        err(await h.gql(CLOSE_STRATEGY, { id: strategyId, e: [{ legId, exitPrice: '-1' }] }, u.token)),
      ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'exitPrices' });
      expect(err(await h.gql(CLOSE_STRATEGY, { id: strategyId, d: '2026-01-05' }, u.token))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'exitDate',
      });
      const after = await strategy(strategyId);
      expect(after.versions).toEqual(before.versions);
      expect(after.legs).toEqual(before.legs);
      expect(after.status).toBe('ACTIVE');

      const stranger = await registerUser(h);
      expect(err(await h.gql(CLOSE_LEG, { id: legId }, stranger.token)).code).toBe('NOT_FOUND');
      expect(err(await h.gql(CLOSE_STRATEGY, { id: strategyId }, stranger.token)).code).toBe('NOT_FOUND');
      expect(err(await h.gql(ROLL, { id: legId, s: 'AAPL281215C00100000', e: '1' }, stranger.token)).code).toBe(
        'NOT_FOUND',
      );
      expect((await strategy(strategyId)).legs).toEqual(before.legs);
    });
  });

  describe('daily bars and day P&L', () => {
    it("gives day P&L against the previous trading day's close, for legs, strategies and the portfolio", async () => {
      const pid = await createPortfolio(h, u.token, 'Day');
      const [a, b, c] = [symbol(), symbol(), symbol()];
      const prev = previousCloseDay(new Date());
      await bars([
        [a, prev, '100'],
        [b, prev, '40'],
      ]);
      const la = await createPosition(h, u.token, { portfolioId: pid, symbol: a, quantity: '10', entryPrice: '90' });
      const lb = await createPosition(h, u.token, { portfolioId: pid, symbol: b, quantity: '-5', entryPrice: '50' });
      const lc = await createPosition(h, u.token, {
        portfolioId: pid,
        symbol: c,
        quantity: '2',
        entryPrice: '30',
        entryDate: today(),
      });
      const lp = await createPosition(h, u.token, {
        portfolioId: pid,
        symbol: `FUND_${symbol()}`,
        quantity: '1',
        entryPrice: '1000',
      });
      await publish({ [a]: '103', [b]: '41', [c]: '31' });
      expect((await legOf(la.strategyId, la.legId)).dayPnl).toBe('30'); // 10 × (103 − 100)
      expect((await legOf(lb.strategyId, lb.legId)).dayPnl).toBe('-5'); // −5 × (41 − 40)
      expect((await legOf(lc.strategyId, lc.legId)).dayPnl).toBe('2'); // opened today: 2 × (31 − 30)
      expect((await legOf(lp.strategyId, lp.legId)).dayPnl).toBeNull(); // no close known
      expect((await settled(la.strategyId)).metrics.dayPnl).toBe('30');
      expect((await settled(lp.strategyId)).metrics.dayPnl).toBeNull();
      expect(ok(await h.gql(TOTALS, { p: pid }, u.token)).portfolio.totals.dayPnl).toBe('27');
      // the ticks made today's bar (when today is a trading day) without touching the previous one
      const history = ok(
        await h.gql(`query($s: String!) { priceHistory(symbol: $s) { date close } }`, { s: a.toLowerCase() }, u.token),
      ).priceHistory;
      expect(history[0]).toEqual({ date: prev, close: '100' });
    });

    it('keeps a bar per trading day from prices: first opens, last by time closes, late ticks widen', async () => {
      const sym = symbol();
      const at = (t: string) => `2026-01-06T${t}Z`;
      ok(
        await h.gql(
          PUBLISH,
          {
            p: [
              { symbol: sym, price: '10', at: at('15:00:00') },
              { symbol: sym, price: '12', at: at('18:00:00') },
            ],
          },
          admin.token,
        ),
      );
      ok(
        await h.gql(
          PUBLISH,
          {
            p: [
              { symbol: sym, price: '9', at: at('16:00:00') },
              { symbol: sym, price: '11', at: '2026-01-10T15:00:00Z' },
            ],
          },
          admin.token,
        ),
      );
      const rows = ok(
        await h.gql(
          `query($s: String!) { priceHistory(symbol: $s) { date open high low close volume } }`,
          { s: sym },
          u.token,
        ),
      ).priceHistory;
      // 2026-01-10 is a Saturday: no bar
      expect(rows).toEqual([{ date: '2026-01-06', open: '10', high: '12', low: '9', close: '12', volume: null }]);
    });

    it('imports prices from CSV: valid rows kept, bad rows reported, progress streamed, holders told', async () => {
      const [a, b] = [symbol(), symbol()];
      expect(
        err(await h.gql(IMPORT_PRICES, { csv: 'symbol,date,open,high,low,close\nX,2026-01-05,1,1,1,1' }, u.token)).code,
      ).toBe('FORBIDDEN');
      expect(err(await h.gql(IMPORT_PRICES, { csv: ' ' }, admin.token))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'csv',
      });
      const pid = await createPortfolio(h, u.token, 'Import holder');
      await createPosition(h, u.token, { portfolioId: pid, symbol: a, quantity: '1', entryPrice: '10' });
      const changes = subscribe(
        h.ws(u.token),
        `subscription($p: ID!) { portfolioChanged(portfolioId: $p) { kind strategyIds } }`,
        { p: pid },
      );

      const csv = [
        'Symbol,Date,Open,High,Low,Close,Volume',
        `${a},2026-01-05,10,11,9.5,10.5,1000`,
        `${a},2026-01-06,10.5,10,11,10.8,`, // high < low
        `${a},2026-01-07,-1,11,9,10,`, // negative
        `${a},2026-01-08,abc,11,9,10,`, // not a number
        `${b},2026-02-30,10,11,9,10,`, // impossible date
        `,2026-01-09,10,11,9,10,`, // missing symbol
        `${b},2026-01-10,10,11,9,10,`, // a Saturday
        `${b.toLowerCase()},2026-01-09,20,21,19,20.25,`,
        `${a},2026-01-12,10,11,9,12,`, // close above high
      ].join('\n');
      // Started where nothing consumes it, so the progress subscription is in place before the run begins.
      const run = ok(await idle.gql(IMPORT_PRICES, { csv }, admin.token)).importPrices.run;
      expect(run).toMatchObject({ kind: 'PRICE_IMPORT', status: 'QUEUED' });
      const progress = subscribe(
        h.ws(admin.token),
        `subscription($id: ID!) { batchRunProgress(id: $id) { status progress completed failed } }`,
        { id: run.id },
      );
      await until(
        async () => Number(((await h.app.redis.pubsub('NUMSUB', TOPICS.batchRun(run.id))) as [string, number])[1]) >= 1,
        10000,
        'progress subscription',
      );
      await h.app.batchQueue.add('run', { runId: run.id }, { jobId: run.id });
      const done = await finished(run.id);
      expect(done).toMatchObject({ status: 'COMPLETED', total: 9, completed: 2, failed: 7 });
      expect(done.errors).toEqual([
        'row 2: high is below low',
        'row 3: open: must be ≥ 0',
        'row 4: open: not a number: "abc"',
        'row 5: date: not a real calendar date YYYY-MM-DD: "2026-02-30"',
        'row 6: symbol: missing',
        'row 7: date: 2026-01-10 is not an NYSE trading day',
        'row 9: close is outside low…high',
      ]);
      await until(
        async () => progress.events.find((e) => e.batchRunProgress.status === 'COMPLETED'),
        10000,
        'COMPLETED progress',
      );
      expect(progress.events.at(-1).batchRunProgress).toMatchObject({ progress: 1, completed: 2, failed: 7 });
      const history = async (s: string) =>
        ok(
          await h.gql(
            `query($s: String!, $f: Date) {
              priceHistory(symbol: $s, from: $f) { symbol date open high low close volume } }`,
            { s, f: '2026-01-01' },
            u.token,
          ),
        ).priceHistory;
      expect(await history(a)).toEqual([
        { symbol: a, date: '2026-01-05', open: '10', high: '11', low: '9.5', close: '10.5', volume: '1000' },
      ]);
      expect(await history(b)).toEqual([
        { symbol: b, date: '2026-01-09', open: '20', high: '21', low: '19', close: '20.25', volume: null },
      ]);
      await until(
        async () => changes.events.find((e) => e.portfolioChanged.kind === 'PRICES_IMPORTED'),
        10000,
        'PRICES_IMPORTED',
      );

      const bad = await importPrices('symbol,day,open,high,low,close\nX,2026-01-05,1,1,1,1');
      expect(bad).toMatchObject({
        status: 'FAILED',
        errors: ['header: missing column date (expected symbol,date,open,high,low,close[,volume])'],
      });
      progress.dispose();
      changes.dispose();
    }, 90000);
  });

  describe('history', () => {
    it('follows the legs across a combine, a split and a backdated close, with performance and trades', async () => {
      const pid = await createPortfolio(h, u.token, 'History');
      const [p, q] = [symbol(), symbol()];
      const days = ['2026-01-05', '2026-01-06', '2026-01-07', '2026-01-08', '2026-01-09', '2026-01-12'];
      const pc = ['10', '11', '12', '11.5', '13', '14'],
        qc = ['20', '19', '18', '18.5', '17', '16'];
      await bars(
        days.flatMap(
          (d, i) =>
            [
              [p, d, pc[i]],
              [q, d, qc[i]],
            ] as [string, string, string][],
        ),
      );
      const a = await createPosition(h, u.token, {
        portfolioId: pid,
        symbol: p,
        quantity: '100',
        entryPrice: '10',
        entryDate: '2026-01-05',
      });
      const b = await createPosition(h, u.token, {
        portfolioId: pid,
        symbol: q,
        quantity: '-50',
        entryPrice: '20',
        entryDate: '2026-01-06',
      });
      const combined = ok(
        await h.gql(
          `mutation($l: [ID!]!) { combineLegs(input: { legIds: $l }) { id } }`,
          { l: [a.legId, b.legId] },
          u.token,
        ),
      ).combineLegs;
      const to = '2026-01-12';
      // A: 100 × (close − 10); B: −50 × (close − 20) from 01-06
      expect(plain(ok(await h.gql(STRATEGY_TIMELINE, { id: combined.id, t: to }, u.token)).strategy.timeline)).toEqual([
        ['2026-01-05', '1000', '0', '0', '0', '0'],
        ['2026-01-06', '150', '150', '0', '150', '150'],
        ['2026-01-07', '300', '300', '0', '300', '150'],
        ['2026-01-08', '225', '225', '0', '225', '-75'],
        ['2026-01-09', '450', '450', '0', '450', '225'],
        ['2026-01-12', '600', '600', '0', '600', '150'],
      ]);
      const parts = ok(
        await h.gql(`mutation($id: ID!) { splitStrategy(id: $id) { id legs { id } } }`, { id: combined.id }, u.token),
      ).splitStrategy;
      const partOf = (legId: string) => parts.find((s: { legs: { id: string }[] }) => s.legs[0].id === legId).id;
      expect(
        plain(ok(await h.gql(STRATEGY_TIMELINE, { id: partOf(a.legId), t: to }, u.token)).strategy.timeline).map(
          (r) => r[4],
        ),
      ).toEqual(['0', '100', '200', '150', '300', '400']);

      // closed back on 01-08 at 18: −50 × (18 − 20) = 100 realized; its history stops there
      ok(await h.gql(CLOSE_LEG, { id: b.legId, p: '18', d: '2026-01-08' }, u.token));
      expect(plain(ok(await h.gql(STRATEGY_TIMELINE, { id: partOf(b.legId) }, u.token)).strategy.timeline)).toEqual([
        ['2026-01-06', '-950', '50', '0', '50', '50'],
        ['2026-01-07', '-900', '100', '0', '100', '50'],
        ['2026-01-08', '0', '0', '100', '100', '0'],
      ]);

      const r = ok(await h.gql(PORTFOLIO_HISTORY, { p: pid, f: '2026-01-01', t: to }, u.token)).portfolio;
      expect(plain(r.timeline)).toEqual([
        ['2026-01-05', '1000', '0', '0', '0', '0'],
        ['2026-01-06', '150', '150', '0', '150', '150'],
        ['2026-01-07', '300', '300', '0', '300', '150'],
        ['2026-01-08', '1150', '150', '100', '250', '-50'],
        ['2026-01-09', '1300', '300', '100', '400', '150'],
        ['2026-01-12', '1400', '400', '100', '500', '100'],
      ]);
      // Returns by hand: dailyPnl ÷ the day before's capital (Σ |cost basis| open: 1,000; 2,000 while B is held).
      const capital = [1000, 2000, 2000, 1000, 1000];
      const returns = r.timeline.slice(1).map((d: { dailyPnl: string }, i: number) => Number(d.dailyPnl) / capital[i]);
      expect(returns).toEqual([0.15, 0.075, -0.025, 0.15, 0.1]);
      const n = returns.length,
        mean = returns.reduce((s: number, x: number) => s + x, 0) / n;
      const sd = Math.sqrt(returns.reduce((s: number, x: number) => s + (x - mean) ** 2, 0) / (n - 1));
      const down = Math.sqrt(returns.reduce((s: number, x: number) => s + Math.min(0, x) ** 2, 0) / n);
      const equity = returns.reduce((e: number, x: number) => e * (1 + x), 1);
      const drawdown = 0.025; // the one fall: from 1.15 × 1.075 by 2.5 %
      expect(r.performance.days).toBe(5);
      expect(r.performance.returnPct).toBeCloseTo(equity - 1, 12);
      expect(r.performance.sharpeRatio).toBeCloseTo((mean / sd) * Math.sqrt(252), 9);
      expect(r.performance.sortinoRatio).toBeCloseTo((mean / down) * Math.sqrt(252), 9);
      expect(r.performance.volatility).toBeCloseTo(sd * Math.sqrt(252), 12);
      expect(r.performance.maxDrawdown).toBeCloseTo(drawdown, 12);
      expect(r.performance.calmarRatio / ((equity ** (252 / 5) - 1) / drawdown)).toBeCloseTo(1, 9);
      expect(r.performance.winRate).toBe(0.8);
      // 5th percentile of the 5 returns, interpolated: −0.025 + 0.2 × (0.075 + 0.025)
      expect(r.performance.var95).toBeCloseTo(0.025 - 0.2 * 0.1, 12);
      expect(r.trades).toEqual({
        closedCount: 1,
        winningCount: 1,
        losingCount: 0,
        realizedPnl: '100',
        averageHoldingDays: 2,
        profitFactor: null,
      });

      // a window keeps dailyPnl against the day before it
      const w = ok(await h.gql(PORTFOLIO_HISTORY, { p: pid, f: '2026-01-07', t: '2026-01-08' }, u.token)).portfolio;
      expect(plain(w.timeline).map((x) => [x[0], x[5]])).toEqual([
        ['2026-01-07', '150'],
        ['2026-01-08', '-50'],
      ]);
      expect(w.trades.closedCount).toBe(1);
      expect(
        ok(await h.gql(PORTFOLIO_HISTORY, { p: pid, f: '2026-01-09', t: to }, u.token)).portfolio.trades.closedCount,
      ).toBe(0);
      expect(err(await h.gql(PORTFOLIO_HISTORY, { p: pid, f: '2026-01-09', t: '2026-01-08' }, u.token))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'from',
      });

      const perf = ok(
        await h.gql(
          `query($p: ID!) {
            performanceByStrategyType(portfolioId: $p) { key strategyCount realizedPnl closedCount winningCount } }`,
          { p: pid },
          u.token,
        ),
      );
      expect(perf.performanceByStrategyType).toEqual([
        { key: 'STANDALONE', strategyCount: 2, realizedPnl: '100', closedCount: 1, winningCount: 1 },
      ]);
    });

    it('pushes closes and rolls through portfolioChanged and strategyMetricsUpdated', async () => {
      const pid = await createPortfolio(h, u.token, 'Live');
      const und = symbol().slice(0, 6);
      const { legId, strategyId } = await createPosition(h, u.token, {
        portfolioId: pid,
        symbol: `${und}271217P00050000`,
        quantity: '2',
        entryPrice: '3',
      });
      await settled(strategyId);
      const ws = h.ws(u.token);
      const changes = subscribe(
        ws,
        `subscription($p: ID!) { portfolioChanged(portfolioId: $p) { kind strategyIds } }`,
        { p: pid },
      );
      const metrics = subscribe(
        ws,
        `subscription($p: ID!) { strategyMetricsUpdated(portfolioId: $p) { id metrics { realizedPnl totalPnl } } }`,
        { p: pid },
      );
      await until(
        async () =>
          Number(((await h.app.redis.pubsub('NUMSUB', TOPICS.portfolioChanged(pid))) as [string, number])[1]) >= 1,
        10000,
        'subscriptions',
      );
      await new Promise((r) => setTimeout(r, 200));
      ok(await h.gql(CLOSE_LEG, { id: legId, p: '4', q: '1', d: '2026-01-06' }, u.token));
      ok(await h.gql(ROLL, { id: legId, s: `${und}280121P00045000`, e: '2', x: '5' }, u.token));
      await until(async () => changes.events.length >= 2, 10000, 'two portfolio changes');
      expect(changes.events.map((e) => e.portfolioChanged)).toEqual([
        { kind: 'LEG_CLOSED', strategyIds: [strategyId] },
        { kind: 'LEG_ROLLED', strategyIds: [strategyId] },
      ]);
      // 100 × (4 − 3) + 100 × (5 − 3)
      await until(
        async () => metrics.events.find((e) => e.strategyMetricsUpdated.metrics.realizedPnl === '300'),
        10000,
        'realized P&L pushed',
      );
      changes.dispose();
      metrics.dispose();
    });
  });

  describe('property', () => {
    it("the portfolio's totalPnl on every day is the sum of its legs' P&L computed independently", async () => {
      const syms = [symbol(), symbol(), symbol()];
      const days = [
        '2026-02-02',
        '2026-02-03',
        '2026-02-04',
        '2026-02-05',
        '2026-02-06',
        '2026-02-09',
        '2026-02-10',
        '2026-02-11',
      ];
      const closes = new Map<string, Map<string, string>>();
      const rows: [string, string, string][] = [];
      syms.forEach((s, k) => {
        const m = new Map<string, string>();
        days.forEach((d, i) => {
          if ((i + k) % 4 === 3) return; // some days without a close for some symbols
          const c = (20 + k * 7 + ((i * (k + 3)) % 5) * 0.75).toFixed(2);
          m.set(d, c);
          rows.push([s, d, c]);
        });
        closes.set(s, m);
      });
      await bars(rows);
      const op = fc.oneof(
        fc.record({
          kind: fc.constant('open' as const),
          sym: fc.integer({ min: 0, max: 2 }),
          qty: fc.integer({ min: -30, max: 30 }).filter((x) => x !== 0),
          price: fc.integer({ min: 1, max: 4000 }),
          day: fc.integer({ min: 0, max: 7 }),
        }),
        fc.record({
          kind: fc.constant('close' as const),
          leg: fc.nat(),
          part: fc.integer({ min: 1, max: 4 }),
          price: fc.integer({ min: 0, max: 4000 }),
          after: fc.nat({ max: 7 }),
        }),
        fc.record({ kind: fc.constant('combine' as const), a: fc.nat(), b: fc.nat() }),
        fc.record({ kind: fc.constant('split' as const), leg: fc.nat() }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 2, maxLength: 8 }), async (ops) => {
          const pid = await createPortfolio(h, u.token, 'Property');
          const open: { id: string; day: number; qty: number }[] = [];
          for (const o of ops) {
            if (o.kind === 'open') {
              const { legId } = await createPosition(h, u.token, {
                portfolioId: pid,
                symbol: syms[o.sym],
                quantity: String(o.qty),
                entryPrice: (o.price / 100).toFixed(2),
                entryDate: days[o.day],
              });
              open.push({ id: legId, day: o.day, qty: Math.abs(o.qty) });
            } else if (o.kind === 'close' && open.length) {
              const leg = open[o.leg % open.length];
              const q = Math.max(1, Math.floor((leg.qty * o.part) / 4));
              ok(
                await h.gql(
                  CLOSE_LEG,
                  { id: leg.id, p: (o.price / 100).toFixed(2), q: String(q), d: days[Math.min(7, leg.day + o.after)] },
                  u.token,
                ),
              );
              leg.qty -= q;
              if (!leg.qty) open.splice(open.indexOf(leg), 1);
            } else if (o.kind === 'combine' && open.length >= 2) {
              const x = open[o.a % open.length],
                y = open[o.b % open.length];
              if (x !== y)
                ok(
                  await h.gql(
                    `mutation($l: [ID!]!) { combineLegs(input: { legIds: $l }) { id } }`,
                    { l: [x.id, y.id] },
                    u.token,
                  ),
                );
            } else if (o.kind === 'split' && open.length) {
              const leg = open[o.leg % open.length];
              const of = (await h.app.ds.query(`SELECT strategy_id FROM legs WHERE id = $1`, [leg.id]))[0].strategy_id;
              const n = (
                await h.app.ds.query(`SELECT count(*)::int AS n FROM legs WHERE strategy_id = $1 AND status = 'OPEN'`, [
                  of,
                ])
              )[0].n;
              if (n >= 2) ok(await h.gql(`mutation($id: ID!) { splitStrategy(id: $id) { id } }`, { id: of }, u.token));
            }
          }
          const legs: Record<string, string>[] = ok(
            await h.gql(
              `query($p: ID!) { portfolio(id: $p) { strategies(first: 500, filter: { statuses: [ACTIVE, CLOSED] }) {
          edges { node { legs { symbol positionType quantity entryPrice entryDate exitPrice exitDate } } } } } }`,
              { p: pid },
              u.token,
            ),
          ).portfolio.strategies.edges.flatMap((e: { node: { legs: unknown[] } }) => e.node.legs);
          const timeline = ok(await h.gql(PORTFOLIO_HISTORY, { p: pid, t: days[7] }, u.token)).portfolio
            .timeline as Record<string, string>[];
          // One leg's P&L at a day's close: realized from its exit, else at its symbol's last close since entry,
          // else 0.
          const pnl = (l: Record<string, string>, day: string): Decimal => {
            if (day < l.entryDate) return new Decimal(0);
            const units = new Decimal(l.quantity).mul(l.positionType === 'SHORT' ? -1 : 1);
            if (l.exitDate && l.exitDate <= day) return units.mul(new Decimal(l.exitPrice).minus(l.entryPrice));
            const last = days.filter((d) => d >= l.entryDate && d <= day && closes.get(l.symbol)!.has(d)).at(-1);
            return last ? units.mul(new Decimal(closes.get(l.symbol)!.get(last)!).minus(l.entryPrice)) : new Decimal(0);
          };
          const first = legs.reduce((m, l) => (l.entryDate < m ? l.entryDate : m), '9999');
          const allClosed = legs.every((l) => l.exitDate);
          const lastExit = legs.reduce((m, l) => (l.exitDate && l.exitDate > m ? l.exitDate : m), '');
          const expectedDays = days.filter(
            (d) =>
              d >= first &&
              (!allClosed || d <= lastExit) &&
              (syms.some((s) => legs.some((l) => l.symbol === s) && closes.get(s)!.has(d)) ||
                legs.some((l) => l.exitDate === d)),
          );
          expect(timeline.map((r) => r.date)).toEqual(legs.length ? expectedDays : []);
          for (const row of timeline) {
            expect(row.totalPnl).toBe(legs.reduce((s, l) => s.plus(pnl(l, row.date)), new Decimal(0)).toFixed());
          }
        }),
        { numRuns: 8 },
      );
    }, 240000);
  });
});
