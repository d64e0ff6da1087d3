import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { HeatCell, HeatZone, PageView, SessionHeat } from '@loupe/analytics';
import type { SessionSummary } from '@loupe/replay';
import type { Signal } from '@loupe/signals';
import { SESSION_DAY, type StoredChunkFacts } from '../recordings/recordings.repository';
import type { SessionKey } from '../queue/queue.definitions';

export interface SessionToAnalyse {
  visitorId: string;
  userAgent: string | null;
  ended: boolean;
  lastReceivedAt: Date;
  /** Exactly as stored (microseconds), to record which facts an analysis saw. */
  factsChangedAt: string | null;
}

export interface SessionAnalysis {
  summary: SessionSummary;
  device: { device: string; browser: string | null; os: string | null } | null;
  signals: Array<Signal & { pageKey: string | null }>;
  signalCounts: Record<string, number>;
  frustrationScore: number;
  pageViews: PageView[];
  entryPage: string | null;
  exitPage: string | null;
  bounced: boolean;
  heat: SessionHeat;
  /**
   * The same session's heat for each experiment its visitor was exposed to, counting only what
   * happened from the exposure on, under `experiment=variant`.
   */
  variantHeat: Array<{ variant: string; heat: SessionHeat }>;
}

/** An experiment the session's visitor was first exposed to, with the variant and when. */
export interface VisitorExposure {
  experimentKey: string;
  variant: string;
  firstTs: number;
}

/** Rollup rows are keyed without the session: these are their key columns, in the rollup's key order. */
const CELL_KEY = ['page_key', 'device', 'layer', 'variant', 'day', 'selector', 'gx', 'gy'] as const;
const ZONE_KEY = ['page_key', 'device', 'variant', 'day', 'selector'] as const;
const ZONE_METRICS = ['clicks', 'visitors', 'rage', 'dead', 'hover_ms'] as const;
/** Rollup rows of every visitor, whatever experiments they saw. */
const NO_VARIANT = '';

/** The only code that reads what a session analysis needs and writes what it finds. */
@Injectable()
export class SessionAnalysisRepository {
  constructor(private readonly db: DataSource) {}

  async session(k: SessionKey): Promise<SessionToAnalyse | null> {
    const rows: Array<{ visitor_id: string; user_agent: string | null; ended_at: Date | null; last_received_at: Date | null; last_event_at: Date; facts_changed_at: string | null }> =
      await this.db.query(
        'SELECT visitor_id, user_agent, ended_at, last_received_at, last_event_at, facts_changed_at::text AS facts_changed_at FROM session WHERE project_id = $1 AND id = $2',
        [k.projectId, k.sessionId],
      );
    const r = rows[0];
    if (!r) return null;
    return { visitorId: r.visitor_id, userAgent: r.user_agent, ended: r.ended_at !== null, lastReceivedAt: r.last_received_at ?? r.last_event_at, factsChangedAt: r.facts_changed_at };
  }

  /** The visitor's first exposures, one per experiment, as the worker recorded them from their events. */
  async exposures(projectId: string, visitorId: string): Promise<VisitorExposure[]> {
    const rows: Array<{ experiment_key: string; variant: string; first_ts: Date }> = await this.db.query(
      'SELECT experiment_key, variant, first_ts FROM experiment_exposure WHERE project_id = $1 AND visitor_id = $2 ORDER BY experiment_key',
      [projectId, visitorId],
    );
    return rows.map((r) => ({ experimentKey: r.experiment_key, variant: r.variant, firstTs: r.first_ts.getTime() }));
  }

  async facts(k: SessionKey): Promise<StoredChunkFacts[]> {
    const rows: Array<{ facts: StoredChunkFacts }> = await this.db.query(
      `SELECT facts FROM recording_chunk WHERE project_id = $1 AND session_id = $2 AND session_day = ${SESSION_DAY} AND facts IS NOT NULL ORDER BY window_id, seq`,
      [k.projectId, k.sessionId],
    );
    return rows.map((r) => r.facts);
  }

