// `funnels`: a four-step funnel's results (GET /api/v1/funnels/:id/results) and a journey query
// (GET /api/v1/paths) over millions of typed events planted by tools/funnel-data.mjs, each beside
// a naive single SQL query over the raw events that answers the same question, in the same run.
// LOUPE_BENCH_FUNNEL_EVENTS sets the size (default 10,000,000).
import pg from 'pg';
import { plantFunnelData, plantedCounts } from '../../funnel-data.mjs';
import { startLoupe, warningsNote } from '../support.mjs';

const EVENTS = Number(process.env.LOUPE_BENCH_FUNNEL_EVENTS ?? 10_000_000);
const RUNS = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const STEPS = [
  { type: 'page', pageKey: '/' },
  { type: 'page', pageKey: '/product/:id' },
  { type: 'event', name: 'add_to_cart' },
  { type: 'event', name: 'purchase' },
];

/** The reference: the same funnel (each step the first after the one before, within an hour) in one query over raw events. */
const NAIVE_FUNNEL = `
  WITH e AS (
    SELECT session_id, ts, CASE
             WHEN kind = 'pageview' AND url = 'https://shop.example.com/' THEN 1
             WHEN kind = 'pageview' AND url ~ '^https://shop\\.example\\.com/product/[0-9]+$' THEN 2
             WHEN kind = 'custom' AND name = 'add_to_cart' THEN 3
             WHEN kind = 'custom' AND name = 'purchase' THEN 4 END AS step
      FROM session_event WHERE project_id = $1 AND ts >= $2::timestamptz AND ts < $3::timestamptz
  ),
  s1 AS (SELECT session_id, min(ts) AS t0, min(ts) AS t FROM e WHERE step = 1 GROUP BY session_id),
  s2 AS (SELECT e.session_id, min(s1.t0) AS t0, min(e.ts) AS t FROM e JOIN s1 USING (session_id) WHERE e.step = 2 AND e.ts > s1.t AND e.ts <= s1.t0 + interval '1 hour' GROUP BY e.session_id),
  s3 AS (SELECT e.session_id, min(s2.t0) AS t0, min(e.ts) AS t FROM e JOIN s2 USING (session_id) WHERE e.step = 3 AND e.ts > s2.t AND e.ts <= s2.t0 + interval '1 hour' GROUP BY e.session_id),
  s4 AS (SELECT e.session_id, min(e.ts) AS t FROM e JOIN s3 USING (session_id) WHERE e.step = 4 AND e.ts > s3.t AND e.ts <= s3.t0 + interval '1 hour' GROUP BY e.session_id)
  SELECT (SELECT count(*) FROM s1) AS a, (SELECT count(*) FROM s2) AS b, (SELECT count(*) FROM s3) AS c, (SELECT count(*) FROM s4) AS d`;

/** The reference for journeys: next pages three levels deep from the first home page view, over raw events. */
const NAIVE_PATHS = `
  WITH v AS (
    SELECT session_id, url, row_number() OVER (PARTITION BY session_id ORDER BY ts, seq, idx) AS n
      FROM session_event WHERE project_id = $1 AND kind = 'pageview' AND ts >= $2::timestamptz AND ts < $3::timestamptz
  ),
  a AS (SELECT session_id, min(n) AS n FROM v WHERE url = 'https://shop.example.com/' GROUP BY session_id)
  SELECT v.n - a.n AS level, v.url, count(*) FROM v JOIN a USING (session_id) WHERE v.n BETWEEN a.n AND a.n + 3 GROUP BY 1, 2`;

async function timedFetch(url, cookie) {
  const get = async () => {
    const t0 = performance.now();
    const res = await fetch(url, { headers: { cookie } });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
    return { ms: performance.now() - t0, body };
  };
  const first = await get();
  const times = [];
  for (let i = 0; i < RUNS; i++) times.push((await get()).ms);
  return { median: median(times), times, body: first.body };
}

async function timedSql(db, sql, params, runs = 3) {
  const times = [];
  let rows;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    rows = (await db.query(sql, params)).rows;
    times.push(performance.now() - t0);
  }
  return { median: median(times), times, rows };
}

