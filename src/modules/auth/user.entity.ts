import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('users')
@Index('UQ_users_username_ci', { synchronize: false })
@Index('UQ_users_email_ci', { synchronize: false })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 254 }) email: string;
  @Column({ type: 'varchar', length: 50 }) username: string;
  @Column({ type: 'text' }) passwordHash: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
