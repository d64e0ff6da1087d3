import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Alerts sent, so that a page that stays bad is not announced again until its cooldown is over. */
export class Alerts1764010000000 implements MigrationInterface {
  name = 'Alerts1764010000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alert_event (
        id bigserial PRIMARY KEY,
        project_id uuid NOT NULL REFERENCES project (id) ON DELETE CASCADE,
        page_key text NOT NULL,
        metric text NOT NULL,
        rate double precision NOT NULL,
        baseline_rate double precision NOT NULL,
        views integer NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX alert_event_recent_idx ON alert_event (project_id, page_key, metric, sent_at DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE alert_event');
  }
}
