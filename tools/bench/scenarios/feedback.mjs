// `feedback`: the CX report (`GET /api/v1/cx`) over a quarter of answers, sessions and revenue,
// next to the inbox's first page on the same data; and answers per second through
// `POST /v1/feedback`, next to the SDK configuration read on the same api.
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { startLoupe, warningsNote } from '../support.mjs';

const SESSIONS = 40_000;
const VISITORS = 10_000;
const IDENTIFIED = 4_000;
const ANSWERS = 60_000;
const SHOWN = 150_000;
const PURCHASES = 8_000;
const DAYS = 90;
const RUNS = 9;
const CONNECTIONS = 16;
const SECONDS = 5;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** A quarter of a busy site's data, written straight into the api's database. */
export async function seed(databaseUrl, projectId, surveys) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(
      `INSERT INTO session (project_id, id, visitor_id, user_id, started_at, last_event_at, device)
       SELECT $1, 's' || g, 'v' || (g % $3), CASE WHEN g % $3 < $4 THEN 'u' || (g % $3) END,
              now() - (random() * $5 || ' days')::interval, now(), (ARRAY['desktop', 'mobile', 'tablet'])[1 + g % 3]
         FROM generate_series(1, $2) g`,
      [projectId, SESSIONS, VISITORS, IDENTIFIED, DAYS],
    );
    await db.query(
      `INSERT INTO session_event (project_id, session_id, window_id, seq, idx, ts, kind, name, props, session_day)
       SELECT $1, 's' || (1 + (g * 7) % $3), 'main', 0, g, now() - (random() * $4 || ' days')::interval, 'custom', 'purchase',
              jsonb_build_object('value', round((random() * 200)::numeric, 2)), (now() AT TIME ZONE 'UTC')::date
         FROM generate_series(1, $2) g`,
      [projectId, PURCHASES, SESSIONS, DAYS],
    );
    await db.query(
      `INSERT INTO session_event (project_id, session_id, window_id, seq, idx, ts, kind, name, props, session_day)
       SELECT $1, 's' || g, 'main', 1, 0, now(), 'exposure', 'checkout', jsonb_build_object('variant', CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END), (now() AT TIME ZONE 'UTC')::date
         FROM generate_series(1, $2) g`,
      [projectId, SESSIONS],
    );
    // Each visitor's first exposure, as chunk processing records it: what the visitor figures filter on.
    await db.query(
      `INSERT INTO experiment_exposure (project_id, experiment_key, visitor_id, variant, session_id, first_ts)
       SELECT $1, 'checkout', 'v' || g, CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END, 's' || (CASE WHEN g = 0 THEN $2 ELSE g END), now() - ($3 || ' days')::interval
         FROM generate_series(0, $2 - 1) g`,
      [projectId, VISITORS, DAYS],
    );
    const kinds = [
      ['nps', 0, 10],
      ['csat', 1, 5],
      ['ces', 1, 7],
    ];
    for (const [i, [kind, min, max]] of kinds.entries()) {
      await db.query(
        `INSERT INTO feedback (project_id, submission_id, survey_id, session_id, visitor_id, kind, scale_min, scale_max, score, comment,
                               url, device, variants, answered_at, created_at, status, resolved_at)
         SELECT $1, 'a' || $7::text || '-' || g, $2, 's' || (1 + (g * 13) % $4::int), 'v' || ((1 + (g * 13) % $4::int) % $8::int), $3, $5::int, $6::int,
                $5::int + floor(random() * ($6::int - $5::int + 1))::int, CASE WHEN g % 4 = 0 THEN 'comment ' || g END,
                'https://shop.example.com/' || (ARRAY['cart', 'checkout', 'thanks'])[1 + g % 3], (ARRAY['desktop', 'mobile', 'tablet'])[1 + g % 3],
                jsonb_build_object('checkout', CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END), t, t,
                CASE WHEN g % 50 = 0 THEN 'resolved' ELSE 'open' END, CASE WHEN g % 50 = 0 THEN t + (random() * 72 || ' hours')::interval END
           FROM (SELECT g, now() - (random() * $9::int || ' days')::interval AS t FROM generate_series(1, $10::int) g) x`,
        [projectId, surveys[kind], kind, SESSIONS, min, max, i, VISITORS, DAYS, ANSWERS / 3],
      );
      await db.query(
        `INSERT INTO survey_impression (project_id, impression_id, kind, survey_id, survey_kind, session_id, visitor_id, url, device, variants, created_at)
         SELECT $1, 'i' || $5::text || '-' || g, 'shown', $2, $3, 's' || (1 + (g * 11) % $4::int), 'v' || g % 100, 'https://shop.example.com/checkout', 'desktop',
                jsonb_build_object('checkout', CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END), now() - (random() * 90 || ' days')::interval
           FROM generate_series(1, $6::int) g`,
        [projectId, surveys[kind], kind, SESSIONS, i, SHOWN / 3],
      );
    }
    await db.query('ANALYZE');
  } finally {
    await db.end();
  }
}

