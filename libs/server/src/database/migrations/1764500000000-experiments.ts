import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Experiments and their exposures. An exposure is keyed by experiment key and visitor, not by
 * experiment row: a site that assigns variants itself reports exposures before (or without) anyone
 * defining the experiment in Loupe, and those exposures count once it is defined. The first
 * exposure of a visitor is the one kept, whatever order the worker processes chunks in.
 */
export class Experiments1764500000000 implements MigrationInterface {
  name = 'Experiments1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE experiment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES project (id) ON DELETE CASCADE,
        key text NOT NULL,
        name text NOT NULL,
        hypothesis text,
        status text NOT NULL CHECK (status IN ('draft', 'running', 'stopped')),
        variants jsonb NOT NULL,
        metrics jsonb NOT NULL,
        start_at timestamptz,
        end_at timestamptz,
        created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (project_id, key)
      );
      CREATE INDEX experiment_project_running_idx ON experiment (project_id) WHERE status = 'running';

      CREATE TABLE experiment_exposure (
        project_id uuid NOT NULL REFERENCES project (id) ON DELETE CASCADE,
        experiment_key text NOT NULL,
        visitor_id text NOT NULL,
        variant text NOT NULL,
        session_id text NOT NULL,
        first_ts timestamptz NOT NULL,
        PRIMARY KEY (project_id, experiment_key, visitor_id)
      );
      CREATE INDEX experiment_exposure_variant_idx ON experiment_exposure (project_id, experiment_key, variant, first_ts);
      CREATE INDEX experiment_exposure_session_idx ON experiment_exposure (project_id, session_id);
      CREATE INDEX session_event_project_custom_name_idx ON session_event (project_id, name, ts) WHERE kind = 'custom';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX IF EXISTS session_event_project_custom_name_idx; DROP TABLE experiment_exposure; DROP TABLE experiment;');
  }
}
