import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Feedback: surveys, the answers visitors give (each tied to its session, so to the replay), the
 * times a survey was shown or closed (for the response rate), and the team's notes on answers.
 * An answer keeps its survey's kind and scale as they were when it was given.
 */
export class Feedback1764300000000 implements MigrationInterface {
  name = 'Feedback1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE survey (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES project (id) ON DELETE CASCADE,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('nps', 'csat', 'ces', 'comment')),
        status text NOT NULL CHECK (status IN ('draft', 'running', 'paused', 'ended')),
        definition jsonb NOT NULL,
        created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (project_id, id)
      );
      CREATE INDEX survey_project_running_idx ON survey (project_id) WHERE status = 'running';

      CREATE TABLE feedback (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL,
        submission_id text NOT NULL,
        survey_id uuid NOT NULL,
        session_id text NOT NULL,
        visitor_id text NOT NULL,
        window_id text,
        kind text NOT NULL,
        scale_min integer,
        scale_max integer,
        score integer,
        comment text,
        comment_question text,
        url text NOT NULL,
        device text,
        variants jsonb NOT NULL DEFAULT '{}'::jsonb,
        answered_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'resolved')),
        assignee_id uuid REFERENCES app_user (id) ON DELETE SET NULL,
        tags text[] NOT NULL DEFAULT '{}',
        resolved_at timestamptz,
        CHECK (score IS NULL OR (score BETWEEN scale_min AND scale_max)),
        UNIQUE (project_id, submission_id),
        FOREIGN KEY (project_id, session_id) REFERENCES session (project_id, id) ON DELETE CASCADE,
        FOREIGN KEY (project_id, survey_id) REFERENCES survey (project_id, id)
      );
      CREATE INDEX feedback_project_created_idx ON feedback (project_id, created_at DESC, id DESC);
      CREATE INDEX feedback_project_survey_idx ON feedback (project_id, survey_id, created_at);
      CREATE INDEX feedback_project_session_idx ON feedback (project_id, session_id);
      CREATE INDEX feedback_project_resolved_idx ON feedback (project_id, resolved_at) WHERE resolved_at IS NOT NULL;
      CREATE INDEX feedback_variants_idx ON feedback USING gin (variants jsonb_path_ops);

      CREATE TABLE feedback_note (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES project (id) ON DELETE CASCADE,
        feedback_id uuid NOT NULL REFERENCES feedback (id) ON DELETE CASCADE,
        author_id uuid REFERENCES app_user (id) ON DELETE SET NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX feedback_note_feedback_idx ON feedback_note (feedback_id, created_at);

      CREATE TABLE survey_impression (
        project_id uuid NOT NULL,
        impression_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('shown', 'dismissed')),
        survey_id uuid NOT NULL,
        survey_kind text NOT NULL,
        session_id text NOT NULL,
        visitor_id text NOT NULL,
        url text NOT NULL,
        device text,
        variants jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, impression_id, kind),
        FOREIGN KEY (project_id, session_id) REFERENCES session (project_id, id) ON DELETE CASCADE,
        FOREIGN KEY (project_id, survey_id) REFERENCES survey (project_id, id) ON DELETE CASCADE
      );
      CREATE INDEX survey_impression_project_created_idx ON survey_impression (project_id, created_at) WHERE kind = 'shown';
      CREATE INDEX survey_impression_survey_idx ON survey_impression (project_id, survey_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE survey_impression; DROP TABLE feedback_note; DROP TABLE feedback; DROP TABLE survey;');
  }
}
