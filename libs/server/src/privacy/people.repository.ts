import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { withdrawHeatContributions } from '../analysis/session-analysis.repository';

/** Rows deleted per table for one person. */
export interface PersonDeletion {
  sessions: number;
  chunks: number;
  events: number;
  signals: number;
  pageViews: number;
  feedback: number;
  feedbackNotes: number;
  surveyImpressions: number;
  /** The person's share of the heatmaps, taken out of the maps. */
  heatmapContributions: number;
}

/**
 * The only code that reads or deletes everything about one person of a project. A person is an id
 * the site gave (`Loupe.identify`, kept as the session's user id) or the SDK's visitor id; the
 * sessions either names are theirs, and so is what hangs off those sessions, plus any answer or
 * impression stored under the visitor id itself.
 */
@Injectable()
export class PeopleRepository {
  constructor(private readonly db: DataSource) {}

  private sessionIds(m: EntityManager, projectId: string, personId: string): Promise<Array<{ id: string }>> {
    return m.query(`SELECT id FROM session WHERE project_id = $1 AND (user_id = $2 OR visitor_id = $2) ORDER BY started_at, id`, [projectId, personId]);
  }

  async find(projectId: string, personId: string) {
    const m = this.db.manager;
    const ids = (await this.sessionIds(m, projectId, personId)).map((r) => r.id);
    const q = <T>(sql: string) => m.query(sql, [projectId, ids, personId]) as Promise<T[]>;
    const [sessions, events, signals, pageViews, feedback, notes, impressions, chunks] = await Promise.all([
      q<Record<string, unknown>>(`SELECT * FROM session WHERE project_id = $1 AND id = ANY($2) AND $3::text IS NOT NULL ORDER BY started_at, id`),
      q<Record<string, unknown>>(`SELECT session_id, window_id, seq, idx, ts, kind, url, name, selector, text, x, y, props FROM session_event WHERE project_id = $1 AND session_id = ANY($2) AND $3::text IS NOT NULL ORDER BY session_id, ts, seq, idx`),
      q<Record<string, unknown>>(`SELECT session_id, idx, window_id, ts, kind, url, page_key, selector, text, x, y, details FROM session_signal WHERE project_id = $1 AND session_id = ANY($2) AND $3::text IS NOT NULL ORDER BY session_id, ts, idx`),
      q<Record<string, unknown>>(`SELECT session_id, idx, window_id, visitor_id, ts, url, page_key, duration_ms, is_entry, is_exit, bounced, signal_count, signals, error_count FROM page_view WHERE project_id = $1 AND session_id = ANY($2) AND $3::text IS NOT NULL ORDER BY session_id, ts, idx`),
      q<Record<string, unknown>>(`SELECT id, survey_id, session_id, visitor_id, kind, scale_min, scale_max, score, comment, comment_question, url, device, variants, answered_at, status, tags, resolved_at FROM feedback WHERE project_id = $1 AND (session_id = ANY($2) OR visitor_id = $3) ORDER BY answered_at, id`),
      q<Record<string, unknown>>(`SELECT n.feedback_id, n.body, n.created_at FROM feedback_note n JOIN feedback f ON f.id = n.feedback_id WHERE f.project_id = $1 AND (f.session_id = ANY($2) OR f.visitor_id = $3) ORDER BY n.created_at`),
      q<Record<string, unknown>>(`SELECT impression_id, kind, survey_id, survey_kind, session_id, visitor_id, url, device, variants, created_at FROM survey_impression WHERE project_id = $1 AND (session_id = ANY($2) OR visitor_id = $3) ORDER BY created_at`),
      q<Record<string, unknown>>(`SELECT session_id, window_id, seq, first_ts, last_ts, event_count FROM recording_chunk WHERE project_id = $1 AND session_id = ANY($2) AND $3::text IS NOT NULL ORDER BY session_id, window_id, seq`),
    ]);
    return { sessions, events, signals, pageViews, feedback, notes, impressions, chunks };
  }

  /** Deletes it all in one transaction, table by table so that each count is the table's own. */
  async delete(projectId: string, personId: string, inTransaction: (m: EntityManager, counts: PersonDeletion) => Promise<void>): Promise<PersonDeletion> {
    return this.db.transaction(async (m) => {
      const ids = (await this.sessionIds(m, projectId, personId)).map((r) => r.id);
      const count = async (sql: string) => {
        const [row]: Array<{ n: string }> = await m.query(`WITH gone AS (${sql} RETURNING 1) SELECT count(*) AS n FROM gone`, [projectId, ids, personId]);
        return Number(row?.n ?? 0);
      };
      const counts: PersonDeletion = {
        heatmapContributions: await withdrawHeatContributions(m, projectId, ids),
        feedbackNotes: await count(`DELETE FROM feedback_note n USING feedback f WHERE n.feedback_id = f.id AND f.project_id = $1 AND (f.session_id = ANY($2) OR f.visitor_id = $3)`),
        feedback: await count(`DELETE FROM feedback WHERE project_id = $1 AND (session_id = ANY($2) OR visitor_id = $3)`),
        surveyImpressions: await count(`DELETE FROM survey_impression WHERE project_id = $1 AND (session_id = ANY($2) OR visitor_id = $3)`),
        signals: await count(`DELETE FROM session_signal WHERE project_id = $1 AND session_id = ANY($2) AND $3::text IS NOT NULL`),
        pageViews: await count(`DELETE FROM page_view WHERE project_id = $1 AND (session_id = ANY($2) OR visitor_id = $3)`),
        events: await count(`DELETE FROM session_event WHERE project_id = $1 AND session_id = ANY($2) AND $3::text IS NOT NULL`),
        chunks: await count(`DELETE FROM recording_chunk WHERE project_id = $1 AND session_id = ANY($2) AND $3::text IS NOT NULL`),
        sessions: await count(`DELETE FROM session WHERE project_id = $1 AND id = ANY($2) AND $3::text IS NOT NULL`),
      };
      await inTransaction(m, counts);
      return counts;
    });
  }
}
