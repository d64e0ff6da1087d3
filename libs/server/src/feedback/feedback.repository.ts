import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Assignee, FeedbackListQuery, FeedbackStatus } from '@loupe/contracts';
import type { SurveyKind } from '@loupe/contracts/feedback';
import { addFeedbackFilters, likeContains, Where } from './feedback-filters';
import { SESSION_DAY } from '../recordings/recordings.repository';

export interface NewAnswer {
  projectId: string;
  submissionId: string;
  surveyId: string;
  sessionId: string;
  visitorId: string;
  windowId: string | null;
  kind: SurveyKind;
  scaleMin: number | null;
  scaleMax: number | null;
  score: number | null;
  comment: string | null;
  commentQuestion: string | null;
  url: string;
  device: string | null;
  variants: Record<string, string>;
  /** Epoch ms, the browser's clock. */
  answeredAt: number;
  userAgent: string | null;
  /** The project forwards this answer to its webhook: it waits, marked, until the message is queued. */
  forwardPending: boolean;
}

/** A stored answer whose forwarding was never queued, with what its message says. */
export interface PendingForward {
  id: string;
  projectId: string;
  sessionId: string;
  kind: SurveyKind;
  surveyName: string;
  scaleMin: number | null;
  scaleMax: number | null;
  score: number | null;
  comment: string | null;
  commentQuestion: string | null;
  url: string;
  device: string | null;
  variants: Record<string, string>;
}

export interface NewImpression {
  projectId: string;
  impressionId: string;
  kind: 'shown' | 'dismissed';
  surveyId: string;
  surveyKind: SurveyKind;
  sessionId: string;
  visitorId: string;
  url: string;
  device: string | null;
  variants: Record<string, string>;
  at: number;
  userAgent: string | null;
}

export interface FeedbackRow {
  id: string;
  survey_id: string;
  survey_name: string;
  kind: SurveyKind;
  scale_min: number | null;
  scale_max: number | null;
  score: number | null;
  comment: string | null;
  comment_question: string | null;
  url: string;
  device: string | null;
  session_id: string;
  visitor_id: string;
  user_id: string | null;
  variants: Record<string, string>;
  status: FeedbackStatus;
  assignee_id: string | null;
  assignee_name: string | null;
  assignee_email: string | null;
  tags: string[];
  note_count: number;
  created_at: Date;
  answered_at: Date;
  resolved_at: Date | null;
  session_started_at: Date;
}

export interface NoteRow {
  id: string;
  body: string;
  author_id: string | null;
  author_name: string | null;
  created_at: Date;
}

const ROW_COLUMNS = `a.id, a.survey_id, sv.name AS survey_name, a.kind, a.scale_min, a.scale_max, a.score, a.comment, a.comment_question,
  a.url, a.device, a.session_id, a.visitor_id, s.user_id, a.variants, a.status, a.assignee_id, u.name AS assignee_name,
  u.email AS assignee_email, a.tags, a.created_at, a.answered_at, a.resolved_at, s.started_at AS session_started_at,
  (SELECT count(*)::int FROM feedback_note n WHERE n.feedback_id = a.id) AS note_count`;

const ROW_FROM = `feedback a
  JOIN survey sv ON sv.project_id = a.project_id AND sv.id = a.survey_id
  JOIN session s ON s.project_id = a.project_id AND s.id = a.session_id
  LEFT JOIN app_user u ON u.id = a.assignee_id`;

/**
 * Creates the session an answer belongs to when the recording has not reached the server yet (the
 * widget may be faster than the recorder's next batch); the recording then stretches it as usual.
 */
const SESSION_FIRST = `INSERT INTO session (project_id, id, visitor_id, started_at, last_event_at, user_agent, source)
  VALUES ($1, $2, $3, to_timestamp($4 / 1000.0), to_timestamp($4 / 1000.0), $5, 'sdk')
  ON CONFLICT (project_id, id) DO NOTHING`;

