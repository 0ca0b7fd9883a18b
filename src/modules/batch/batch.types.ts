import Decimal from 'decimal.js';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { DateScalar, DecimalScalar } from '../../common/scalars';
import { BatchRunKind, BatchRunStatus } from './batch.entity';
import { NodeInterface } from '../../common/node';

@ObjectType('BatchRun', { simpleResolvers: true, implements: NodeInterface })
export class BatchRunType {
  @Field(() => ID) id: string;
  @Field(() => BatchRunKind) kind: BatchRunKind;
  @Field(() => BatchRunStatus) status: BatchRunStatus;
  @Field(() => Int) total: number;
  @Field(() => Int) completed: number;
  @Field(() => Int) failed: number;
  @Field(() => String, { nullable: true }) message: string | null;
  @Field(() => [String]) errors: string[];
  @Field(() => Date, { nullable: true }) startedAt: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt: Date | null;
}

@ObjectType('ImportStarted', { simpleResolvers: true })
export class ImportStarted {
  @Field(() => BatchRunType) run: unknown;
}

@ObjectType('PortfolioSnapshot', { simpleResolvers: true })
export class PortfolioSnapshotType {
  @Field(() => DateScalar) date: string;
  @Field(() => DecimalScalar) totalValue: Decimal;
  @Field(() => DecimalScalar) longValue: Decimal;
  @Field(() => DecimalScalar) shortValue: Decimal;
  @Field(() => DecimalScalar) grossExposure: Decimal;
  @Field(() => DecimalScalar) netExposure: Decimal;
  @Field(() => DecimalScalar, { nullable: true }) dailyPnl: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true }) cumulativePnl: Decimal | null;
  @Field(() => Float) netDelta: number;
}

@ObjectType('StrategyPerformance', { simpleResolvers: true })
export class StrategyPerformanceType {
  @Field(() => String, { description: 'strategy type or tag name' }) key: string;
  @Field(() => Int) strategyCount: number;
  @Field(() => DecimalScalar) unrealizedPnl: Decimal;
  @Field(() => Float, { nullable: true }) returnPct: number | null;
  @Field(() => Float, { nullable: true }) sharpeRatio: number | null;
  @Field(() => Float, { nullable: true }) sortinoRatio: number | null;
  @Field(() => Float, { nullable: true }) maxDrawdown: number | null;
  @Field(() => Float, { nullable: true }) volatility: number | null;
  @Field(() => Float, { nullable: true }) var95: number | null;
  @Field(() => Float, { nullable: true }) winRate: number | null;
  @Field(() => DecimalScalar, { description: "realized P&L of the group's CLOSED legs, closed strategies included" })
  realizedPnl: Decimal;
  @Field(() => Float, {
    nullable: true,
    description: 'annualised return ÷ maxDrawdown; null with fewer than 2 days or no drawdown',
  })
  calmarRatio: number | null;
  @Field(() => Int, { description: 'closed strategies of the group (with closed legs)' }) closedCount: number;
  @Field(() => Int, { description: 'of them, those with a positive total P&L' }) winningCount: number;
}
