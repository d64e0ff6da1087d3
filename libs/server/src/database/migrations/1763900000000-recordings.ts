import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Recordings: a session row per visit, its chunks as they came from the browser (compressed), and
 * the typed events the worker extracts from them. Keys start with project_id so that one project's
 * ids can never reach another's rows.
 */
export class Recordings1763900000000 implements MigrationInterface {
  name = 'Recordings1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE session (
        project_id uuid NOT NULL REFERENCES project (id) ON DELETE CASCADE,
        id text NOT NULL,
        visitor_id text NOT NULL,
        user_id text,
        started_at timestamptz NOT NULL,
        last_event_at timestamptz NOT NULL,
        duration_ms bigint NOT NULL DEFAULT 0,
        active_ms bigint NOT NULL DEFAULT 0,
        entry_url text,
        exit_url text,
        page_count integer NOT NULL DEFAULT 0,
        click_count integer NOT NULL DEFAULT 0,
        error_count integer NOT NULL DEFAULT 0,
        event_count integer NOT NULL DEFAULT 0,
        chunk_count integer NOT NULL DEFAULT 0,
        device text,
        browser text,
        os text,
        viewport_width integer,
        viewport_height integer,
        user_agent text,
        source text NOT NULL DEFAULT 'sdk',
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, id)
      );
      CREATE INDEX session_project_started_idx ON session (project_id, started_at DESC, id DESC);
      CREATE INDEX session_project_visitor_idx ON session (project_id, visitor_id);
      CREATE INDEX session_project_user_idx ON session (project_id, user_id) WHERE user_id IS NOT NULL;

      CREATE TABLE recording_chunk (
        project_id uuid NOT NULL,
        session_id text NOT NULL,
        window_id text NOT NULL,
        seq integer NOT NULL,
        batch_id text NOT NULL,
        first_ts timestamptz NOT NULL,
        last_ts timestamptz NOT NULL,
        event_count integer NOT NULL,
        raw_bytes integer NOT NULL,
        stored_bytes integer NOT NULL,
        encoding text NOT NULL CHECK (encoding IN ('gzip', 'br')),
        body bytea NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        facts jsonb,
        PRIMARY KEY (project_id, session_id, window_id, seq),
        FOREIGN KEY (project_id, session_id) REFERENCES session (project_id, id) ON DELETE CASCADE
      );
      CREATE INDEX recording_chunk_unprocessed_idx ON recording_chunk (received_at) WHERE processed_at IS NULL;
      CREATE INDEX recording_chunk_session_time_idx ON recording_chunk (project_id, session_id, first_ts);

      CREATE TABLE session_event (
        project_id uuid NOT NULL,
        session_id text NOT NULL,
        window_id text NOT NULL,
        seq integer NOT NULL,
        idx integer NOT NULL,
        ts timestamptz NOT NULL,
        kind text NOT NULL,
        url text,
        name text,
        selector text,
        text text,
        x double precision,
        y double precision,
        props jsonb,
        PRIMARY KEY (project_id, session_id, window_id, seq, idx),
        FOREIGN KEY (project_id, session_id) REFERENCES session (project_id, id) ON DELETE CASCADE
      );
      CREATE INDEX session_event_project_kind_ts_idx ON session_event (project_id, kind, ts);
      CREATE INDEX session_event_project_url_idx ON session_event (project_id, url) WHERE kind = 'pageview';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE session_event; DROP TABLE recording_chunk; DROP TABLE session;');
  }
}
