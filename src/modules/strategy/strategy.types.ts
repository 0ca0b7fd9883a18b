import Decimal from 'decimal.js';
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DecimalScalar } from '../../common/scalars';
import { GroupBy, PortfolioChangeKind, TagMatch } from '../../common/enums';
import { StrategyStatus, StrategyType } from '../../domain/types';
import { TagType } from '../tag/tag.types';
import type { LegView } from '../leg/leg.rows';
import { NodeInterface } from '../../common/node';

@ObjectType('Strategy', { simpleResolvers: true, implements: NodeInterface })
export class StrategyType_ {
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
  @Field(() => StrategyType) type: StrategyType;
  @Field(() => StrategyStatus) status: StrategyStatus;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date) updatedAt: Date;
  @Field(() => Date, { nullable: true }) closedAt: Date | null;
}

@InputType('StrategyFilter')
export class StrategyFilter {
  @Field(() => [ID], { nullable: true }) tagIds?: string[] | null;
  @Field(() => TagMatch, { nullable: true, defaultValue: TagMatch.ANY }) tagMatch?: TagMatch | null;
  @Field(() => [StrategyType], { nullable: true }) types?: StrategyType[] | null;
  @Field(() => [StrategyStatus], { nullable: true, description: 'default: [ACTIVE]' }) statuses?:
    StrategyStatus[] | null;
  @Field(() => String, { nullable: true }) underlying?: string | null;
  @Field(() => String, { nullable: true, description: 'case-insensitive substring of the strategy name' }) search?:
    string | null;
}

@ObjectType('PageInfo', { simpleResolvers: true })
export class PageInfo {
  @Field(() => Boolean) hasNextPage: boolean;
  @Field(() => String, { nullable: true }) endCursor: string | null;
}

@ObjectType('StrategyEdge', { simpleResolvers: true })
export class StrategyEdge {
  @Field(() => String) cursor: string;
  @Field(() => StrategyType_) node: unknown;
}

@ObjectType('StrategyConnection', { simpleResolvers: true })
export class StrategyConnection {
  @Field(() => [StrategyEdge]) edges: StrategyEdge[];
  @Field(() => PageInfo) pageInfo: PageInfo;
  @Field(() => Int) totalCount: number;
}

/** Money and net greeks summed over legs: shared by StrategyMetrics and PortfolioTotals. */
// Not referenced by any field, so it is never emitted on its own; PortfolioTotals and StrategyMetrics inherit its
// fields as built here, so they are plain property reads only if this type says so too.
@ObjectType({ simpleResolvers: true })
abstract class ValueSums {
  @Field(() => DecimalScalar) marketValue: Decimal;
  @Field(() => DecimalScalar) costBasis: Decimal;
  @Field(() => DecimalScalar) unrealizedPnl: Decimal;
  @Field(() => Float) netDelta: number;
  @Field(() => Float) netGamma: number;
  @Field(() => Float) netTheta: number;
  @Field(() => Float) netVega: number;
}

@ObjectType('PortfolioTotals', { simpleResolvers: true })
export class PortfolioTotals extends ValueSums {
  @Field(() => Int) strategyCount: number;
  @Field(() => Int, { description: 'OPEN legs' }) legCount: number;
  /** The legs summed (not a GraphQL field): realizedPnl and dayPnl are resolved from them when asked for. */
  legs?: LegView[];
  /** Set for a portfolio's totals: its realizedPnl covers every closed leg of the portfolio, closed strategies too. */
  portfolioId?: string | null;
}

@ObjectType('StrategyGroup', { simpleResolvers: true })
export class StrategyGroup {
  @Field(() => String, {
    description: 'tag name, strategy type, underlying symbol or sector; "untagged" / "unknown" for the rest',
  })
  key: string;
  @Field(() => TagType, { nullable: true }) tag: unknown | null;
  @Field(() => [StrategyType_]) strategies: unknown[];
  @Field(() => PortfolioTotals) totals: PortfolioTotals;
}

@ObjectType('PayoffPoint', { simpleResolvers: true })
export class PayoffPoint {
  @Field(() => DecimalScalar) underlyingPrice: Decimal;
  @Field(() => DecimalScalar) pnl: Decimal;
}

@ObjectType('PayoffAnalysis', { simpleResolvers: true })
export class PayoffAnalysisType {
  @Field(() => DecimalScalar, { nullable: true, description: 'null = unlimited' }) maxProfit: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'positive magnitude; null = unlimited' })
  maxLoss: Decimal | null;
  @Field(() => [DecimalScalar], { description: 'ascending, rounded to cents' }) breakEvenPoints: Decimal[];
}

@ObjectType('StrategyMetrics', { simpleResolvers: true })
export class StrategyMetricsType extends ValueSums {
  @Field(() => Date) calculatedAt: Date;
  @Field(() => Boolean, { description: 'true while a recomputation is pending' }) stale: boolean;
}

@ObjectType('StrategyVersion', { simpleResolvers: true })
export class StrategyVersionType {
  @Field(() => Int) version: number;
  @Field(() => String) change: string;
  @Field(() => String, { nullable: true, description: 'JSON text' }) details: string | null;
  @Field(() => Date) createdAt: Date;
}

@ObjectType('StrategyTemplate', { simpleResolvers: true })
export class StrategyTemplateType {
  @Field(() => StrategyType) type: StrategyType;
  @Field(() => String) description: string;
  @Field(() => Int) legCount: number;
  @Field(() => [String]) legs: string[];
}

@ObjectType('StrategyDetection', { simpleResolvers: true })
export class StrategyDetectionType {
  @Field(() => StrategyType) type: StrategyType;
  @Field(() => String) suggestedName: string;
  @Field(() => Float) confidence: number;
  legIds: string[];
}

@ObjectType('PortfolioChange', { simpleResolvers: true })
export class PortfolioChange {
  @Field(() => ID) portfolioId: string;
  @Field(() => PortfolioChangeKind) kind: PortfolioChangeKind;
  @Field(() => [ID]) strategyIds: string[];
  @Field(() => Date) at: Date;
}

@ObjectType('RemoveTagsPayload', { simpleResolvers: true })
export class RemoveTagsPayload {
  @Field(() => StrategyType_) strategy: unknown;
  @Field(() => Int) removedCount: number;
}

@InputType('CombineInput')
export class CombineInput {
  @Field(() => [ID]) legIds: string[];
  @Field(() => StrategyType, { nullable: true }) type?: StrategyType | null;
  @Field(() => String, { nullable: true }) name?: string | null;
}

export { GroupBy };
