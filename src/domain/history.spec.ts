import { dailyReturns, pnlTimeline, returnFigures, scaled, type HistoryLeg } from './history';
import { PositionType } from './types';

const stock: HistoryLeg = {
  symbol: 'X',
  positionType: PositionType.LONG,
  quantity: '10',
  multiplier: 1,
  entryPrice: '100',
  entryDate: '2026-01-05',
  exitPrice: null,
  exitDate: null,
};
const shortCall: HistoryLeg = {
  symbol: 'X260320C00110000',
  positionType: PositionType.SC,
  quantity: '1',
  multiplier: 100,
  entryPrice: '2',
  entryDate: '2026-01-06',
  exitPrice: '1.5',
  exitDate: '2026-01-07',
};
const closes = [
  { symbol: 'X', date: '2026-01-05', close: '101' },
  { symbol: 'X', date: '2026-01-06', close: '103' },
  { symbol: 'X', date: '2026-01-07', close: '99' },
  { symbol: 'Y', date: '2026-01-02', close: '5' },
];
const plain = (rows: ReturnType<typeof pnlTimeline>) =>
  rows.map((r) => [
    r.date,
    r.marketValue.toFixed(),
    r.unrealizedPnl.toFixed(),
    r.realizedPnl.toFixed(),
    r.totalPnl.toFixed(),
    r.dailyPnl.toFixed(),
    r.capital,
  ]);

describe('pnlTimeline', () => {
  it('values open legs at their closes (at entry without one) and realizes closed legs from their exit day', () => {
    expect(plain(pnlTimeline([stock, shortCall], closes, '2026-01-09'))).toEqual([
      ['2026-01-05', '1010', '10', '0', '10', '10', 1000],
      // the short call has no close: valued at its entry (−200), so it adds nothing unrealized
      ['2026-01-06', '830', '30', '0', '30', '20', 1200],
      // exited at 1.50: realized −1 × 1 × 100 × (1.50 − 2.00) = 50
      ['2026-01-07', '990', '-10', '50', '40', '10', 1000],
    ]);
  });

  it('keeps dailyPnl against the day before the window and stops at the last exit once everything is closed', () => {
    expect(plain(pnlTimeline([stock, shortCall], closes, '2026-01-09', '2026-01-06', '2026-01-06'))).toEqual([
      ['2026-01-06', '830', '30', '0', '30', '20', 1200],
    ]);
    const closed = { ...stock, exitPrice: '102', exitDate: '2026-01-06' };
    expect(plain(pnlTimeline([closed], closes, '2026-01-09'))).toEqual([
      ['2026-01-05', '1010', '10', '0', '10', '10', 1000],
      ['2026-01-06', '0', '0', '20', '20', '10', 0],
    ]);
  });

  it("values a leg entered after its symbol's last close at its entry price until the next close", () => {
    const late = { ...stock, entryDate: '2026-01-08', entryPrice: '98' };
    const rows = pnlTimeline(
      [late, { ...stock, symbol: 'Z' }],
      [...closes, { symbol: 'Z', date: '2026-01-08', close: '100' }, { symbol: 'X', date: '2026-01-09', close: '97' }],
      '2026-01-09',
    );
    expect(plain(rows).slice(-2)).toEqual([
      ['2026-01-08', '1980', '0', '0', '0', '0', 1980],
      ['2026-01-09', '1970', '-10', '0', '-10', '-10', 1980],
    ]);
  });

  it('is empty without legs; scaled() is exact', () => {
    expect(pnlTimeline([], closes, '2026-01-09')).toEqual([]);
    expect(scaled('-1.5')).toBe(-150000000n);
    expect(scaled('0.00000001')).toBe(1n);
    expect(scaled('12.50000000')).toBe(1250000000n);
    expect(scaled('-0.50000000')).toBe(-50000000n);
    expect(scaled('7')).toBe(700000000n);
  });
});

describe('returnFigures', () => {
  it('computes the figures of the daily returns of a timeline', () => {
    const r = dailyReturns(pnlTimeline([stock, shortCall], closes, '2026-01-09'));
    expect(r).toEqual([20 / 1000, 10 / 1200]);
    const f = returnFigures(r);
    expect(f.days).toBe(2);
    expect(f.returnPct).toBeCloseTo(1.02 * (1 + 10 / 1200) - 1, 12);
    expect(f.winRate).toBe(1);
    expect(f.maxDrawdown).toBe(0);
    expect(f.calmarRatio).toBeNull();
    expect(f.sortinoRatio).toBeNull();
    const mean = (0.02 + 10 / 1200) / 2,
      sd = Math.sqrt(((0.02 - mean) ** 2 + (10 / 1200 - mean) ** 2) / 1);
    expect(f.sharpeRatio).toBeCloseTo((mean / sd) * Math.sqrt(252), 9);
  });

  it('is null with fewer than 2 observations', () => {
    expect(returnFigures([0.01])).toMatchObject({ days: 1, returnPct: null, sharpeRatio: null, winRate: null });
  });

  it('measures drawdown and Calmar on the compounded curve', () => {
    const f = returnFigures([0.1, -0.2, 0.05]);
    expect(f.maxDrawdown).toBeCloseTo(0.2, 12);
    const equity = 1.1 * 0.8 * 1.05;
    expect(f.calmarRatio).toBeCloseTo((equity ** (252 / 3) - 1) / 0.2, 6);
    expect(f.var95).toBeGreaterThan(0);
  });
});
