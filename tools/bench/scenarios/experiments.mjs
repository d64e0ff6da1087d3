// `experiments`: an experiment's results (`GET /api/v1/experiments/:id/results`) from stored
// exposures and events, a million exposed visitors and three metrics, next to one bare GROUP BY
// over the same exposures.
import pg from 'pg';
import { startLoupe, warningsNote } from '../support.mjs';

const VISITORS = 1_000_000;
const BUYERS = 100_000;
const DAYS = 14;
const RUNS = 5;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One session per visitor, an exposure each (half control, half b, over two weeks), and a purchase for one in ten. */
async function seed(db, projectId) {
  await db.query(
    `INSERT INTO session (project_id, id, visitor_id, started_at, last_event_at, duration_ms)
     SELECT $1, 's' || g, 'v' || g, t, t + interval '5 minutes', 60000 + (g % 240) * 1000
       FROM (SELECT g, now() - ((g % $3) || ' days')::interval - interval '1 hour' AS t FROM generate_series(1, $2) g) x`,
    [projectId, VISITORS, DAYS],
  );
  await db.query(
    `INSERT INTO experiment_exposure (project_id, experiment_key, visitor_id, variant, session_id, first_ts)
     SELECT $1, 'checkout', 'v' || g, CASE WHEN g % 2 = 0 THEN 'control' ELSE 'b' END, 's' || g, now() - ((g % $3) || ' days')::interval - interval '1 hour'
       FROM generate_series(1, $2) g`,
    [projectId, VISITORS, DAYS],
  );
  await db.query(
    `INSERT INTO session_event (project_id, session_id, window_id, seq, idx, ts, kind, name, props, session_day)
     SELECT $1, 's' || v, 'main', 0, 0, now() - ((v % $3) || ' days')::interval - interval '30 minutes', 'custom', 'purchase',
            jsonb_build_object('value', 10 + (v % 97)), (now() AT TIME ZONE 'UTC')::date
       FROM (SELECT (g * 10 - (g % 3)) AS v FROM generate_series(1, $2) g) x`,
    [projectId, BUYERS, DAYS],
  );
  await db.query('ANALYZE');
}

async function timed(get) {
  await get();
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await get();
    times.push(performance.now() - t0);
  }
  return { median: median(times), times };
}

export const experiments = {
  name: 'experiments',
  describe: `GET /api/v1/experiments/:id/results over ${VISITORS.toLocaleString('en')} exposed visitors with 3 metrics (conversion, revenue per visitor capped at the 99th percentile, session duration), the median of ${RUNS}; on a PostgreSQL server`,
  async run(ctx) {
    const label = 'experiment results, 1,000,000 exposures (PostgreSQL)';
    const loupe = await startLoupe(ctx, { shape: 'server', inlineWorker: true });
    if (loupe.skipped) return [{ scenario: label, skipped: loupe.skipped }];
    const db = new pg.Client({ connectionString: loupe.databaseUrl });
    await db.connect();
    try {
      const created = await fetch(`${loupe.base}/api/v1/experiments?project=${loupe.projectId}`, {
        method: 'POST',
        headers: { cookie: loupe.cookie, 'content-type': 'application/json' },
        body: JSON.stringify({
          key: 'checkout',
          name: 'Checkout',
          status: 'running',
          variants: [
            { key: 'control', weight: 0.5 },
            { key: 'b', weight: 0.5 },
          ],
          primaryMetric: { key: 'purchase', kind: 'conversion', event: 'purchase' },
          secondaryMetrics: [
            { key: 'revenue', kind: 'property', event: 'purchase', property: 'value', cap: { percentile: 0.99 } },
            { key: 'duration', kind: 'duration', of: 'session' },
          ],
        }),
      }).then((r) => r.json());
      const t0 = Date.now();
      await seed(db, loupe.projectId);
      const seeded = ((Date.now() - t0) / 1000).toFixed(1);
      const url = `${loupe.base}/api/v1/experiments/${created.experiment.id}/results?project=${loupe.projectId}`;
      let last = null;
      const results = await timed(async () => {
        const res = await fetch(url, { headers: { cookie: loupe.cookie } });
        last = await res.json();
        if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(last).slice(0, 200)}`);
      });
      const exposed = last.exposures.reduce((s, x) => s + x.visitors, 0);
      if (exposed !== VISITORS) throw new Error(`expected ${VISITORS} exposures, the results counted ${exposed}`);
      const reference = await timed(() =>
        db.query('SELECT variant, count(*) FROM experiment_exposure WHERE project_id = $1 AND experiment_key = $2 GROUP BY variant', [loupe.projectId, 'checkout']),
      );
      const note = [`seeded in ${seeded} s; ${last.cumulative.length} cumulative days; converted ${last.metrics[0].variants.map((v) => `${v.variant} ${v.sum}/${v.n}`).join(', ')}`, warningsNote('the api', loupe.warnings())]
        .filter(Boolean)
        .join('; ');
      return [{ scenario: label, figure: results.median, unit: 'ms', better: 'lower', reference: 'one GROUP BY of the exposures by variant (pg client)', referenceFigure: reference.median, note, details: { results, reference } }];
    } finally {
      await db.end();
      await loupe.stop();
    }
  },
};
