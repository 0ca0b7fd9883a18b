import { registerEnumType } from 'type-graphql';
import { InvestmentClass, OptionType, PositionType, PriceSource, StrategyStatus, StrategyType } from '../domain/types';
import { BatchRunKind, BatchRunStatus } from '../modules/batch/batch.entity';

export enum TagMatch { ANY = 'ANY', ALL = 'ALL' }
export enum GroupBy { TAG = 'TAG', STRATEGY_TYPE = 'STRATEGY_TYPE', UNDERLYING = 'UNDERLYING', SECTOR = 'SECTOR' }
export enum PortfolioChangeKind {
  STRATEGY_CREATED = 'STRATEGY_CREATED', STRATEGY_UPDATED = 'STRATEGY_UPDATED', STRATEGY_CLOSED = 'STRATEGY_CLOSED',
  STRATEGIES_COMBINED = 'STRATEGIES_COMBINED', STRATEGY_SPLIT = 'STRATEGY_SPLIT', LEG_MOVED = 'LEG_MOVED', TAGS_CHANGED = 'TAGS_CHANGED',
}

const enums = {
  PositionType, OptionType, InvestmentClass, StrategyType, StrategyStatus, TagMatch, GroupBy, PriceSource,
  BatchRunKind, BatchRunStatus, PortfolioChangeKind,
};
for (const [name, e] of Object.entries(enums)) registerEnumType(e, { name });
