import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Funnels, and what their results are read from: the events of each session that matched a step
 * (`funnel_hit`, for visitors whose steps span sessions and for the moment to open a replay at) and
 * how far each session went (`funnel_session`, one row per session that did the first step or any
 * step). Both are replaced per session by the session analysis, and filled for stored sessions when
 * a funnel is created or edited (`version` against `ready_version`).
 */
export class Funnels1764400000000 implements MigrationInterface {
  name = 'Funnels1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE funnel (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES project (id) ON DELETE CASCADE,
        name text NOT NULL,
        steps jsonb NOT NULL,
        window_ms bigint NOT NULL,
        step_order text NOT NULL CHECK (step_order IN ('strict', 'loose')),
        count_by text NOT NULL CHECK (count_by IN ('session', 'visitor')),
        version integer NOT NULL DEFAULT 1,
        ready_version integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX funnel_project_idx ON funnel (project_id, created_at);

      CREATE TABLE funnel_hit (
        project_id uuid NOT NULL,
        funnel_id uuid NOT NULL REFERENCES funnel (id) ON DELETE CASCADE,
        session_id text NOT NULL,
        visitor_id text NOT NULL,
        step smallint NOT NULL,
        ord integer NOT NULL,
        ts timestamptz NOT NULL,
        PRIMARY KEY (funnel_id, session_id, ord, step),
        FOREIGN KEY (project_id, session_id) REFERENCES session (project_id, id) ON DELETE CASCADE
      );
      CREATE INDEX funnel_hit_visitor_idx ON funnel_hit (funnel_id, visitor_id, ts);
      CREATE INDEX funnel_hit_session_idx ON funnel_hit (project_id, session_id);

      CREATE TABLE funnel_session (
        project_id uuid NOT NULL,
        funnel_id uuid NOT NULL REFERENCES funnel (id) ON DELETE CASCADE,
        session_id text NOT NULL,
        visitor_id text NOT NULL,
        started_at timestamptz NOT NULL,
        reached smallint NOT NULL,
        step_at double precision[] NOT NULL,
        PRIMARY KEY (funnel_id, session_id),
        FOREIGN KEY (project_id, session_id) REFERENCES session (project_id, id) ON DELETE CASCADE
      );
      CREATE INDEX funnel_session_started_idx ON funnel_session (funnel_id, started_at) INCLUDE (reached);
      CREATE INDEX funnel_session_session_idx ON funnel_session (project_id, session_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE funnel_session; DROP TABLE funnel_hit; DROP TABLE funnel;');
  }
}
