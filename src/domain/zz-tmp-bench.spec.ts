import Decimal from 'decimal.js';
import { detectStrategies } from './detection';
import { InvestmentClass, LegData, OptionType, PositionType as P } from './types';
it('bench', () => {
  let s = 42; let seq = 0;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <V>(xs: V[]) => xs[Math.floor(rand() * xs.length)];
  const mk = (u: string, pt: P, q: number, opt: boolean): LegData => ({ id: `L${++seq}`, symbol: u, underlyingSymbol: u, positionType: pt, quantity: new Decimal(q), multiplier: opt ? 100 : 1,
    investmentClass: opt ? InvestmentClass.OPTIONS : InvestmentClass.PUBLIC, optionType: opt ? (pt === P.LC || pt === P.SC ? OptionType.CALL : OptionType.PUT) : null,
    strikePrice: opt ? new Decimal(pick([90, 95, 100, 105, 110])) : null, expirationDate: opt ? pick(['2024-01-19', '2024-02-16', '2024-03-15']) : null, impliedVolatility: null, entryPrice: new Decimal(1), entryDate: '2024-01-01' });
  const legs = Array.from({ length: 10000 }, () => { const u = `U${Math.floor(rand() * 500)}`; return rand() < 0.2 ? mk(u, pick([P.LONG, P.SHORT]), pick([100, 200, 150]), false) : mk(u, pick([P.LC, P.SC, P.LP, P.SP]), pick([1, 1, 2]), true); });
  for (let i = 0; i < 5; i++) { const t = performance.now(); const d = detectStrategies(legs); console.log(performance.now() - t, d.length); }
  const d = detectStrategies(legs); const c: Record<string, number> = {}; d.forEach(x => c[x.type] = (c[x.type] ?? 0) + 1); console.log(c);
  // worst case: one underlying
  const one = Array.from({ length: 10000 }, () => mk('X', pick([P.LC, P.SC, P.LP, P.SP, P.LONG]), pick([1, 1, 2]), rand() < 0.9));
  for (let i = 0; i < 3; i++) { const t = performance.now(); const r = detectStrategies(one); console.log('one', performance.now() - t, r.length); }
  const same = Array.from({ length: 10000 }, (_, i) => ({ ...mk('X', i % 2 ? P.LC : P.SC, 1, true), strikePrice: new Decimal(100), expirationDate: '2024-01-19' }));
  for (let i = 0; i < 2; i++) { const t = performance.now(); const r = detectStrategies(same); console.log('same', performance.now() - t, r.length); }
});
