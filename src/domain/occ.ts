import Decimal from 'decimal.js';
import { DomainError } from './errors';
import { InvestmentClass, LegData, OptionType, PositionType, positionSign } from './types';

export interface OccSymbol {
  root: string;
  expiration: string; // YYYY-MM-DD
  optionType: OptionType;
  strike: Decimal;
  symbol: string; // compact form, e.g. AAPL240119C00150000
}

export interface ClassifiedSymbol {
  symbol: string;
  underlyingSymbol: string;
  investmentClass: InvestmentClass;
  optionType: OptionType | null;
  strikePrice: Decimal | null;
  expirationDate: string | null;
  multiplier: number;
}

// Root, padding (padded form only), YYMMDD, C/P, strike × 1000 as 8 digits.
const OCC = /^([A-Z0-9]{1,6})( *)(\d{6})([CP])(\d{8})$/;
// OCC structure with a wrong part (padding, strike digits, type letter): a typo, not a private holding.
const OCC_LIKE = /^[A-Z0-9]{1,6} *\d{6}[A-Z]\d+$/;
const TICKER = /^[A-Z0-9.-]{1,10}$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Parses an OCC option symbol; null when the text is not shaped like one, DomainError when it is but cannot exist. */
export function parseOccSymbol(raw: string): OccSymbol | null {
  const s = raw.trim().toUpperCase();
  const m = OCC.exec(s);
  // The padded form pads the root to exactly 6 characters; any other spacing is not OCC.
  if (!m || (m[2] && m[1].length + m[2].length !== 6)) return null;
  const [, root, , date, cp, strikeDigits] = m;
  const expiration = `20${date.slice(0, 2)}-${date.slice(2, 4)}-${date.slice(4)}`;
  const d = new Date(`${expiration}T00:00:00Z`);
  // Date rolls Feb 30 over to March, so the round trip catches impossible days as well as month 13.
  if (Number.isNaN(d.getTime()) || !d.toISOString().startsWith(expiration)) {
    throw new DomainError(`${s}: invalid expiration date ${date}`, 'symbol');
  }
  const strike = new Decimal(strikeDigits).div(1000);
  if (strike.isZero()) throw new DomainError(`${s}: strike must be greater than 0`, 'symbol');
  const optionType = cp === 'C' ? OptionType.CALL : OptionType.PUT;
  return { root, expiration, optionType, strike, symbol: `${root}${date}${cp}${strikeDigits}` };
}

/** Normalises a symbol and infers what it is: OCC option, listed ticker or private holding. */
export function classifySymbol(raw: string, explicitClass?: InvestmentClass | null): ClassifiedSymbol {
  const s = raw.trim().toUpperCase();
  if (!s || s.length > 64) throw new DomainError('symbol must be 1-64 characters', 'symbol');
  const occ = parseOccSymbol(s);
  if (occ) {
    if (explicitClass && explicitClass !== InvestmentClass.OPTIONS) {
      throw new DomainError(`${s} is an option symbol, not ${explicitClass}`, 'investmentClass');
    }
    return {
      symbol: occ.symbol,
      underlyingSymbol: occ.root,
      investmentClass: InvestmentClass.OPTIONS,
      optionType: occ.optionType,
      strikePrice: occ.strike,
      expirationDate: occ.expiration,
      multiplier: 100,
    };
  }
  if (explicitClass === InvestmentClass.OPTIONS || OCC_LIKE.test(s)) {
    throw new DomainError(`${s} is not a valid OCC option symbol`, 'symbol');
  }
  return {
    symbol: s,
    underlyingSymbol: s,
    investmentClass: explicitClass ?? (TICKER.test(s) ? InvestmentClass.PUBLIC : InvestmentClass.PRIVATE),
    optionType: null,
    strikePrice: null,
    expirationDate: null,
    multiplier: 1,
  };
}

/** Position type from the instrument and the sign of the quantity, or the user's choice checked against them. */
export function inferPositionType(
  optionType: OptionType | null,
  signedQuantity: Decimal,
  explicit?: PositionType | null,
): PositionType {
  if (signedQuantity.isZero() || !signedQuantity.isFinite()) {
    throw new DomainError('quantity must be a non-zero number', 'quantity');
  }
  const [long, short] =
    optionType === OptionType.CALL
      ? [PositionType.LC, PositionType.SC]
      : optionType === OptionType.PUT
        ? [PositionType.LP, PositionType.SP]
        : [PositionType.LONG, PositionType.SHORT];
  const negative = signedQuantity.isNeg();
  if (!explicit) return negative ? short : long;
  if (explicit !== long && explicit !== short) {
    throw new DomainError(`${explicit} does not fit ${optionType ?? 'a non-option'} position`, 'positionType');
  }
  // A positive quantity is just a size (SHORT 100 is fine), but a negative one says short.
  if (negative && positionSign(explicit) > 0) {
    throw new DomainError(`${explicit} contradicts a negative quantity`, 'positionType');
  }
  return explicit;
}

/** `2025-12-19` → `Dec19'25`. */
export function formatExpiry(isoDate: string): string {
  const m = /^\d{2}(\d{2})-(\d{2})-(\d{2})$/.exec(isoDate);
  const month = m && MONTHS[Number(m[2]) - 1];
  if (!m || !month) throw new DomainError(`invalid date ${isoDate}`, 'expirationDate');
  return `${month}${m[3]}'${m[1]}`;
}

/** Name of a leg's own STANDALONE strategy: `Long AAPL`, `Short Put SPY 420 Dec19'25`. */
export function standaloneName(
  leg: Pick<LegData, 'positionType' | 'underlyingSymbol' | 'optionType' | 'strikePrice' | 'expirationDate' | 'symbol'>,
): string {
  const side = positionSign(leg.positionType) > 0 ? 'Long' : 'Short';
  const underlying = leg.underlyingSymbol || leg.symbol;
  if (!leg.optionType || !leg.strikePrice || !leg.expirationDate) return `${side} ${underlying}`;
  const type = leg.optionType === OptionType.CALL ? 'Call' : 'Put';
  return `${side} ${type} ${underlying} ${leg.strikePrice.toFixed()} ${formatExpiry(leg.expirationDate)}`;
}
