import { formatExpiry } from './occ';
import { StrategyType } from './types';

export interface StrategyTemplate {
  type: StrategyType;
  description: string;
  legCount: number; // 0: any number of legs
  legs: string[]; // one human description per required leg
}

const T = StrategyType;
export const STRATEGY_TEMPLATES: readonly StrategyTemplate[] = [
  { type: T.STANDALONE, description: 'A single position on its own', legCount: 1, legs: ['any one position'] },
  {
    type: T.COVERED_CALL,
    description: 'Long stock with calls sold against it for income',
    legCount: 2,
    legs: ['long stock, 100 shares per contract', 'short call'],
  },
  {
    type: T.PROTECTIVE_PUT,
    description: 'Long stock insured by long puts',
    legCount: 2,
    legs: ['long stock, 100 shares per contract', 'long put'],
  },
  {
    type: T.COLLAR,
    description: 'Long stock between a long put and a short call of the same expiry',
    legCount: 3,
    legs: ['long stock, 100 shares per contract', 'long put at K1', 'short call at K2 > K1'],
  },
  {
    type: T.VERTICAL_SPREAD,
    description: 'One long and one short option of the same type and expiry at different strikes',
    legCount: 2,
    legs: ['long call or put at K1', 'short option of the same type at K2 ≠ K1'],
  },
  {
    type: T.IRON_CONDOR,
    description: 'A short put spread and a short call spread of the same expiry',
    legCount: 4,
    legs: ['long put at K1', 'short put at K2 > K1', 'short call at K3 > K2', 'long call at K4 > K3'],
  },
  {
    type: T.IRON_BUTTERFLY,
    description: 'A short straddle protected by long wings, same expiry',
    legCount: 4,
    legs: ['long put at K1', 'short put at K2 > K1', 'short call at K2', 'long call at K3 > K2'],
  },
  {
    type: T.BUTTERFLY,
    description: 'Long wings around a doubled short body, all calls or all puts, same expiry',
    legCount: 3,
    legs: ['long 1× at K1', 'short 2× at K2 > K1', 'long 1× at K3 > K2'],
  },
  {
    type: T.STRADDLE,
    description: 'A call and a put at the same strike and expiry, both long or both short',
    legCount: 2,
    legs: ['call at K', 'put at K'],
  },
  {
    type: T.STRANGLE,
    description: 'A put below a call of the same expiry, both long or both short',
    legCount: 2,
    legs: ['put at K1', 'call at K2 > K1'],
  },
  {
    type: T.CALENDAR_SPREAD,
    description: 'One long and one short option of the same type and strike at different expiries',
    legCount: 2,
    legs: ['long option expiring E1', 'short option of the same type and strike expiring E2 ≠ E1'],
  },
  {
    type: T.DIAGONAL_SPREAD,
    description: 'One long and one short option of the same type, different strikes and expiries',
    legCount: 2,
    legs: ['long option at K1 expiring E1', 'short option of the same type at K2 ≠ K1 expiring E2 ≠ E1'],
  },
  {
    type: T.PAIRS_TRADE,
    description: 'Long one stock and short a related one, declared by the user',
    legCount: 2,
    legs: ['long stock A', 'short stock B'],
  },
  { type: T.CUSTOM, description: 'Any legs the user chooses to manage together', legCount: 0, legs: [] },
];

/** `IRON_CONDOR` → `Iron Condor`. */
export function patternDisplayName(type: StrategyType): string {
  return type
    .toLowerCase()
    .split('_')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');
}

/** `Iron Condor SPY Dec19'25`; the expiry is left out when there is none (e.g. pairs trades). */
export function suggestedStrategyName(type: StrategyType, underlying: string, earliestExpiry: string | null): string {
  const name = `${patternDisplayName(type)} ${underlying}`;
  return earliestExpiry ? `${name} ${formatExpiry(earliestExpiry)}` : name;
}
