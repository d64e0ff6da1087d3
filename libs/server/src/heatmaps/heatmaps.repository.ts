import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { HeatmapCellCount, HeatmapDevice, HeatmapSnapshot } from '@loupe/contracts';

export interface RollupScope {
  projectId: string;
  page: string;
  device: HeatmapDevice;
  /** Days, YYYY-MM-DD, both included. */
  from: string;
  to: string;
  variant: string;
}

export interface ZoneTotals {
  selector: string;
  clicks: number;
  visitors: number;
  rage: number;
  dead: number;
  hoverMs: number;
}

/** The device class of a session by its viewport, as the rollups have it (libs/analytics deviceClassOf). */
const SESSION_DEVICE = `CASE WHEN s.viewport_width IS NULL THEN NULL WHEN s.viewport_width < 768 THEN 'mobile' WHEN s.viewport_width < 1024 THEN 'tablet' ELSE 'desktop' END`;

/** Reads heatmaps from the rollups the session analysis maintains; only zone conversion reads sessions. */
@Injectable()
export class HeatmapsRepository {
  constructor(private readonly db: DataSource) {}

  async cells(s: RollupScope, layer: string): Promise<HeatmapCellCount[]> {
    const rows: Array<{ gx: number; gy: number; count: string }> = await this.db.query(
      `SELECT gx, gy, sum(count) AS count FROM heatmap_cell
        WHERE project_id = $1 AND page_key = $2 AND device = $3 AND layer = $4 AND variant = $5 AND day BETWEEN $6::date AND $7::date AND selector = ''
        GROUP BY gx, gy HAVING sum(count) > 0 ORDER BY gy, gx`,
      [s.projectId, s.page, s.device, layer, s.variant, s.from, s.to],
    );
    return rows.map((r) => ({ gx: r.gx, gy: r.gy, count: Number(r.count) }));
  }

  async elementCells(s: RollupScope): Promise<Array<HeatmapCellCount & { selector: string }>> {
    const rows: Array<{ selector: string; gx: number; gy: number; count: string }> = await this.db.query(
      `SELECT selector, gx, gy, sum(count) AS count FROM heatmap_cell
        WHERE project_id = $1 AND page_key = $2 AND device = $3 AND layer = 'element' AND variant = $4 AND day BETWEEN $5::date AND $6::date
        GROUP BY selector, gx, gy HAVING sum(count) > 0`,
      [s.projectId, s.page, s.device, s.variant, s.from, s.to],
    );
    return rows.map((r) => ({ selector: r.selector, gx: r.gx, gy: r.gy, count: Number(r.count) }));
  }

  async zones(s: RollupScope): Promise<ZoneTotals[]> {
    const rows: Array<{ selector: string; clicks: string; visitors: string; rage: string; dead: string; hover_ms: string }> = await this.db.query(
      `SELECT selector, sum(clicks) AS clicks, sum(visitors) AS visitors, sum(rage) AS rage, sum(dead) AS dead, sum(hover_ms) AS hover_ms
         FROM heatmap_zone
        WHERE project_id = $1 AND page_key = $2 AND device = $3 AND variant = $4 AND day BETWEEN $5::date AND $6::date
        GROUP BY selector HAVING sum(clicks) > 0 OR sum(rage) > 0 OR sum(dead) > 0
        ORDER BY sum(clicks) DESC, selector LIMIT 500`,
      [s.projectId, s.page, s.device, s.variant, s.from, s.to],
    );
    return rows.map((r) => ({
      selector: r.selector,
      clicks: Number(r.clicks),
      visitors: Number(r.visitors),
      rage: Number(r.rage),
      dead: Number(r.dead),
      hoverMs: Number(r.hover_ms),
    }));
  }

