import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Instance administrators see what belongs to no organization: the queues, which carry every
 * project's jobs. The first account of an install (the one made from LOUPE_ADMIN_EMAIL) is one;
 * others are made so in the database only (see docs/self-hosting.md).
 */
export class InstanceAdmin1764100000000 implements MigrationInterface {
  name = 'InstanceAdmin1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app_user ADD COLUMN instance_admin boolean NOT NULL DEFAULT false`);
    // An existing install: its first account is the one its first start made from LOUPE_ADMIN_EMAIL.
    await q.query(`UPDATE app_user SET instance_admin = true WHERE id = (SELECT id FROM app_user ORDER BY created_at, id LIMIT 1)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app_user DROP COLUMN instance_admin`);
  }
}
