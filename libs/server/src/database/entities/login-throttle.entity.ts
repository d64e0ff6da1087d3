import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Failed logins per email address, kept in the database so every api replica sees them. */
@Entity({ name: 'login_throttle' })
export class LoginThrottleEntity {
  @PrimaryColumn({ type: 'text' }) key!: string;
  @Column({ type: 'integer' }) failures!: number;
  @Column({ name: 'blocked_until', type: 'timestamptz', nullable: true }) blockedUntil!: Date | null;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
