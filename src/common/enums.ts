import { registerEnumType } from 'type-graphql';
import {
  InvestmentClass,
  LegStatus,
  OptionType,
  PositionType,
  PriceSource,
  StrategyStatus,
  StrategyType,
} from '../domain/types';
import { BatchRunKind, BatchRunStatus } from '../modules/batch/batch.entity';

export enum TagMatch {
  ANY = 'ANY',
  ALL = 'ALL',
}
export enum GroupBy {
  TAG = 'TAG',
  STRATEGY_TYPE = 'STRATEGY_TYPE',
  UNDERLYING = 'UNDERLYING',
  SECTOR = 'SECTOR',
}
export enum PortfolioChangeKind {
  STRATEGY_CREATED = 'STRATEGY_CREATED',
  STRATEGY_UPDATED = 'STRATEGY_UPDATED',
  STRATEGY_CLOSED = 'STRATEGY_CLOSED',
  STRATEGIES_COMBINED = 'STRATEGIES_COMBINED',
  STRATEGY_SPLIT = 'STRATEGY_SPLIT',
  LEG_MOVED = 'LEG_MOVED',
  TAGS_CHANGED = 'TAGS_CHANGED',
  RESYNC = 'RESYNC',
  LEG_CLOSED = 'LEG_CLOSED',
  LEG_ROLLED = 'LEG_ROLLED',
  PRICES_IMPORTED = 'PRICES_IMPORTED',
}

type Values = Record<string, { description: string }>;
/** Descriptions of the values added with the trade lifecycle (API.md "Trade lifecycle and history"). */
const VALUES: Record<string, Values | undefined> = {
  LegStatus: {
    OPEN: { description: 'held: valued at market, counted by totals, greeks, payoff and detection' },
    CLOSED: { description: 'closed at exitPrice on exitDate: frozen, realized P&L only, kept for history' },
  },
  PortfolioChangeKind: {
    LEG_CLOSED: { description: 'closeLeg closed a leg (or part of it) of a strategy that stays active' },
    LEG_ROLLED: { description: 'rollLeg closed an option leg and opened another in the same strategy' },
    PRICES_IMPORTED: {
      description: 'importPrices stored daily bars of symbols the portfolio holds: timelines changed',
    },
    RESYNC: {
      description:
        'Events may have been missed (the server lost its event connection for a while): refetch the ' +
        'portfolio and its strategies; strategyIds is empty',
    },
  },
  BatchRunKind: { PRICE_IMPORT: { description: 'importPrices: daily bars from CSV (admins)' } },
};

const DESCRIPTIONS: Record<string, string | undefined> = {
  LegStatus: 'whether a leg is still held (OPEN) or was closed (CLOSED)',
};

const enums = {
  LegStatus,
  PositionType,
  OptionType,
  InvestmentClass,
  StrategyType,
  StrategyStatus,
  TagMatch,
  GroupBy,
  PriceSource,
  BatchRunKind,
  BatchRunStatus,
  PortfolioChangeKind,
};
for (const [name, e] of Object.entries(enums))
  registerEnumType(e, { name, description: DESCRIPTIONS[name], valuesConfig: VALUES[name] });