  /**
   * Writes one analysis whole: the session's summary, its signals and page views replaced. Returns
   * false, writing nothing, when an analysis of newer facts was saved meanwhile.
   */
  async save(k: SessionKey, a: SessionAnalysis, factsSeen: string | null): Promise<boolean> {
    return this.db.transaction(async (m) => {
      const [row] = (await m.query(
        'SELECT analysed_at > $3::timestamptz AS newer FROM session WHERE project_id = $1 AND id = $2 FOR UPDATE',
        [k.projectId, k.sessionId, factsSeen],
      )) as Array<{ newer: boolean | null }>;
      if (!row || row.newer) return false;
      const s = a.summary;
      await m.query(
        `UPDATE session SET duration_ms = $3, active_ms = $4, entry_url = $5, exit_url = $6, page_count = $7, click_count = $8,
                error_count = $9, event_count = $10, chunk_count = $11, viewport_width = $12, viewport_height = $13,
                user_id = COALESCE($14, user_id), device = COALESCE($15, device), browser = COALESCE($16, browser), os = COALESCE($17, os),
                signal_counts = $18, signal_total = $19, frustration_score = $20, entry_page = $21, exit_page = $22, bounced = $23,
                analysed_at = $24::timestamptz
          WHERE project_id = $1 AND id = $2`,
        [
          k.projectId,
          k.sessionId,
          Math.round(s.durationMs),
          Math.round(s.activeMs),
          s.entryUrl ?? null,
          s.exitUrl ?? null,
          s.pageCount,
          s.clickCount,
          s.errorCount,
          s.eventCount,
          s.chunkCount,
          s.viewport?.width ?? null,
          s.viewport?.height ?? null,
          s.userId ?? null,
          a.device?.device ?? null,
          a.device?.browser ?? null,
          a.device?.os ?? null,
          JSON.stringify(a.signalCounts),
          a.signals.length,
          a.frustrationScore,
          a.entryPage,
          a.exitPage,
          a.bounced,
          factsSeen,
        ],
      );
      await m.query('DELETE FROM session_signal WHERE project_id = $1 AND session_id = $2', [k.projectId, k.sessionId]);
      if (a.signals.length) {
        const col = <T>(f: (x: SessionAnalysis['signals'][number]) => T) => a.signals.map(f);
        await m.query(
          `INSERT INTO session_signal (project_id, session_id, idx, window_id, ts, kind, url, page_key, selector, text, x, y, details)
           SELECT $1, $2, u.idx, u.window_id, to_timestamp(u.ts / 1000.0), u.kind, u.url, u.page_key, u.selector, u.text, u.x, u.y, u.details::jsonb
             FROM unnest($3::int[], $4::text[], $5::float8[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::float8[], $12::float8[], $13::text[])
               AS u(idx, window_id, ts, kind, url, page_key, selector, text, x, y, details)`,
          [
            k.projectId,
            k.sessionId,
            a.signals.map((_, i) => i),
            col((x) => x.windowId ?? null),
            col((x) => x.ts),
            col((x) => x.kind),
            col((x) => x.url ?? null),
            col((x) => x.pageKey),
            col((x) => x.selector ?? null),
            col((x) => x.text ?? null),
            col((x) => x.x ?? null),
            col((x) => x.y ?? null),
            col((x) => JSON.stringify(x.details)),
          ],
        );
      }
      await m.query('DELETE FROM page_view WHERE project_id = $1 AND session_id = $2', [k.projectId, k.sessionId]);
      if (a.pageViews.length) {
        const v = a.pageViews;
        await m.query(
          `INSERT INTO page_view (project_id, session_id, idx, window_id, visitor_id, ts, url, page_key, duration_ms, is_entry, is_exit, bounced, signal_count, signals, error_count,
                                  max_scroll_depth, document_height)
           SELECT $1, $2, u.idx, u.window_id, s.visitor_id, to_timestamp(u.ts / 1000.0), u.url, u.page_key, u.duration_ms, u.is_entry, u.is_exit, u.is_entry AND $3, u.signal_count, u.signals::jsonb, u.error_count,
                  u.max_scroll_depth, u.document_height
             FROM unnest($4::int[], $5::text[], $6::float8[], $7::text[], $8::text[], $9::bigint[], $10::bool[], $11::bool[], $12::int[], $13::text[], $14::int[], $15::real[], $16::int[])
               AS u(idx, window_id, ts, url, page_key, duration_ms, is_entry, is_exit, signal_count, signals, error_count, max_scroll_depth, document_height),
                  session s
            WHERE s.project_id = $1 AND s.id = $2`,
          [
            k.projectId,
            k.sessionId,
            a.bounced,
            v.map((_, i) => i),
            v.map((x) => x.windowId ?? null),
            v.map((x) => x.ts),
            v.map((x) => x.url),
            v.map((x) => x.pageKey),
            v.map((x) => Math.round(x.durationMs)),
            v.map((x) => x.isEntry),
            v.map((x) => x.isExit),
            v.map((x) => Object.values(x.signals).reduce((n, c) => n + c, 0)),
            v.map((x) => JSON.stringify(x.signals)),
            v.map((x) => x.errors),
            v.map((_, i) => a.heat.scrollDepths[i]?.maxDepth ?? null),
            v.map((_, i) => (a.heat.scrollDepths[i] ? Math.round(a.heat.scrollDepths[i].documentHeight) : null)),
          ],
        );
      }
      await replaceHeatContribution(m, k, a.heat, a.variantHeat);
      // A chunk processed before the one before it in its tab could not know the page its first
      // events happened on; the session's page views now say it.
      await m.query(
        `UPDATE session_event e SET url = (
            SELECT v.url FROM page_view v
             WHERE v.project_id = e.project_id AND v.session_id = e.session_id AND v.window_id IS NOT DISTINCT FROM e.window_id AND v.ts <= e.ts
             ORDER BY v.ts DESC LIMIT 1)
          WHERE e.project_id = $1 AND e.session_id = $2 AND e.session_day = ${SESSION_DAY} AND e.url IS NULL`,
        [k.projectId, k.sessionId],
      );
      return true;
    });
  }

