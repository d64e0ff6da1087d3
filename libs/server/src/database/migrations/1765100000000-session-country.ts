import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A visit's country (two letters), kept only for projects that turn coarse location on. */
export class SessionCountry1765100000000 implements MigrationInterface {
  name = 'SessionCountry1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE session ADD COLUMN country text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE session DROP COLUMN country`);
  }
}
