import Decimal from 'decimal.js';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { StrategyEntity } from '../strategy/strategy.entity';
import { decimalTransformer, MONEY } from '../../common/columns';

/** Reference data and the latest price per symbol (Redis holds a copy of the latest price for fast reads). */
@Entity('market_data')
export class MarketDataEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) symbol: string;
  @Column({ ...MONEY, nullable: true }) lastPrice: Decimal | null;
  @Column({ type: 'timestamptz', nullable: true }) priceAt: Date | null;
  @Column({ type: 'varchar', length: 80, nullable: true }) sector: string | null;
  /** The price clock of the transaction that last wrote the row, set by the database (migration ReadVersions). */
  @Index('IDX_market_data_clock')
  @Column({ type: 'bigint', default: 0 })
  clock: string;
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
  @ManyToOne(() => StrategyEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'strategy_id' })
  strategy?: StrategyEntity;
  @Column(MONEY) open: Decimal;
  @Column(MONEY) high: Decimal;
  @Column(MONEY) low: Decimal;
  @Column(MONEY) close: Decimal;
}

/**
 * A symbol's day on the NYSE calendar: open/high/low/close of its prices that day (ticks as they arrive, or imported
 * bars). `closeAt` is the time of the tick that set the close (null for an imported bar), so a late older tick
 * never replaces a newer close.
 */
@Entity('daily_bars')
@Check(
  'CHK_daily_bars_range',
  'low >= 0 AND low <= high AND open >= low AND open <= high AND close >= low AND close <= high ' +
    'AND (volume IS NULL OR volume >= 0)',
)
export class DailyBarEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) symbol: string;
  @PrimaryColumn({ type: 'date' }) date: string;
  @Column(MONEY) open: Decimal;
  @Column(MONEY) high: Decimal;
  @Column(MONEY) low: Decimal;
  @Column(MONEY) close: Decimal;
  @Column({ type: 'numeric', precision: 24, scale: 4, nullable: true, transformer: decimalTransformer })
  volume: Decimal | null;
  @Column({ type: 'timestamptz', nullable: true }) closeAt: Date | null;
}
