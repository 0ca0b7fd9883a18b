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
} from 'typeorm';
import { UserEntity } from '../auth/user.entity';
import { StrategyEntity } from '../strategy/strategy.entity';
import { DEFAULT_TAG_COLOR, TAG_COLOR, TAG_NAME } from './tag.rules';

@Entity('tags')
@Check('CHK_tags_name', `name ~ '${TAG_NAME.source}'`)
@Check('CHK_tags_color', `color ~ '${TAG_COLOR.source}'`)
@Index('UQ_tags_user_active_name_ci', { synchronize: false })
export class TagEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index() @Column({ type: 'uuid' }) userId: string;
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'user_id' }) user?: UserEntity;
  @Column({ type: 'varchar', length: 50 }) name: string;
  @Column({ type: 'char', length: 7, default: DEFAULT_TAG_COLOR }) color: string;
  @Column({ type: 'varchar', length: 500, nullable: true }) description: string | null;
  @Column({ type: 'int', default: 0 }) displayOrder: number;
  @Column({ type: 'timestamptz', nullable: true }) archivedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}

@Entity('strategy_tags')
export class StrategyTagEntity {
  @PrimaryColumn({ type: 'uuid' }) strategyId: string;
  @Index() @PrimaryColumn({ type: 'uuid' }) tagId: string;
  @ManyToOne(() => StrategyEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'strategy_id' })
  strategy?: StrategyEntity;
  @ManyToOne(() => TagEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'tag_id' }) tag?: TagEntity;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
