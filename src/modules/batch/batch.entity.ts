import Decimal from 'decimal.js';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { PortfolioEntity } from '../portfolio/portfolio.entity';
import { StrategyEntity } from '../strategy/strategy.entity';
import { MONEY } from '../../common/columns';

export enum BatchRunKind {
  DAILY = 'DAILY',
  RECOMPUTE_ALL = 'RECOMPUTE_ALL',
  IMPORT = 'IMPORT',
  PRICE_IMPORT = 'PRICE_IMPORT',
}
export enum BatchRunStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  SKIPPED = 'SKIPPED',
}

@Entity('batch_runs')
@Index('IDX_batch_runs_kind_status', ['kind', 'status'])
export class BatchRunEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'enum', enum: BatchRunKind, enumName: 'batch_run_kind' }) kind: BatchRunKind;
  @Column({ type: 'enum', enum: BatchRunStatus, enumName: 'batch_run_status', default: BatchRunStatus.QUEUED })
  status: BatchRunStatus;
  /** Who may see it: the starting user for IMPORT/RECOMPUTE_ALL; null (admins) for DAILY. */
  @Column({ type: 'uuid', nullable: true }) userId: string | null;
  @Column({ type: 'uuid', nullable: true }) portfolioId: string | null;
  @Column({ type: 'int', default: 0 }) total: number;
  @Column({ type: 'int', default: 0 }) completed: number;
  @Column({ type: 'int', default: 0 }) failed: number;
  @Column({ type: 'text', nullable: true }) message: string | null;
  @Column({ type: 'jsonb' }) errors: string[];
  /** Job input (e.g. the CSV of an import), kept so a retried job works from PostgreSQL alone. */
  @Column({ type: 'jsonb', nullable: true }) input: unknown;
  @Column({ type: 'date', nullable: true }) runDate: string | null;
  @Column({ type: 'timestamptz', nullable: true }) startedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}

@Entity('portfolio_snapshots')
export class PortfolioSnapshotEntity {
  @PrimaryColumn({ type: 'uuid' }) portfolioId: string;
  @PrimaryColumn({ type: 'date' }) date: string;
  @ManyToOne(() => PortfolioEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'portfolio_id' })
  portfolio?: PortfolioEntity;
  @Column(MONEY) totalValue: Decimal;
  @Column(MONEY) longValue: Decimal;
  @Column(MONEY) shortValue: Decimal;
  @Column(MONEY) grossExposure: Decimal;
  @Column(MONEY) netExposure: Decimal;
  @Column({ ...MONEY, nullable: true }) dailyPnl: Decimal | null;
  @Column({ ...MONEY, nullable: true }) cumulativePnl: Decimal | null;
  @Column({ type: 'double precision' }) netDelta: number;
}

/** Daily P&L per strategy: the history the performance figures are computed from. */
@Entity('strategy_daily_pnl')
export class StrategyDailyPnlEntity {
  @PrimaryColumn({ type: 'uuid' }) strategyId: string;
  @PrimaryColumn({ type: 'date' }) date: string;
  @ManyToOne(() => StrategyEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'strategy_id' })
  strategy?: StrategyEntity;
  @Column(MONEY) pnl: Decimal;
  @Column(MONEY) value: Decimal;
  @Column(MONEY) unrealizedPnl: Decimal;
}
