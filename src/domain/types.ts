import Decimal from 'decimal.js';

/** Domain vocabulary shared by the pure functions, the entities and the GraphQL enums. */
export enum PositionType {
  LONG = 'LONG',
  SHORT = 'SHORT',
  LC = 'LC',
  LP = 'LP',
  SC = 'SC',
  SP = 'SP',
}
export enum OptionType {
  CALL = 'CALL',
  PUT = 'PUT',
}
export enum InvestmentClass {
  PUBLIC = 'PUBLIC',
  OPTIONS = 'OPTIONS',
  PRIVATE = 'PRIVATE',
}
export enum StrategyType {
  STANDALONE = 'STANDALONE',
  COVERED_CALL = 'COVERED_CALL',
  PROTECTIVE_PUT = 'PROTECTIVE_PUT',
  COLLAR = 'COLLAR',
  VERTICAL_SPREAD = 'VERTICAL_SPREAD',
  IRON_CONDOR = 'IRON_CONDOR',
  IRON_BUTTERFLY = 'IRON_BUTTERFLY',
  BUTTERFLY = 'BUTTERFLY',
  STRADDLE = 'STRADDLE',
  STRANGLE = 'STRANGLE',
  CALENDAR_SPREAD = 'CALENDAR_SPREAD',
  DIAGONAL_SPREAD = 'DIAGONAL_SPREAD',
  PAIRS_TRADE = 'PAIRS_TRADE',
  CUSTOM = 'CUSTOM',
}
export enum StrategyStatus {
  ACTIVE = 'ACTIVE',
  CLOSED = 'CLOSED',
}
export enum PriceSource {
  MARKET = 'MARKET',
  MODEL = 'MODEL',
  ENTRY = 'ENTRY',
}
/** A leg is OPEN until closed; a CLOSED leg is frozen at its exit price and date. */
export enum LegStatus {
  OPEN = 'OPEN',
  CLOSED = 'CLOSED',
}

/** +1 for long positions, -1 for short ones. */
export function positionSign(t: PositionType): 1 | -1 {
  return t === PositionType.SHORT || t === PositionType.SC || t === PositionType.SP ? -1 : 1;
}

/** The domain view of one leg: everything the math needs, nothing of the database. */
export interface LegData {
  id: string;
  symbol: string;
  positionType: PositionType;
  quantity: Decimal; // always positive
  multiplier: number; // 100 for options, 1 otherwise
  investmentClass: InvestmentClass;
  underlyingSymbol: string;
  optionType: OptionType | null;
  strikePrice: Decimal | null;
  expirationDate: string | null; // YYYY-MM-DD
  impliedVolatility: number | null;
  entryPrice: Decimal;
  entryDate: string; // YYYY-MM-DD
  /** Absent or OPEN: valued at market; CLOSED: frozen at exitPrice (no value, no greeks). */
  status?: LegStatus;
  exitPrice?: Decimal | null;
}

/** Market inputs of a calculation; `prices` maps an upper-case symbol (ticker or OCC) to its latest price. */
export interface MarketEnv {
  now: Date;
  riskFreeRate: number;
  defaultVolatility: number;
  prices: ReadonlyMap<string, Decimal>;
}

export interface Greeks {
  delta: number;
  gamma: number;
  theta: number;
  vega: number;
  rho: number;
}
