import Decimal from 'decimal.js';
import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { MONEY } from '../../common/columns';
import { InvestmentClass, LegStatus, OptionType, PositionType } from '../../domain/types';
import { PortfolioEntity } from '../portfolio/portfolio.entity';
import { StrategyEntity } from '../strategy/strategy.entity';

@Entity('legs')
@Check('CHK_legs_quantity', `quantity > 0`)
@Check('CHK_legs_entry_price', `entry_price >= 0`)
@Check('CHK_legs_strike', `strike_price IS NULL OR strike_price > 0`)
@Check('CHK_legs_iv', `implied_volatility IS NULL OR (implied_volatility > 0 AND implied_volatility <= 5)`)
@Check(
  'CHK_legs_option_shape',
  `(option_type IS NULL) = (strike_price IS NULL) AND (option_type IS NULL) = (expiration_date IS NULL)`,
)
// A CLOSED leg has its exit price and date, an OPEN one neither; nobody exits before entering.
@Check(
  'CHK_legs_exit',
  `(status = 'CLOSED') = (exit_price IS NOT NULL) AND (exit_price IS NULL) = (exit_date IS NULL) ` +
    `AND (exit_price IS NULL OR exit_price >= 0) AND (exit_date IS NULL OR exit_date >= entry_date)`,
)
@Index('IDX_legs_strategy_order', ['strategyId', 'legOrder'])
export class LegEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** Every leg has exactly one strategy: NOT NULL, and the strategy cannot be deleted under it. */
  @Column({ type: 'uuid' }) strategyId: string;
  @ManyToOne(() => StrategyEntity, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'strategy_id' })
  strategy?: StrategyEntity;
  @Index() @Column({ type: 'uuid' }) portfolioId: string;
  @ManyToOne(() => PortfolioEntity, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'portfolio_id' })
  portfolio?: PortfolioEntity;
  @Column({ type: 'varchar', length: 64 }) symbol: string;
  @Column({ type: 'enum', enum: PositionType, enumName: 'position_type' }) positionType: PositionType;
  @Column(MONEY) quantity: Decimal;
  @Column({ type: 'int' }) multiplier: number;
  @Column({ type: 'enum', enum: InvestmentClass, enumName: 'investment_class' }) investmentClass: InvestmentClass;
  @Index() @Column({ type: 'varchar', length: 64 }) underlyingSymbol: string;
  @Column({ type: 'enum', enum: OptionType, enumName: 'option_type', nullable: true }) optionType: OptionType | null;
  @Column({ ...MONEY, nullable: true }) strikePrice: Decimal | null;
  @Column({ type: 'date', nullable: true }) expirationDate: string | null;
  @Column({ type: 'double precision', nullable: true }) impliedVolatility: number | null;
  @Column(MONEY) entryPrice: Decimal;
  @Column({ type: 'date' }) entryDate: string;
  @Column({ type: 'int' }) legOrder: number;
  @Column({ type: 'enum', enum: LegStatus, enumName: 'leg_status', default: LegStatus.OPEN }) status: LegStatus;
  @Column({ ...MONEY, nullable: true }) exitPrice: Decimal | null;
  @Column({ type: 'date', nullable: true }) exitDate: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
