/** Display helpers: money from the API's exact decimal strings, greeks from floats. */
const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const num = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export function fmtMoney(v: string | null | undefined): string {
  if (v === null || v === undefined) return '—';
  return money.format(Number(v));
}
export function fmtNum(v: number | string | null | undefined, digits = 2): string {
  if (v === null || v === undefined) return '—';
  return digits === 2 ? num.format(Number(v)) : Number(v).toFixed(digits);
}
export function sign(v: string | number | null | undefined): 'pos' | 'neg' | '' {
  if (v === null || v === undefined) return '';
  const n = Number(v);
  return n > 0 ? 'pos' : n < 0 ? 'neg' : '';
}
export const typeLabel = (t: string) => t.toLowerCase().replace(/_/g, ' ');
