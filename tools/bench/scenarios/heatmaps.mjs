// `heatmaps`: a click heatmap of one page over 1,000,000 clicks, read from the rollups the session
// analysis keeps (`GET /api/v1/heatmaps`), beside the same answer computed from the raw click
// events in the same database.
import pg from 'pg';
import { startLoupe, warningsNote } from '../support.mjs';

const CLICKS = 1_000_000;
const SESSIONS = 50_000;
const DAYS = 30;
const SELECTORS = 40;
const RUNS = 9;
const PAGE = '/product/:id';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * A month of clicks on product pages (3 in 5 on desktops of 1280, 1440 or 1920 px), as click events,
 * and the rollup rows that analysing those sessions writes: the same binning (columns of 1% of the
 * document width, rows of 10 px; element grid 10 × 10), done here in SQL because running the worker
 * over a million clicks would take the benchmark's whole budget.
 */
async function seed(databaseUrl, projectId) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(
      `INSERT INTO session (project_id, id, visitor_id, started_at, last_event_at)
       SELECT $1, 's' || g, 'v' || g, now() - random() * $3 * interval '1 day', now() FROM generate_series(1, $2) g`,
      [projectId, SESSIONS, DAYS],
    );
    await db.query(
      `INSERT INTO session_event (project_id, session_id, window_id, seq, idx, ts, kind, url, selector, x, y, props, session_day)
       SELECT $1, 's' || (1 + g % $3), 'main', 0, g, now() - random() * ($4 - 1) * interval '1 day', 'click',
              'https://shop.example.com/product/' || (1 + g % 500), '#el-' || (g % $5), x, y,
              jsonb_build_object('viewport', jsonb_build_object('width', w, 'height', 800), 'document', jsonb_build_object('width', w, 'height', 4000),
                                 'box', jsonb_build_object('x', bx, 'y', by, 'width', 200, 'height', 40)),
              (now() AT TIME ZONE 'UTC')::date
         FROM (SELECT g, w, bx, by,
                      bx + (random() * 200)::int AS x, by + (random() * 40)::int AS y
                 FROM (SELECT g, (ARRAY[1280, 1440, 1920, 1280, 1440, 820, 390, 390, 412, 768])[1 + g % 10] AS w,
                              ((g % $5) * 37) % 1000 AS bx, ((g % $5) * 97) % 3800 AS by
                         FROM generate_series(1, $2) g) a) b`,
      [projectId, CLICKS, SESSIONS, DAYS, SELECTORS],
    );
    const device = `CASE WHEN (props->'viewport'->>'width')::int < 768 THEN 'mobile' WHEN (props->'viewport'->>'width')::int < 1024 THEN 'tablet' ELSE 'desktop' END`;
    await db.query(
      `INSERT INTO heatmap_cell (project_id, page_key, device, day, variant, layer, selector, gx, gy, count)
       SELECT $1, $2, ${device}, (ts AT TIME ZONE 'UTC')::date, '', 'click', '',
              least(99, floor(x / (props->'document'->>'width')::float8 * 100))::int, floor(y / 10)::int, count(*)
         FROM session_event WHERE project_id = $1 AND kind = 'click' GROUP BY 3, 4, 8, 9`,
      [projectId, PAGE],
    );
    await db.query(
      `INSERT INTO heatmap_cell (project_id, page_key, device, day, variant, layer, selector, gx, gy, count)
       SELECT $1, $2, ${device}, (ts AT TIME ZONE 'UTC')::date, '', 'element', selector,
              least(9, greatest(0, floor((x - (props->'box'->>'x')::float8) / (props->'box'->>'width')::float8 * 10)))::int,
              least(9, greatest(0, floor((y - (props->'box'->>'y')::float8) / (props->'box'->>'height')::float8 * 10)))::int, count(*)
         FROM session_event WHERE project_id = $1 AND kind = 'click' GROUP BY 3, 4, 7, 8, 9`,
      [projectId, PAGE],
    );
    await db.query('ANALYZE');
    const [{ n }] = (await db.query('SELECT count(*)::int AS n FROM heatmap_cell WHERE project_id = $1', [projectId])).rows;
    return n;
  } finally {
    await db.end();
  }
}

