import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A console login. Only a hash of the cookie's token is stored, so a leaked table opens nothing. */
@Entity({ name: 'login_session' })
export class LoginSessionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId!: string;
  @Column({ name: 'token_hash', type: 'text' }) tokenHash!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt!: Date;
  @Column({ name: 'user_agent', type: 'text', nullable: true }) userAgent!: string | null;
  /** A salted hash of the client address, never the address itself. */
  @Column({ name: 'client_hash', type: 'text', nullable: true }) clientHash!: string | null;
}
