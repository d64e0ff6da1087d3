import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { withdrawHeatContributions } from '../analysis/session-analysis.repository';
import { readSettings } from '../projects/projects.service';
import { JobHandler, type JobHandlerClass } from '../queue/job-handler';
import type { JobResults, RetentionCounts } from '../queue/queue.definitions';

/** The project's sessions whose last event is older than the cut: everything of theirs goes with them. */
const EXPIRED = `SELECT id FROM session WHERE project_id = $1 AND last_event_at < $2`;

/**
 * What each table loses. A session goes whole, never a part of a visit that spans the cut (a replay
 * without its first snapshot would show nothing). Children are deleted table by table before the
 * sessions, so that each count is the table's own rather than hidden in the cascade.
 */
const DELETIONS: ReadonlyArray<{ table: keyof RetentionCounts; sql: string }> = [
  { table: 'feedback', sql: `DELETE FROM feedback WHERE project_id = $1 AND session_id IN (${EXPIRED})` },
  { table: 'surveyImpressions', sql: `DELETE FROM survey_impression WHERE project_id = $1 AND session_id IN (${EXPIRED})` },
  { table: 'signals', sql: `DELETE FROM session_signal WHERE project_id = $1 AND session_id IN (${EXPIRED})` },
  { table: 'pageViews', sql: `DELETE FROM page_view WHERE project_id = $1 AND session_id IN (${EXPIRED})` },
  { table: 'events', sql: `DELETE FROM session_event WHERE project_id = $1 AND session_id IN (${EXPIRED})` },
  { table: 'chunks', sql: `DELETE FROM recording_chunk WHERE project_id = $1 AND session_id IN (${EXPIRED})` },
  { table: 'sessions', sql: `DELETE FROM session WHERE project_id = $1 AND last_event_at < $2` },
];

const emptyCounts = (): RetentionCounts => ({ sessions: 0, chunks: 0, events: 0, signals: 0, pageViews: 0, feedback: 0, surveyImpressions: 0, heatmapContributions: 0 });

/**
 * Once a day: each project loses what it recorded longer ago than its retention (90 days unless its
 * `retention` settings say otherwise). Idempotent: a second run on the same day finds nothing.
 */
@Injectable()
@JobHandler('retention.apply')
export class RetentionJob implements JobHandlerClass<unknown, JobResults['retention.apply']> {
  private readonly log = new Logger('Retention');

  constructor(private readonly db: DataSource) {}

  handle(): Promise<JobResults['retention.apply']> {
    return this.apply(new Date());
  }

  async apply(now: Date): Promise<JobResults['retention.apply']> {
    const projects: Array<{ id: string; settings: Record<string, unknown> }> = await this.db.query('SELECT id, settings FROM project ORDER BY id');
    const total = emptyCounts();
    const perProject: Record<string, RetentionCounts> = {};
    for (const project of projects) {
      const days = readSettings(project.settings).retention.days;
      const cutoff = new Date(now.getTime() - days * 24 * 3600_000);
      const counts = await this.db.transaction(async (m) => {
        const c = emptyCounts();
        const expired: Array<{ id: string }> = await m.query(EXPIRED, [project.id, cutoff]);
        c.heatmapContributions = await withdrawHeatContributions(m, project.id, expired.map((s) => s.id));
        for (const d of DELETIONS) {
          const [row]: Array<{ n: string }> = await m.query(`WITH gone AS (${d.sql} RETURNING 1) SELECT count(*) AS n FROM gone`, [project.id, cutoff]);
          c[d.table] = Number(row?.n ?? 0);
        }
        return c;
      });
      if (Object.values(counts).some((n) => n > 0)) {
        perProject[project.id] = counts;
        for (const k of Object.keys(total) as Array<keyof RetentionCounts>) total[k] += counts[k];
        this.log.log(`project ${project.id}: deleted what was older than ${days} days: ${describe(counts)}`);
      }
    }
    return { projects: projects.length, deleted: total, perProject };
  }
}

const describe = (c: RetentionCounts) =>
  Object.entries(c)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
