import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export interface ProjectSettings {
  /** Origins whose pages may send recordings with the public key; `*` allows any. */
  allowedOrigins: string[];
}

@Entity({ name: 'project' })
export class ProjectEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ name: 'public_key', type: 'text' }) publicKey!: string;
  @Column({ type: 'jsonb' }) settings!: ProjectSettings;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
