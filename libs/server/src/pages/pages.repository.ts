import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SIGNAL_KINDS, type PageListQuery, type PageRow } from '@loupe/contracts';

const SORTS: Record<PageListQuery['sort'], string> = {
  views: 'views',
  visitors: 'visitors',
  exits: 'exits',
  exitRate: 'exits::float8 / views',
  bounceRate: 'bounces::float8 / NULLIF(entries, 0)',
  medianTimeOnPageMs: 'median_ms',
  signalsPerView: 'signals::float8 / views',
  errorsPerView: 'errors::float8 / views',
};

interface Row {
  page_key: string;
  example_url: string;
  views: string;
  visitors: string;
  exits: string;
  entries: string;
  bounces: string;
  median_ms: number | null;
  signals: string;
  errors: string;
  [kind: string]: unknown;
}

/** Reads the drop-off table from the page views the session analysis writes. */
@Injectable()
export class PagesRepository {
  constructor(private readonly db: DataSource) {}

  async dropOff(q: PageListQuery & { from: string; to: string }): Promise<PageRow[]> {
    const params: unknown[] = [q.project, q.from, q.to, q.minViews, q.limit];
    let search = '';
    if (q.search) {
      params.push(`%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      search = ` AND page_key ILIKE $${params.length}`;
    }
    const perKind = SIGNAL_KINDS.map((k) => `COALESCE(sum((signals ->> '${k}')::int), 0) AS "${k}"`).join(', ');
    // Nulls last whichever way: a page nobody entered has no bounce rate to rank.
    const order = `${SORTS[q.sort]} ${q.order === 'asc' ? 'ASC' : 'DESC'} NULLS LAST, page_key`;
    const rows: Row[] = await this.db.query(
      `SELECT * FROM (
         SELECT page_key, min(url) AS example_url, count(*) AS views, count(DISTINCT visitor_id) AS visitors,
                count(*) FILTER (WHERE is_exit) AS exits, count(*) FILTER (WHERE is_entry) AS entries,
                count(*) FILTER (WHERE bounced) AS bounces,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS median_ms,
                COALESCE(sum(signal_count), 0) AS signals, COALESCE(sum(error_count), 0) AS errors, ${perKind}
           FROM page_view
          WHERE project_id = $1 AND ts >= $2::timestamptz AND ts < $3::timestamptz${search}
          GROUP BY page_key
         HAVING count(*) >= $4
       ) pages
       ORDER BY ${order}
       LIMIT $5`,
      params,
    );
    return rows.map((r) => {
      const views = Number(r.views);
      const entries = Number(r.entries);
      const signalCounts: Record<string, number> = {};
      for (const k of SIGNAL_KINDS) if (Number(r[k])) signalCounts[k] = Number(r[k]);
      return {
        pageKey: r.page_key,
        exampleUrl: r.example_url,
        views,
        visitors: Number(r.visitors),
        exits: Number(r.exits),
        exitRate: Number(r.exits) / views,
        entries,
        bounceRate: entries ? Number(r.bounces) / entries : null,
        medianTimeOnPageMs: r.median_ms === null ? null : Math.round(Number(r.median_ms)),
        signals: Number(r.signals),
        signalsPerView: Number(r.signals) / views,
        signalCounts,
        errorsPerView: Number(r.errors) / views,
      };
    });
  }
}
