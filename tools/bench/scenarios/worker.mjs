// `worker`: recorded events per second that one process decodes and analyses as the worker does
// with each chunk, next to decoding and parsing alone, on chunks of both real recordings; then the
// real worker process draining a backlog of them, next to that in-process figure.
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { childEnv, runChild, startLoupe, startServer, warningsNote } from '../support.mjs';

const WARMUP_SECONDS = 0.5;
const SECONDS = 1.5;
// The concurrency Loupe's WorkerService gives each queue: with zlib on libuv's threads, chunks in
// flight overlap their decompression with the parsing and analysis of others.
const CONCURRENCY = 4;
const REFERENCE = 'decompress + JSON.parse alone';
const LABELS = { br: 'worker (brotli, as stored)', gzip: 'worker (gzip, as received)' };
// Connections that send the backlog, each one visit of each recording: 16 × 47 chunks.
const BACKLOG_CONNECTIONS = 16;
const DRAIN_TIMEOUT_MS = 60_000;

const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** The in-process rates: decode, parse and analyse, against decode and parse. */
async function inProcess(ctx) {
  const out = await runChild(ctx.bundle('worker'), { fixturesDir: ctx.fixturesDir, warmupSeconds: WARMUP_SECONDS, seconds: SECONDS, concurrency: CONCURRENCY }, { env: childEnv(), timeoutMs: 120_000 });
  return Object.entries(out).map(([encoding, m]) => {
    const byFixture = (rounds) =>
      Object.keys(rounds[0].byFixture)
        .map((f) => `${f.split('-')[1]} ${Math.round(mean(rounds.map((r) => r.byFixture[f]))).toLocaleString('en-US')}`)
        .join(', ');
    return {
      scenario: LABELS[encoding],
      figure: mean(m.loupe.map((r) => r.eventsPerSecond)),
      unit: 'events/s',
      better: 'higher',
      reference: REFERENCE,
      referenceFigure: mean(m.reference.map((r) => r.eventsPerSecond)),
      note: `events/s by recording: ${byFixture(m.loupe)} (reference: ${byFixture(m.reference)}); ${m.chunks} chunks`,
      details: m,
    };
  });
}

/**
 * A backlog sent to an api whose worker is off, then a worker process started on it: chunks and
 * events processed per second from the first chunk it finished to the last, as the database's
 * `processed_at` has them, so the worker's start-up is not counted.
 */
async function drain(ctx, inProcessGzip) {
  const label = 'worker (end to end, PostgreSQL + Redis)';
  const reference = 'decode + parse + analyse in one process (gzip)';
  const api = await startLoupe(ctx, { shape: 'server', inlineWorker: false });
  if (api.skipped) return { scenario: label, skipped: api.skipped, reference };
  let worker;
  const db = new pg.Client({ connectionString: api.databaseUrl });
  try {
    await db.connect();
    const [sent] = await runChild(
      ctx.bundle('ingest-load'),
      { fixturesDir: ctx.fixturesDir, connections: BACKLOG_CONNECTIONS, rounds: [{ label: 'backlog', url: `${api.base}/v1/ingest?key=${api.publicKey}`, seconds: 0, visitsPerConnection: 1 }] },
      { env: childEnv(), timeoutMs: 120_000 },
    );
    if (sent.refused || sent.errors) throw new Error(`the backlog was not all accepted: ${sent.refused} refused, ${sent.errors} errors${sent.samples[0] ? ` (${sent.samples[0]})` : ''}`);
    const { PORT: _port, HOST: _host, ...env } = api.env;
    const startedAt = Date.now();
    worker = startServer(ctx.bundle('apps/worker/main'), [], childEnv(env));
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    let pending;
    for (;;) {
      pending = (await db.query('SELECT count(*)::int AS n FROM recording_chunk WHERE processed_at IS NULL')).rows[0].n;
      if (pending === 0 || Date.now() > deadline) break;
      if (worker.exited()) throw new Error(`the worker exited (${JSON.stringify(worker.exited())})\n${worker.stderr()}`);
      await sleep(200);
    }
    const { rows } = await db.query(
      `SELECT count(*)::int AS chunks, sum(event_count)::int AS events,
              extract(epoch FROM max(processed_at) - min(processed_at))::float8 AS seconds,
              extract(epoch FROM min(processed_at))::float8 * 1000 AS first
         FROM recording_chunk WHERE processed_at IS NOT NULL`,
    );
    const done = rows[0];
    if (!(done.seconds > 0)) throw new Error(`the worker processed ${done.chunks} chunks of ${sent.batches} within ${DRAIN_TIMEOUT_MS / 1000} s`);
    // Intervals between the first and the last chunk processed: one fewer than the chunks.
    const share = (done.chunks - 1) / done.chunks;
    const notes = [
      `${Math.round((done.chunks - 1) / done.seconds)} chunks/s, ${done.chunks} chunks of ${sent.batches} sent; the first done ${((done.first - startedAt) / 1000).toFixed(1)} s after the worker was started`,
      pending ? `${pending} chunks still unprocessed after ${DRAIN_TIMEOUT_MS / 1000} s` : null,
      warningsNote('the worker', worker.warnings()),
      warningsNote('the api', api.warnings()),
    ];
    return { scenario: label, figure: (done.events * share) / done.seconds, unit: 'events/s', better: 'higher', reference, referenceFigure: inProcessGzip, note: notes.filter(Boolean).join('; '), details: { sent, done, pending } };
  } finally {
    await db.end().catch(() => undefined);
    await worker?.stop();
    await api.stop();
  }
}

export const worker = {
  name: 'worker',
  describe: `decode + JSON.parse + analyzeChunk of every chunk of both recordings, brotli as the worker keeps them and gzip as received, in one process with ${CONCURRENCY} chunks in flight; ${SECONDS} s a round after ${WARMUP_SECONDS} s of warm-up, the mean of two rounds; then a worker process draining ${BACKLOG_CONNECTIONS} visits of each recording on a PostgreSQL server with Redis`,
  async run(ctx) {
    const rows = await inProcess(ctx);
    const gzip = rows.find((r) => r.scenario === LABELS.gzip);
    return [...rows, await drain(ctx, gzip.figure)];
  },
};
