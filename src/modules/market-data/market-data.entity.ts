import Decimal from 'decimal.js';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { StrategyEntity } from '../strategy/strategy.entity';
import { MONEY } from '../../common/columns';

/** Reference data and the latest price per symbol (Redis holds a copy of the latest price for fast reads). */
@Entity('market_data')
export class MarketDataEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) symbol: string;
  @Column({ ...MONEY, nullable: true }) lastPrice: Decimal | null;
  @Column({ type: 'timestamptz', nullable: true }) priceAt: Date | null;
  @Column({ type: 'varchar', length: 80, nullable: true }) sector: string | null;
}

/** Price history, one row per published tick. */
@Entity('prices')
@Index('IDX_prices_symbol_at', ['symbol', 'at'])
export class PriceEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column({ type: 'varchar', length: 64 }) symbol: string;
  @Column(MONEY) price: Decimal;
  @Column({ type: 'timestamptz' }) at: Date;
}

/** Minute candles of a strategy's unrealized P&L. */
@Entity('m2m_candles')
export class M2MCandleEntity {
  @PrimaryColumn({ type: 'uuid' }) strategyId: string;
  @PrimaryColumn({ type: 'timestamptz' }) bucketStart: Date;
  @ManyToOne(() => StrategyEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'strategy_id' }) strategy?: StrategyEntity;
  @Column(MONEY) open: Decimal;
  @Column(MONEY) high: Decimal;
  @Column(MONEY) low: Decimal;
  @Column(MONEY) close: Decimal;
}
