import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Answers waiting to be forwarded to their project's webhook: marked when stored, cleared once the
 * message is queued, so that an answer stored while the queue was down is still forwarded later.
 */
export class FeedbackForwarding1765150000000 implements MigrationInterface {
  name = 'FeedbackForwarding1765150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE feedback ADD COLUMN forward_pending boolean NOT NULL DEFAULT false;
      CREATE INDEX feedback_forward_pending_idx ON feedback (created_at) WHERE forward_pending;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX feedback_forward_pending_idx; ALTER TABLE feedback DROP COLUMN forward_pending`);
  }
}