  async markEnded(k: SessionKey): Promise<void> {
    await this.db.query('UPDATE session SET ended_at = now() WHERE project_id = $1 AND id = $2 AND ended_at IS NULL', [k.projectId, k.sessionId]);
  }

  /** Sessions whose facts changed after their last analysis, that long ago: their analysis was missed. */
  async missedAnalyses(olderThanMs: number, limit: number): Promise<SessionKey[]> {
    const rows: Array<{ project_id: string; id: string }> = await this.db.query(
      `SELECT project_id, id FROM session
        WHERE facts_changed_at IS NOT NULL AND (analysed_at IS NULL OR analysed_at < facts_changed_at)
          AND facts_changed_at < now() - ($1 || ' milliseconds')::interval
        ORDER BY facts_changed_at LIMIT $2`,
      [String(olderThanMs), limit],
    );
    return rows.map((r) => ({ projectId: r.project_id, sessionId: r.id }));
  }

  /** Open sessions quiet for that long: their end-of-visit job was missed. */
  async missedEnds(quietForMs: number, limit: number): Promise<SessionKey[]> {
    const rows: Array<{ project_id: string; id: string }> = await this.db.query(
      `SELECT project_id, id FROM session
        WHERE ended_at IS NULL AND last_received_at < now() - ($1 || ' milliseconds')::interval
        ORDER BY last_received_at LIMIT $2`,
      [String(quietForMs), limit],
    );
    return rows.map((r) => ({ projectId: r.project_id, sessionId: r.id }));
  }
}

type Row = Record<string, string | number>;
const keyOf = (r: Row, cols: readonly string[]) => cols.map((c) => String(r[c])).join('\u0000');

/**
 * Replaces a session's contribution to the heatmap rollups: its previous rows are taken back and
 * its new ones added, as one net change per rollup row. The changes are applied in key order so
 * that analyses of different sessions touching the same rows lock them in the same order.
 */
async function replaceHeatContribution(m: EntityManager, k: SessionKey, heat: SessionHeat, variantHeat: SessionAnalysis['variantHeat']): Promise<void> {
  const cellRow = (variant: string) => (c: HeatCell): Row => ({ page_key: c.pageKey, device: c.device, layer: c.layer, variant, day: c.day, selector: c.selector, gx: c.gx, gy: c.gy, count: c.count });
  const zoneRow = (variant: string) => (z: HeatZone): Row => ({
    page_key: z.pageKey,
    device: z.device,
    variant,
    day: z.day,
    selector: z.selector,
    clicks: z.clicks,
    visitors: z.visitors,
    rage: z.rage,
    dead: z.dead,
    hover_ms: z.hoverMs,
  });
  const all = [{ variant: NO_VARIANT, heat }, ...variantHeat];
  await replaceRows(m, k, 'cell', CELL_KEY, ['count'], all.flatMap((v) => v.heat.cells.map(cellRow(v.variant))));
  await replaceRows(m, k, 'zone', ZONE_KEY, ZONE_METRICS, all.flatMap((v) => v.heat.zones.map(zoneRow(v.variant))));
}

