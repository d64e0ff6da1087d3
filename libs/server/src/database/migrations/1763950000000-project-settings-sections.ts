import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Project settings become one object per section; the allowed origins move into `recording`. */
export class ProjectSettingsSections1763950000000 implements MigrationInterface {
  name = 'ProjectSettingsSections1763950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE project
         SET settings = (settings - 'allowedOrigins') || jsonb_build_object('recording', jsonb_build_object('allowedOrigins', settings -> 'allowedOrigins'))
       WHERE settings ? 'allowedOrigins';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE project
         SET settings = (settings - 'recording') || jsonb_build_object('allowedOrigins', settings -> 'recording' -> 'allowedOrigins')
       WHERE settings ? 'recording';
    `);
  }
}