/** The same answer from the raw events: the click events of the page, binned when asked. */
async function fromRawEvents(db, projectId, from) {
  const where = `project_id = $1 AND kind = 'click' AND url LIKE 'https://shop.example.com/product/%' AND ts >= $2::date
                 AND (props->'viewport'->>'width')::int >= 1024`;
  const cells = await db.query(
    `SELECT least(99, floor(x / (props->'document'->>'width')::float8 * 100))::int AS gx, floor(y / 10)::int AS gy, count(*)::int AS count
       FROM session_event WHERE ${where} GROUP BY 1, 2`,
    [projectId, from],
  );
  const elements = await db.query(
    `SELECT selector, least(9, greatest(0, floor((x - (props->'box'->>'x')::float8) / (props->'box'->>'width')::float8 * 10)))::int AS gx,
            least(9, greatest(0, floor((y - (props->'box'->>'y')::float8) / (props->'box'->>'height')::float8 * 10)))::int AS gy, count(*)::int AS count
       FROM session_event WHERE ${where} GROUP BY 1, 2, 3`,
    [projectId, from],
  );
  return { total: cells.rows.reduce((n, r) => n + r.count, 0), cells: cells.rows.length, elements: elements.rows.length };
}

export const heatmaps = {
  name: 'heatmaps',
  describe: `GET /api/v1/heatmaps (kind=click, desktop, ${DAYS} days) for one page key over ${CLICKS.toLocaleString('en')} clicks, read from the rollups (the median of ${RUNS}), beside the same answer from the raw click events; on a PostgreSQL server with Redis`,
  async run(ctx) {
    const label = 'click heatmap, 1M clicks, from rollups (PostgreSQL + Redis)';
    const loupe = await startLoupe(ctx, { shape: 'server', inlineWorker: true });
    if (loupe.skipped) return [{ scenario: label, skipped: loupe.skipped }];
    const db = new pg.Client({ connectionString: loupe.databaseUrl });
    try {
      const t0 = Date.now();
      const rollupRows = await seed(loupe.databaseUrl, loupe.projectId);
      const seeded = ((Date.now() - t0) / 1000).toFixed(1);
      await db.connect();
      const to = new Date().toISOString().slice(0, 10);
      const from = new Date(Date.now() - (DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
      const url = `${loupe.base}/api/v1/heatmaps?project=${loupe.projectId}&page=${encodeURIComponent(PAGE)}&kind=click&device=desktop&from=${from}&to=${to}`;
      let answer;
      const api = async () => {
        const t = performance.now();
        const res = await fetch(url, { headers: { cookie: loupe.cookie } });
        const body = await res.json();
        if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
        answer = body;
        return performance.now() - t;
      };
      let raw;
      const reference = async () => {
        const t = performance.now();
        raw = await fromRawEvents(db, loupe.projectId, from);
        return performance.now() - t;
      };
      await api();
      await reference();
      const times = { loupe: [], reference: [] };
      for (let i = 0; i < RUNS; i++) {
        times.reference.push(await reference());
        times.loupe.push(await api());
      }
      if (answer.total !== raw.total || answer.cells.length !== raw.cells) {
        throw new Error(`the rollups and the raw events disagree: ${answer.total} clicks in ${answer.cells.length} cells against ${raw.total} in ${raw.cells}`);
      }
      const note = [
        `${answer.total.toLocaleString('en')} desktop clicks in ${answer.cells.length.toLocaleString('en')} cells and ${answer.elements.length} elements, the same from both; ${rollupRows.toLocaleString('en')} rollup rows for the project; seeded in ${seeded} s`,
        warningsNote('the api', loupe.warnings()),
      ]
        .filter(Boolean)
        .join('; ');
      return [
        {
          scenario: label,
          figure: median(times.loupe),
          unit: 'ms',
          better: 'lower',
          reference: 'the same answer from the raw click events (SQL on session_event, no HTTP)',
          referenceFigure: median(times.reference),
          note,
          details: times,
        },
      ];
    } finally {
      await db.end().catch(() => undefined);
      await loupe.stop();
    }
  },
};