/** The only code that reads and writes answers, showings of surveys and notes. */
@Injectable()
export class FeedbackRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Stores an answer (and its session if need be) in one statement, its variants completed with those
   * the session's recording reported so far (what the page sent wins). Null when it was stored before
   * (a retry).
   */
  async insertAnswer(a: NewAnswer): Promise<{ id: string; variants: Record<string, string> } | null> {
    const rows: Array<{ id: string; variants: Record<string, string> }> = await this.db.query(
      `WITH s AS (${SESSION_FIRST}),
            seen AS (SELECT jsonb_object_agg(name, props ->> 'variant' ORDER BY ts) AS variants FROM session_event
                      WHERE project_id = $1 AND session_id = $2 AND session_day = ${SESSION_DAY} AND kind = 'exposure' AND name IS NOT NULL AND props ->> 'variant' IS NOT NULL)
       INSERT INTO feedback (project_id, submission_id, survey_id, session_id, visitor_id, window_id, kind, scale_min, scale_max, score,
                             comment, comment_question, url, device, variants, answered_at, forward_pending)
       SELECT $1, $6, $7, $2, $3, $8, $9, $10, $11, $12, $13, $14, $15, $16, COALESCE(seen.variants, '{}'::jsonb) || $17::jsonb, to_timestamp($4 / 1000.0), $18
         FROM seen
       ON CONFLICT (project_id, submission_id) DO NOTHING RETURNING id, variants`,
      [
        a.projectId,
        a.sessionId,
        a.visitorId,
        a.answeredAt,
        a.userAgent,
        a.submissionId,
        a.surveyId,
        a.windowId,
        a.kind,
        a.scaleMin,
        a.scaleMax,
        a.score,
        a.comment,
        a.commentQuestion,
        a.url,
        a.device,
        JSON.stringify(a.variants),
        a.forwardPending,
      ],
    );
    return rows[0] ?? null;
  }

  async forwardQueued(projectId: string, id: string): Promise<void> {
    await this.db.query('UPDATE feedback SET forward_pending = false WHERE project_id = $1 AND id = $2', [projectId, id]);
  }

  /** Answers stored more than `olderThanMs` ago whose forwarding is still waiting, oldest first. */
  async pendingForwards(olderThanMs: number, limit: number): Promise<PendingForward[]> {
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT f.id, f.project_id, f.session_id, f.kind, s.name AS survey_name, f.scale_min, f.scale_max, f.score, f.comment, f.comment_question, f.url, f.device, f.variants
         FROM feedback f JOIN survey s ON s.id = f.survey_id
        WHERE f.forward_pending AND f.created_at < now() - ($1 || ' milliseconds')::interval
        ORDER BY f.created_at LIMIT $2`,
      [String(olderThanMs), limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      projectId: String(r.project_id),
      sessionId: String(r.session_id),
      kind: r.kind as SurveyKind,
      surveyName: String(r.survey_name),
      scaleMin: r.scale_min as number | null,
      scaleMax: r.scale_max as number | null,
      score: r.score as number | null,
      comment: r.comment as string | null,
      commentQuestion: r.comment_question as string | null,
      url: String(r.url),
      device: r.device as string | null,
      variants: (r.variants as Record<string, string> | null) ?? {},
    }));
  }

  async insertImpression(i: NewImpression): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `WITH s AS (${SESSION_FIRST})
       INSERT INTO survey_impression (project_id, impression_id, kind, survey_id, survey_kind, session_id, visitor_id, url, device, variants)
       VALUES ($1, $6, $7, $8, $9, $2, $3, $10, $11, $12::jsonb)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [i.projectId, i.sessionId, i.visitorId, i.at, i.userAgent, i.impressionId, i.kind, i.surveyId, i.surveyKind, i.url, i.device, JSON.stringify(i.variants)],
    );
    return rows.length === 1;
  }

  async list(q: FeedbackListQuery, after: { createdAt: string; id: string } | null): Promise<FeedbackRow[]> {
    const w = addFeedbackFilters(new Where(), q, { alias: 'a' });
    if (q.q) w.add('a.comment ILIKE {}', likeContains(q.q));
    if (q.status) w.add('a.status = {}', q.status);
    if (q.assignee === 'none') w.add('a.assignee_id IS NULL');
    else if (q.assignee) w.add('a.assignee_id = {}', q.assignee);
    if (q.tag) w.add('{} = ANY (a.tags)', q.tag.toLowerCase());
    if (q.session) w.add('a.session_id = {}', q.session);
    if (after) w.add('(a.created_at, a.id) < ({}::timestamptz, {}::uuid)', after.createdAt, after.id);
    const limit = w.param(q.limit);
    return this.db.query(`SELECT ${ROW_COLUMNS} FROM ${ROW_FROM} WHERE ${w.sql} ORDER BY a.created_at DESC, a.id DESC LIMIT ${limit}`, w.params);
  }

  async find(projectId: string, id: string): Promise<FeedbackRow | null> {
    const rows: FeedbackRow[] = await this.db.query(`SELECT ${ROW_COLUMNS} FROM ${ROW_FROM} WHERE a.project_id = $1 AND a.id = $2`, [projectId, id]);
    return rows[0] ?? null;
  }

  /**
   * Applies a triage change in one statement. Resolving stamps `resolved_at` once (resolving again
   * keeps the first time); any other status clears it.
   */
  async triage(projectId: string, id: string, change: { status?: FeedbackStatus; assigneeId?: string | null; tags?: string[] }): Promise<boolean> {
    const [, updated]: [unknown[], number] = await this.db.query(
      `UPDATE feedback SET
          status = COALESCE($3::text, status),
          resolved_at = CASE WHEN $3::text IS NULL THEN resolved_at WHEN $3::text = 'resolved' THEN COALESCE(resolved_at, now()) ELSE NULL END,
          assignee_id = CASE WHEN $4::boolean THEN $5::uuid ELSE assignee_id END,
          tags = COALESCE($6::text[], tags)
        WHERE project_id = $1 AND id = $2`,
      [projectId, id, change.status ?? null, change.assigneeId !== undefined, change.assigneeId ?? null, change.tags ?? null],
    );
    return updated === 1;
  }

  async notes(projectId: string, feedbackId: string): Promise<NoteRow[]> {
    return this.db.query(
      `SELECT n.id, n.body, n.author_id, u.name AS author_name, n.created_at FROM feedback_note n LEFT JOIN app_user u ON u.id = n.author_id
        WHERE n.project_id = $1 AND n.feedback_id = $2 ORDER BY n.created_at, n.id`,
      [projectId, feedbackId],
    );
  }

  async addNote(projectId: string, feedbackId: string, authorId: string, body: string): Promise<void> {
    await this.db.query('INSERT INTO feedback_note (project_id, feedback_id, author_id, body) VALUES ($1, $2, $3, $4)', [projectId, feedbackId, authorId, body]);
  }

  /** The people an answer can be assigned to: the members of the project's organization. */
  async members(organizationId: string): Promise<Assignee[]> {
    return this.db.query(
      `SELECT u.id, u.name, u.email FROM membership m JOIN app_user u ON u.id = m.user_id WHERE m.organization_id = $1 ORDER BY u.name, u.email`,
      [organizationId],
    );
  }
}
