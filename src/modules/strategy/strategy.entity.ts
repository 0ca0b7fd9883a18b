import Decimal from 'decimal.js';
import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { StrategyStatus, StrategyType } from '../../domain/types';
import { PortfolioEntity } from '../portfolio/portfolio.entity';
import { MONEY } from '../../common/columns';

@Entity('strategies')
@Check('CHK_strategies_name', `char_length(name) BETWEEN 1 AND 200`)
@Check('CHK_strategies_closed', `(status = 'CLOSED') = (closed_at IS NOT NULL)`)
@Index('IDX_strategies_portfolio_status', ['portfolioId', 'status', 'createdAt', 'id'])
export class StrategyEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) portfolioId: string;
  @ManyToOne(() => PortfolioEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'portfolio_id' })
  portfolio?: PortfolioEntity;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @Column({ type: 'enum', enum: StrategyType, enumName: 'strategy_type' }) type: StrategyType;
  @Column({ type: 'enum', enum: StrategyStatus, enumName: 'strategy_status', default: StrategyStatus.ACTIVE })
  status: StrategyStatus;
  /** True from the change that needs a recomputation until the worker stored fresh metrics. */
  @Column({ type: 'boolean', default: true }) stale: boolean;
  /** Optimistic version: every structural change bumps it, so concurrent writers cannot both win. */
  @VersionColumn() rowVersion: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) closedAt: Date | null;
}

@Entity('strategy_versions')
export class StrategyVersionEntity {
  @PrimaryColumn({ type: 'uuid' }) strategyId: string;
  @PrimaryColumn({ type: 'int' }) version: number;
  @ManyToOne(() => StrategyEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'strategy_id' })
  strategy?: StrategyEntity;
  @Column({ type: 'varchar', length: 40 }) change: string;
  @Column({ type: 'jsonb', nullable: true }) details: unknown;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}

/** One edge of the combine/split history: `ancestorId` became (part of) `descendantId`. */
@Entity('strategy_lineage')
export class StrategyLineageEntity {
  @PrimaryColumn({ type: 'uuid' }) ancestorId: string;
  @Index() @PrimaryColumn({ type: 'uuid' }) descendantId: string;
  @ManyToOne(() => StrategyEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ancestor_id' })
  ancestor?: StrategyEntity;
  @ManyToOne(() => StrategyEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'descendant_id' })
  descendant?: StrategyEntity;
  @Column({ type: 'varchar', length: 20 }) kind: 'combined' | 'split';
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}

@Entity('strategy_metrics')
export class StrategyMetricsEntity {
  @PrimaryColumn({ type: 'uuid' }) strategyId: string;
  @ManyToOne(() => StrategyEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'strategy_id' })
  strategy?: StrategyEntity;
  @Column(MONEY) marketValue: Decimal;
  @Column(MONEY) costBasis: Decimal;
  @Column(MONEY) unrealizedPnl: Decimal;
  @Column({ type: 'double precision' }) netDelta: number;
  @Column({ type: 'double precision' }) netGamma: number;
  @Column({ type: 'double precision' }) netTheta: number;
  @Column({ type: 'double precision' }) netVega: number;
  /** {maxProfit, maxLoss, breakEvenPoints} as strings; the curve is recomputed on demand. */
  @Column({ type: 'jsonb', nullable: true }) payoff: {
    maxProfit: string | null;
    maxLoss: string | null;
    breakEvenPoints: string[];
  } | null;
  @Column({ type: 'timestamptz' }) calculatedAt: Date;
}
