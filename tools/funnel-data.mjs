// Writes a large, known set of visits into a Loupe database for the funnel and journey benchmark:
// sessions of ten typed events each (page views, clicks, custom events), their page views, and
// planted conversions through the funnel home → product → add_to_cart → purchase.
//
//   node tools/funnel-data.mjs DATABASE_URL PROJECT_ID [EVENTS]     (EVENTS: default 10,000,000)
//
// Of every hundred sessions, ten never see the home page, thirty stop after it, thirty after a
// product page, fifteen after adding to the cart and fifteen buy: per session, the funnel must count
// 90%, 60%, 30% and 15% of the sessions. Each session's events are 20 s apart, all in the last 30 days.
import pg from 'pg';
import { pathToFileURL } from 'node:url';

export const EVENTS_PER_SESSION = 10;
const SITE = 'https://shop.example.com';

/** The planted truth: sessions reaching each step of the four-step funnel, per session. */
export const plantedCounts = (sessions) => [0.9, 0.6, 0.3, 0.15].map((share) => Math.round(sessions * share));

/** How far session g goes: 0 (never home) to 4 (bought). */
const DEPTH = `CASE WHEN g % 100 < 10 THEN 0 WHEN g % 100 < 40 THEN 1 WHEN g % 100 < 70 THEN 2 WHEN g % 100 < 85 THEN 3 ELSE 4 END`;

export async function plantFunnelData(databaseUrl, projectId, events = 10_000_000, log = () => {}) {
  const sessions = Math.floor(events / EVENTS_PER_SESSION / 100) * 100;
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const t0 = Date.now();
    await db.query(
      `INSERT INTO session (project_id, id, visitor_id, started_at, last_event_at, duration_ms, active_ms, page_count, event_count, device, browser, entry_page, exit_page)
       SELECT $1, 'f' || g, 'v' || (g / 2), t, t + interval '180 seconds', 180000, 90000, 5, 10, (ARRAY['desktop', 'mobile', 'tablet'])[1 + g % 3], 'Chrome',
              CASE WHEN ${DEPTH} >= 1 THEN '/' ELSE '/blog/:id' END, CASE WHEN ${DEPTH} = 4 THEN '/thanks' ELSE '/contact' END
         FROM (SELECT g, now() - ((g::bigint * 7919) % 2592000) * interval '1 second' AS t FROM generate_series(1, $2::int) g) x`,
      [projectId, sessions],
    );
    log(`sessions: ${sessions.toLocaleString('en')} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const t1 = Date.now();
    await db.query(
      `INSERT INTO session_event (project_id, session_id, window_id, seq, idx, ts, kind, url, name, selector, text, session_day)
       SELECT $1, 'f' || g, 'main', 0, i, t + i * interval '20 seconds',
              CASE WHEN i IN (0, 1, 2, 5, 7) THEN 'pageview' WHEN i IN (3, 8) THEN 'click' ELSE 'custom' END,
              $3 || CASE i WHEN 0 THEN CASE WHEN d >= 1 THEN '/' ELSE '/blog/' || (g % 50) END
                           WHEN 1 THEN '/search'
                           WHEN 2 THEN CASE WHEN d >= 2 THEN '/product/' || (g % 500) ELSE '/about' END
                           WHEN 5 THEN CASE WHEN d >= 3 THEN '/cart' ELSE '/help' END
                           WHEN 7 THEN CASE WHEN d >= 4 THEN '/thanks' ELSE '/contact' END
                           WHEN 4 THEN '/product/' || (g % 500)
                           WHEN 6 THEN '/cart'
                           ELSE '/search' END,
              CASE i WHEN 4 THEN CASE WHEN d >= 3 THEN 'add_to_cart' ELSE 'gallery_swipe' END
                     WHEN 6 THEN CASE WHEN d >= 4 THEN 'purchase' ELSE 'newsletter' END
                     WHEN 9 THEN 'heartbeat' END,
              CASE i WHEN 3 THEN '#filter' WHEN 8 THEN '#footer' END,
              CASE i WHEN 3 THEN 'Filter' WHEN 8 THEN 'Contact us' END,
              (now() AT TIME ZONE 'UTC')::date
         FROM (SELECT g, ${DEPTH} AS d, now() - ((g::bigint * 7919) % 2592000) * interval '1 second' AS t FROM generate_series(1, $2::int) g) s,
              generate_series(0, ${EVENTS_PER_SESSION - 1}) i`,
      [projectId, sessions, SITE],
    );
    log(`events: ${(sessions * EVENTS_PER_SESSION).toLocaleString('en')} in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    const t2 = Date.now();
    // The page views the session analysis would have written for those events.
    await db.query(
      `INSERT INTO page_view (project_id, session_id, idx, window_id, visitor_id, ts, url, page_key, duration_ms, is_entry, is_exit, bounced, signal_count, error_count)
       SELECT e.project_id, e.session_id, row_number() OVER (PARTITION BY e.session_id ORDER BY e.idx) - 1, e.window_id, s.visitor_id, e.ts, e.url,
              regexp_replace(regexp_replace(substr(e.url, length($2) + 1), '/[0-9]+$', '/:id'), '^$', '/'),
              CASE WHEN e.idx = 7 THEN 60000 ELSE 40000 END, e.idx = 0, e.idx = 7, false, 0, 0
         FROM session_event e JOIN session s ON s.project_id = e.project_id AND s.id = e.session_id
        WHERE e.project_id = $1 AND e.kind = 'pageview'`,
      [projectId, SITE],
    );
    log(`page views in ${((Date.now() - t2) / 1000).toFixed(1)} s`);
    await db.query('ANALYZE session; ANALYZE session_event; ANALYZE page_view');
    return { sessions, events: sessions * EVENTS_PER_SESSION };
  } finally {
    await db.end();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [url, project, events] = process.argv.slice(2);
  if (!url || !project) {
    console.error('Usage: node tools/funnel-data.mjs DATABASE_URL PROJECT_ID [EVENTS]');
    process.exit(2);
  }
  const planted = await plantFunnelData(url, project, events ? Number(events) : undefined, (m) => console.error(m));
  console.log(JSON.stringify({ ...planted, expected: plantedCounts(planted.sessions) }));
}