async function replaceRows(m: EntityManager, k: SessionKey, table: 'cell' | 'zone', key: readonly string[], metrics: readonly string[], rows: Row[]): Promise<void> {
  const cols = [...key, ...metrics];
  const types: Record<string, string> = { gx: 'int', gy: 'int', day: 'date' };
  const typeOf = (c: string) => types[c] ?? (metrics.includes(c) ? 'bigint' : 'text');
  const old: Row[] = await m.query(
    `SELECT ${cols.map((c) => (c === 'day' ? 'day::text AS day' : c)).join(', ')} FROM heatmap_session_${table} WHERE project_id = $1 AND session_id = $2`,
    [k.projectId, k.sessionId],
  );
  await m.query(`DELETE FROM heatmap_session_${table} WHERE project_id = $1 AND session_id = $2`, [k.projectId, k.sessionId]);
  const delta = new Map<string, Row>();
  const add = (r: Row, sign: number) => {
    const id = keyOf(r, key);
    let d = delta.get(id);
    if (!d) delta.set(id, (d = { ...r, ...Object.fromEntries(metrics.map((c) => [c, 0])) }));
    for (const c of metrics) d[c] = Number(d[c]) + sign * Number(r[c]);
  };
  for (const r of old) add(r, -1);
  for (const r of rows) add(r, 1);
  const changes = [...delta.values()].filter((d) => metrics.some((c) => d[c] !== 0)).sort((a, b) => (keyOf(a, key) < keyOf(b, key) ? -1 : 1));
  const unnest = (offset: number) =>
    `unnest(${cols.map((c, i) => `$${i + offset}::${typeOf(c)}[]`).join(', ')}) WITH ORDINALITY AS u(${cols.join(', ')}, ord)`;
  const arrays = (list: Row[]) => cols.map((c) => list.map((r) => r[c]));
  if (rows.length) {
    await m.query(
      `INSERT INTO heatmap_session_${table} (project_id, session_id, ${cols.join(', ')}) SELECT $1, $2, ${cols.join(', ')} FROM ${unnest(3)}`,
      [k.projectId, k.sessionId, ...arrays(rows)],
    );
  }
  if (changes.length) {
    await m.query(
      `INSERT INTO heatmap_${table} (project_id, ${cols.join(', ')}) SELECT $1, ${cols.join(', ')} FROM ${unnest(2)} ORDER BY ord
         ON CONFLICT (project_id, ${key.join(', ')}) DO UPDATE SET ${metrics.map((c) => `${c} = heatmap_${table}.${c} + excluded.${c}`).join(', ')}`,
      [k.projectId, ...arrays(changes)],
    );
  }
}

/**
 * Takes sessions that are about to be deleted out of the heatmap rollups, so that a map no longer
 * shows clicks of visits that retention or an erasure request removed. Rollup rows left with nothing
 * are deleted. Returns how many contribution rows were withdrawn.
 */
export async function withdrawHeatContributions(m: EntityManager, projectId: string, sessionIds: readonly string[]): Promise<number> {
  if (!sessionIds.length) return 0;
  const tables = [
    { table: 'cell', key: CELL_KEY, metrics: ['count'] },
    { table: 'zone', key: ZONE_KEY, metrics: ZONE_METRICS },
  ] as const;
  let withdrawn = 0;
  for (const { table, key, metrics } of tables) {
    const matches = key.map((c) => `h.${c} = t.${c}`).join(' AND ');
    const nothingLeft = (alias: string) => metrics.map((c) => `${alias}${c} <= 0`).join(' AND ');
    const [result]: Array<{ n: number; emptied: Row[] }> = await m.query(
      `WITH gone AS (
         DELETE FROM heatmap_session_${table} WHERE project_id = $1 AND session_id = ANY($2::text[]) RETURNING ${[...key, ...metrics].join(', ')}
       ), totals AS (
         SELECT ${key.join(', ')}, ${metrics.map((c) => `sum(${c}) AS ${c}`).join(', ')} FROM gone GROUP BY ${key.join(', ')}
       ), lowered AS (
         UPDATE heatmap_${table} h SET ${metrics.map((c) => `${c} = h.${c} - t.${c}`).join(', ')} FROM totals t
          WHERE h.project_id = $1 AND ${matches}
          RETURNING h.*
       )
       SELECT (SELECT count(*)::int FROM gone) AS n,
              (SELECT coalesce(json_agg(json_build_object(${key.map((c) => `'${c}', ${c}`).join(', ')})), '[]'::json) FROM lowered WHERE ${nothingLeft('')}) AS emptied`,
      [projectId, sessionIds],
    );
    withdrawn += result?.n ?? 0;
    const emptied = result?.emptied ?? [];
    if (emptied.length) {
      const typeOf = (c: string) => (c === 'gx' || c === 'gy' ? 'int' : c === 'day' ? 'date' : 'text');
      await m.query(
        `DELETE FROM heatmap_${table} h USING unnest(${key.map((c, i) => `$${i + 2}::${typeOf(c)}[]`).join(', ')}) AS t(${key.join(', ')})
          WHERE h.project_id = $1 AND ${matches} AND ${nothingLeft('h.')}`,
        [projectId, ...key.map((c) => emptied.map((row) => row[c]))],
      );
    }
  }
  return withdrawn;
}