export const funnels = {
  name: 'funnels',
  describe: `a four-step funnel and a three-level journey over ${EVENTS.toLocaleString('en')} planted events (tools/funnel-data.mjs), each beside a naive single SQL query over the raw events; on a PostgreSQL server with Redis`,
  async run(ctx) {
    const labels = { funnel: 'funnel results, 4 steps', paths: 'journeys from a page, 3 levels' };
    const loupe = await startLoupe(ctx, { shape: 'server', inlineWorker: true });
    if (loupe.skipped) return Object.values(labels).map((scenario) => ({ scenario, skipped: loupe.skipped }));
    const db = new pg.Client({ connectionString: loupe.databaseUrl });
    await db.connect();
    try {
      const t0 = Date.now();
      const planted = await plantFunnelData(loupe.databaseUrl, loupe.projectId, EVENTS, (m) => console.error(`  ${m}`));
      const seeded = (Date.now() - t0) / 1000;
      const expected = plantedCounts(planted.sessions);

      // Matching the stored sessions: what creating a funnel costs once, before its results are ready.
      const t1 = Date.now();
      const created = await fetch(`${loupe.base}/api/v1/funnels?project=${loupe.projectId}`, {
        method: 'POST',
        headers: { cookie: loupe.cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Bench checkout', steps: STEPS }),
      }).then((r) => r.json());
      const id = created.funnel.id;
      for (;;) {
        const f = await fetch(`${loupe.base}/api/v1/funnels/${id}?project=${loupe.projectId}`, { headers: { cookie: loupe.cookie } }).then((r) => r.json());
        if (f.funnel.ready) break;
        if (Date.now() - t1 > 3600_000) throw new Error('the funnel was not ready within an hour');
        await new Promise((r) => setTimeout(r, 2000));
      }
      const backfill = (Date.now() - t1) / 1000;
      console.error(`  funnel matched against ${planted.sessions.toLocaleString('en')} sessions in ${backfill.toFixed(1)} s`);

      const from = new Date(Date.now() - 31 * 86_400_000).toISOString();
      const to = new Date(Date.now() + 3600_000).toISOString();
      const results = await timedFetch(`${loupe.base}/api/v1/funnels/${id}/results?project=${loupe.projectId}&from=${from}&to=${to}`, loupe.cookie);
      const counts = results.body.steps.map((s) => s.entered);
      if (counts.join() !== expected.join()) throw new Error(`the funnel counted ${counts.join(', ')} where ${expected.join(', ')} were planted`);
      const naiveFunnel = await timedSql(db, NAIVE_FUNNEL, [loupe.projectId, from, to]);
      const naiveCounts = Object.values(naiveFunnel.rows[0]).map(Number);
      if (naiveCounts.join() !== expected.join()) throw new Error(`the naive query counted ${naiveCounts.join(', ')} where ${expected.join(', ')} were planted`);

      const paths = await timedFetch(`${loupe.base}/api/v1/paths?project=${loupe.projectId}&start=/&depth=3&from=${from}&to=${to}`, loupe.cookie);
      const startNode = paths.body.nodes.find((n) => n.level === 0);
      if (startNode?.sessions !== expected[0]) throw new Error(`journeys counted ${startNode?.sessions} sessions on the home page where ${expected[0]} were planted`);
      const naivePaths = await timedSql(db, NAIVE_PATHS, [loupe.projectId, from, to]);

      const size = `${planted.events.toLocaleString('en')} events, ${planted.sessions.toLocaleString('en')} sessions`;
      const warnings = warningsNote('the api', loupe.warnings());
      return [
        {
          scenario: labels.funnel,
          figure: results.median,
          unit: 'ms',
          better: 'lower',
          reference: 'naive single SQL query over raw events',
          referenceFigure: naiveFunnel.median,
          note: [`${size}; planted in ${seeded.toFixed(0)} s; matching them when the funnel was created took ${backfill.toFixed(0)} s; counts ${counts.join(' → ')} as planted`, warnings].filter(Boolean).join('; '),
          details: { results: results.times, naive: naiveFunnel.times },
        },
        {
          scenario: labels.paths,
          figure: paths.median,
          unit: 'ms',
          better: 'lower',
          reference: 'naive single SQL query over raw events',
          referenceFigure: naivePaths.median,
          note: `${size}; reads page views, which the session analysis keeps`,
          details: { paths: paths.times, naive: naivePaths.times },
        },
      ];
    } finally {
      await db.end();
      await loupe.stop();
    }
  },
};
