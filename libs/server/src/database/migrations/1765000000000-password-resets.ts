import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Password resets by link: only a SHA-256 of each link's secret is kept, and a link works once,
 * for a short while.
 */
export class PasswordResets1765000000000 implements MigrationInterface {
  name = 'PasswordResets1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE password_reset (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
        token_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      );
      CREATE UNIQUE INDEX password_reset_token_key ON password_reset (token_hash);
      CREATE INDEX password_reset_user_idx ON password_reset (user_id, created_at DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE password_reset`);
  }
}
