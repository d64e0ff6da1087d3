import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Frustration signals and page views, written by the session analysis after each chunk and again
 * when the visit ends. Both are replaced as a whole for their session, so analysing twice changes
 * nothing. The session keeps its counts, score and entry/exit pages for filtering.
 */
export class SignalsAndPages1764000000000 implements MigrationInterface {
  name = 'SignalsAndPages1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE session
        ADD COLUMN signal_counts jsonb NOT NULL DEFAULT '{}'::jsonb,
        ADD COLUMN signal_total integer NOT NULL DEFAULT 0,
        ADD COLUMN frustration_score real NOT NULL DEFAULT 0,
        ADD COLUMN entry_page text,
        ADD COLUMN exit_page text,
        ADD COLUMN bounced boolean NOT NULL DEFAULT false,
        ADD COLUMN last_received_at timestamptz,
        ADD COLUMN facts_changed_at timestamptz,
        ADD COLUMN analysed_at timestamptz,
        ADD COLUMN ended_at timestamptz;
      CREATE INDEX session_project_signals_idx ON session USING gin (signal_counts);
      CREATE INDEX session_project_exit_page_idx ON session (project_id, exit_page, started_at DESC);
      CREATE INDEX session_to_analyse_idx ON session (facts_changed_at) WHERE facts_changed_at IS NOT NULL;
      CREATE INDEX session_open_idx ON session (last_received_at) WHERE ended_at IS NULL;
      UPDATE session SET last_received_at = last_event_at;

      CREATE TABLE session_signal (
        project_id uuid NOT NULL,
        session_id text NOT NULL,
        idx integer NOT NULL,
        window_id text,
        ts timestamptz NOT NULL,
        kind text NOT NULL,
        url text,
        page_key text,
        selector text,
        text text,
        x double precision,
        y double precision,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        PRIMARY KEY (project_id, session_id, idx),
        FOREIGN KEY (project_id, session_id) REFERENCES session (project_id, id) ON DELETE CASCADE
      );
      CREATE INDEX session_signal_project_kind_ts_idx ON session_signal (project_id, kind, ts);
      CREATE INDEX session_signal_project_page_ts_idx ON session_signal (project_id, page_key, ts);

      CREATE TABLE page_view (
        project_id uuid NOT NULL,
        session_id text NOT NULL,
        idx integer NOT NULL,
        window_id text,
        visitor_id text NOT NULL,
        ts timestamptz NOT NULL,
        url text NOT NULL,
        page_key text NOT NULL,
        duration_ms bigint NOT NULL,
        is_entry boolean NOT NULL,
        is_exit boolean NOT NULL,
        bounced boolean NOT NULL,
        signal_count integer NOT NULL,
        signals jsonb NOT NULL DEFAULT '{}'::jsonb,
        error_count integer NOT NULL,
        PRIMARY KEY (project_id, session_id, idx),
        FOREIGN KEY (project_id, session_id) REFERENCES session (project_id, id) ON DELETE CASCADE
      );
      CREATE INDEX page_view_project_ts_idx ON page_view (project_id, ts);
      CREATE INDEX page_view_project_key_ts_idx ON page_view (project_id, page_key, ts);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE page_view;
      DROP TABLE session_signal;
      ALTER TABLE session DROP COLUMN signal_counts, DROP COLUMN signal_total, DROP COLUMN frustration_score, DROP COLUMN entry_page,
        DROP COLUMN exit_page, DROP COLUMN bounced, DROP COLUMN last_received_at, DROP COLUMN facts_changed_at, DROP COLUMN analysed_at, DROP COLUMN ended_at;
    `);
  }
}
