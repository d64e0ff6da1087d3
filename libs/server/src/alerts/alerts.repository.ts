import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { PageActivity, PageAlert } from '@loupe/signals';

/** The only code that reads page rates for alerts and writes the alerts sent. */
@Injectable()
export class AlertsRepository {
  constructor(private readonly db: DataSource) {}

  /** Projects with a webhook for alerts, and their stored alert settings. */
  async projectsWithAlerts(): Promise<Array<{ id: string; name: string; settings: Record<string, unknown> }>> {
    return this.db.query(`SELECT id, name, settings FROM project WHERE COALESCE(settings -> 'alerts' ->> 'webhookUrl', '') <> ''`);
  }

  /** Views, rage clicks and errors per page key between two instants. */
  async activity(projectId: string, from: Date, to: Date): Promise<PageActivity[]> {
    const rows: Array<{ page_key: string; views: string; rage: string; errors: string }> = await this.db.query(
      `SELECT page_key, count(*) AS views, COALESCE(sum((signals ->> 'rage_click')::int), 0) AS rage, COALESCE(sum(error_count), 0) AS errors
         FROM page_view WHERE project_id = $1 AND ts >= $2 AND ts < $3 GROUP BY page_key`,
      [projectId, from, to],
    );
    return rows.map((r) => ({ pageKey: r.page_key, views: Number(r.views), rageClicks: Number(r.rage), errors: Number(r.errors) }));
  }

  /**
   * Records the alert unless the same page and metric alerted within the cooldown. Returns whether
   * it was recorded (and so must be sent); two checkers at once record it once.
   */
  async recordUnlessRecent(projectId: string, a: PageAlert, cooldownMinutes: number): Promise<boolean> {
    return this.db.transaction(async (m) => {
      // One project's alerts at a time: the check-then-insert below must not interleave.
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`loupe.alerts.${projectId}`]);
      const recent: unknown[] = await m.query(
        `SELECT 1 FROM alert_event WHERE project_id = $1 AND page_key = $2 AND metric = $3 AND sent_at > now() - ($4 || ' minutes')::interval LIMIT 1`,
        [projectId, a.pageKey, a.metric, String(cooldownMinutes)],
      );
      if (recent.length) return false;
      await m.query('INSERT INTO alert_event (project_id, page_key, metric, rate, baseline_rate, views) VALUES ($1, $2, $3, $4, $5, $6)', [
        projectId,
        a.pageKey,
        a.metric,
        a.rate,
        a.baselineRate,
        a.views,
      ]);
      return true;
    });
  }
}