/** The median of `RUNS` timed GETs after one untimed one; a non-200 voids the figure. */
async function timed(url, cookie) {
  const get = async () => {
    const t0 = performance.now();
    const res = await fetch(url, { headers: { cookie } });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${body.slice(0, 200)}`);
    return performance.now() - t0;
  };
  await get();
  const times = [];
  for (let i = 0; i < RUNS; i++) times.push(await get());
  return { median: median(times), times };
}

function load(opts) {
  return new Promise((resolve, reject) => autocannon({ connections: CONNECTIONS, duration: SECONDS, ...opts }, (err, r) => (err ? reject(err) : resolve(r))));
}

export const feedback = {
  name: 'feedback',
  describe: `GET /api/v1/cx for ${DAYS} days by week over ${ANSWERS.toLocaleString('en')} answers, ${SHOWN.toLocaleString('en')} showings, ${SESSIONS.toLocaleString('en')} sessions and ${PURCHASES.toLocaleString('en')} purchases (the median of ${RUNS}); and POST /v1/feedback with ${CONNECTIONS} connections for ${SECONDS} s; on a PostgreSQL server with Redis`,
  async run(ctx) {
    const labels = { report: 'CX report (PostgreSQL + Redis)', intake: 'feedback answers (PostgreSQL + Redis)' };
    const loupe = await startLoupe(ctx, { shape: 'server', inlineWorker: true });
    if (loupe.skipped) return Object.values(labels).map((scenario) => ({ scenario, skipped: loupe.skipped }));
    try {
      const api = (path, body) =>
        fetch(`${loupe.base}${path}`, { method: body ? 'POST' : 'GET', headers: { cookie: loupe.cookie, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined }).then((r) => r.json());
      const surveys = {};
      for (const kind of ['nps', 'csat', 'ces']) surveys[kind] = (await api(`/api/v1/surveys?project=${loupe.projectId}`, { name: kind, kind, status: 'running' })).survey.id;
      const t0 = Date.now();
      await seed(loupe.databaseUrl, loupe.projectId, surveys);
      const seeded = ((Date.now() - t0) / 1000).toFixed(1);

      const to = new Date(Date.now() + 60_000).toISOString();
      const from = new Date(Date.now() - DAYS * 86_400_000).toISOString();
      const cx = `${loupe.base}/api/v1/cx?project=${loupe.projectId}&from=${from}&to=${to}&interval=week&revenueEvent=purchase`;
      const inbox = `${loupe.base}/api/v1/feedback?project=${loupe.projectId}&limit=50`;
      const reference = await timed(inbox, loupe.cookie);
      const report = await timed(cx, loupe.cookie);
      const variant = await timed(`${cx}&experiment=checkout&variant=a`, loupe.cookie);
      const reference2 = await timed(inbox, loupe.cookie);

      const answerPath = `/v1/feedback?key=${loupe.publicKey}`;
      const body = () =>
        JSON.stringify({
          id: randomBytes(12).toString('base64url'),
          surveyId: surveys.nps,
          sessionId: randomBytes(12).toString('base64url'),
          visitorId: randomBytes(12).toString('base64url'),
          at: Date.now(),
          url: 'https://shop.example.com/checkout',
          score: Math.floor(Math.random() * 11),
          comment: 'A comment of some length, as visitors write them, about the checkout.',
          variants: { checkout: 'a' },
        });
      const post = { url: loupe.base, requests: [{ method: 'POST', path: answerPath, headers: { 'content-type': 'text/plain' }, setupRequest: (req) => ({ ...req, body: body() }) }] };
      const config = { url: `${loupe.base}/v1/config?key=${loupe.publicKey}` };
      await load({ ...post, duration: 1 });
      await load({ ...config, duration: 1 });
      const rounds = { loupe: [], reference: [] };
      for (const who of ['reference', 'loupe', 'loupe', 'reference']) {
        const r = await load(who === 'loupe' ? post : config);
        const bad = r.non2xx + r.errors + r.timeouts;
        if (bad) throw new Error(`${who}: ${bad} requests failed or were refused`);
        rounds[who].push({ rps: r.requests.average, p99: r.latency.p99 });
      }
      const warnings = warningsNote('the api', loupe.warnings());
      const note = [
        `seeded in ${seeded} s; with experiment=checkout&variant=a: ${Math.round(variant.median)} ms; inbox before and after: ${Math.round(reference.median)} and ${Math.round(reference2.median)} ms`,
        warnings,
      ]
        .filter(Boolean)
        .join('; ');
      return [
        { scenario: labels.report, figure: report.median, unit: 'ms', better: 'lower', reference: 'inbox, first 50 answers, same data', referenceFigure: median([...reference.times, ...reference2.times]), note, details: { report, variant, reference, reference2 } },
        { scenario: labels.intake, figure: mean(rounds.loupe.map((r) => r.rps)), unit: 'req/s', better: 'higher', reference: 'GET /v1/config, same api (cached)', referenceFigure: mean(rounds.reference.map((r) => r.rps)), details: rounds },
        { scenario: labels.intake, figure: mean(rounds.loupe.map((r) => r.p99)), unit: 'ms p99', better: 'lower', reference: 'GET /v1/config, same api (cached)', referenceFigure: mean(rounds.reference.map((r) => r.p99)) },
      ];
    } finally {
      await loupe.stop();
    }
  },
};