  /**
   * For a zone conversion: the visits of the page on that device and range, and for each selector
   * clicked there, how many of those visits clicked it and how many of those reached the goal.
   */
  async zoneConversion(
    s: RollupScope,
    goal: { page: string } | { event: string },
  ): Promise<{ visits: number; converted: number; bySelector: Map<string, { visits: number; converted: number }> }> {
    const goalSql =
      'page' in goal
        ? `EXISTS (SELECT 1 FROM page_view g WHERE g.project_id = $1 AND g.session_id = v.session_id AND g.page_key = $7)`
        : `EXISTS (SELECT 1 FROM session_event g WHERE g.project_id = $1 AND g.session_id = v.session_id AND g.kind = 'custom' AND g.name = $7)`;
    const rows: Array<{ selector: string | null; visits: string; converted: string }> = await this.db.query(
      `WITH visits AS (
         SELECT v.session_id, bool_or(${goalSql}) AS converted
           FROM page_view v JOIN session s ON s.project_id = v.project_id AND s.id = v.session_id
          WHERE v.project_id = $1 AND v.page_key = $2 AND ${SESSION_DEVICE} = $3
            AND v.ts >= $4::date AND v.ts < $5::date + 1 AND $6 = ''
          GROUP BY v.session_id
       ), clicked AS (
         SELECT DISTINCT z.session_id, z.selector FROM heatmap_session_zone z JOIN visits USING (session_id)
          WHERE z.project_id = $1 AND z.page_key = $2 AND z.device = $3 AND z.clicks > 0
       )
       SELECT NULL AS selector, count(*) AS visits, count(*) FILTER (WHERE converted) AS converted FROM visits
       UNION ALL
       SELECT c.selector, count(*), count(*) FILTER (WHERE v.converted) FROM clicked c JOIN visits v USING (session_id) GROUP BY c.selector`,
      [s.projectId, s.page, s.device, s.from, s.to, s.variant, 'page' in goal ? goal.page : goal.event],
    );
    const all = rows.find((r) => r.selector === null);
    const bySelector = new Map<string, { visits: number; converted: number }>();
    for (const r of rows) if (r.selector !== null) bySelector.set(r.selector, { visits: Number(r.visits), converted: Number(r.converted) });
    return { visits: Number(all?.visits ?? 0), converted: Number(all?.converted ?? 0), bySelector };
  }

  async snapshots(projectId: string, page: string, device: HeatmapDevice | undefined, limit: number): Promise<HeatmapSnapshot[]> {
    const rows: Array<{ session_id: string; window_id: string; seq: number; ts: string; url: string; viewport_width: number | null; device: HeatmapDevice | null }> =
      await this.db.query(
        `SELECT c.session_id, c.window_id, c.seq, f.ts, v.url, s.viewport_width, ${SESSION_DEVICE} AS device
           FROM recording_chunk c
           JOIN session s ON s.project_id = c.project_id AND s.id = c.session_id
           CROSS JOIN LATERAL jsonb_array_elements_text(COALESCE(c.facts -> 'fullSnapshots', '[]'::jsonb)) AS f(ts)
           -- The page a snapshot shows: the view opened in its tab by then (the page view event follows
           -- the snapshot of a load by a few milliseconds).
           CROSS JOIN LATERAL (
             SELECT pv.page_key, pv.url FROM page_view pv
              WHERE pv.project_id = c.project_id AND pv.session_id = c.session_id AND (pv.window_id IS NULL OR pv.window_id = c.window_id)
                AND pv.ts <= to_timestamp((f.ts::float8 + 2000) / 1000.0)
              ORDER BY pv.ts DESC LIMIT 1) v
          WHERE c.project_id = $1 AND v.page_key = $2 AND ($3::text IS NULL OR ${SESSION_DEVICE} = $3)
          ORDER BY f.ts::float8 DESC
          LIMIT $4`,
        [projectId, page, device ?? null, limit],
      );
    return rows.map((r) => ({
      sessionId: r.session_id,
      windowId: r.window_id,
      seq: r.seq,
      ts: Number(r.ts),
      url: r.url,
      viewportWidth: r.viewport_width,
      device: r.device,
    }));
  }
}
