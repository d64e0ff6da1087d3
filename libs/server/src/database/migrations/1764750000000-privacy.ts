import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The node ids of password inputs each window of a session has shown, so that ingest can mask a
 * password typed batches after the snapshot that introduced its field (`{ windowId: [ids] }`).
 */
export class Privacy1764750000000 implements MigrationInterface {
  name = 'Privacy1764750000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE session ADD COLUMN password_inputs jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE session DROP COLUMN password_inputs`);
  }
}
