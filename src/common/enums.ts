import { registerEnumType } from 'type-graphql';
import { InvestmentClass, OptionType, PositionType, PriceSource, StrategyStatus, StrategyType } from '../domain/types';
import { BatchRunKind, BatchRunStatus } from '../modules/batch/batch.entity';

export enum TagMatch { ANY = 'ANY', ALL = 'ALL' }
export enum GroupBy { TAG = 'TAG', STRATEGY_TYPE = 'STRATEGY_TYPE', UNDERLYING = 'UNDERLYING', SECTOR = 'SECTOR' }
export enum PortfolioChangeKind {
  STRATEGY_CREATED = 'STRATEGY_CREATED', STRATEGY_UPDATED = 'STRATEGY_UPDATED', STRATEGY_CLOSED = 'STRATEGY_CLOSED',
  STRATEGIES_COMBINED = 'STRATEGIES_COMBINED', STRATEGY_SPLIT = 'STRATEGY_SPLIT', LEG_MOVED = 'LEG_MOVED', TAGS_CHANGED = 'TAGS_CHANGED',
  RESYNC = 'RESYNC',
}

const enums = {
  PositionType, OptionType, InvestmentClass, StrategyType, StrategyStatus, TagMatch, GroupBy, PriceSource,
  BatchRunKind, BatchRunStatus, PortfolioChangeKind,
};
const valuesConfig: Record<string, Record<string, { description: string }>> = {
  PortfolioChangeKind: {
    RESYNC: {
      description: 'Events may have been missed (the server lost its event connection for a while): refetch the '
        + 'portfolio and its strategies; strategyIds is empty',
    },
  },
};
for (const [name, e] of Object.entries(enums)) registerEnumType(e, { name, valuesConfig: valuesConfig[name] });
