// `worker`: recorded events per second that one process decodes and analyses as the worker does
// with each chunk, next to decoding and parsing alone, on chunks of both real recordings; then the
// real worker process draining a backlog of them, next to that in-process figure.
import { setTimeout as sleep } from 'node:timers/promises';
import { childEnv, runChild, warningsNote, withApiAndWorkers } from '../support.mjs';

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
 * A backlog sent to an api whose worker is off, then `workers` worker processes started on it:
 * chunks and events processed per second from the first chunk finished to the last, as the
 * database's `processed_at` has them, so that start-up is not counted. Answers `{ skipped }` when
 * a server is missing.
 */
export function drainBacklog(ctx, { workers: count = 1 } = {}) {
  return withApiAndWorkers(ctx, async ({ api, db, workers, startWorkers, workerWarnings }) => {
    const [sent] = await runChild(
      ctx.bundle('ingest-load'),
      { fixturesDir: ctx.fixturesDir, connections: BACKLOG_CONNECTIONS, rounds: [{ label: 'backlog', url: `${api.base}/v1/ingest?key=${api.publicKey}`, seconds: 0, visitsPerConnection: 1 }] },
      { env: childEnv(), timeoutMs: 120_000 },
    );
    if (sent.refused || sent.errors) throw new Error(`the backlog was not all accepted: ${sent.refused} refused, ${sent.errors} errors${sent.samples[0] ? ` (${sent.samples[0]})` : ''}`);
    const startedAt = Date.now();
    startWorkers(count);
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    let pending;
    for (;;) {
      pending = (await db.query('SELECT count(*)::int AS n FROM recording_chunk WHERE processed_at IS NULL')).rows[0].n;
      if (pending === 0 || Date.now() > deadline) break;
      const exited = workers.find((w) => w.exited());
      if (exited) throw new Error(`a worker exited (${JSON.stringify(exited.exited())})\n${exited.stderr()}`);
      await sleep(200);
    }
    const { rows } = await db.query(
      `SELECT count(*)::int AS chunks, sum(event_count)::int AS events,
              extract(epoch FROM max(processed_at) - min(processed_at))::float8 AS seconds,
              extract(epoch FROM min(processed_at))::float8 * 1000 AS first
         FROM recording_chunk WHERE processed_at IS NOT NULL`,
    );
    const done = rows[0];
    if (!(done.seconds > 0)) throw new Error(`the workers processed ${done.chunks} chunks of ${sent.batches} within ${DRAIN_TIMEOUT_MS / 1000} s`);
    // Intervals between the first and the last chunk processed: one fewer than the chunks.
    const share = (done.chunks - 1) / done.chunks;
    return {
      eventsPerSecond: (done.events * share) / done.seconds,
      chunksPerSecond: (done.chunks - 1) / done.seconds,
      firstAfterSeconds: (done.first - startedAt) / 1000,
      sent,
      done,
      pending,
      notes: [pending ? `${pending} chunks still unprocessed after ${DRAIN_TIMEOUT_MS / 1000} s` : null, warningsNote(count > 1 ? 'the workers' : 'the worker', workerWarnings()), warningsNote('the api', api.warnings())].filter(Boolean),
    };
  });
}

async function drain(ctx, inProcessGzip) {
  const label = 'worker (end to end, PostgreSQL + Redis)';
  const reference = 'decode + parse + analyse in one process (gzip)';
  const m = await drainBacklog(ctx, { workers: 1 });
  if (m.skipped) return { scenario: label, skipped: m.skipped, reference };
  const note = [`${Math.round(m.chunksPerSecond)} chunks/s, ${m.done.chunks} chunks of ${m.sent.batches} sent; the first done ${m.firstAfterSeconds.toFixed(1)} s after the worker was started`, ...m.notes].join('; ');
  return { scenario: label, figure: m.eventsPerSecond, unit: 'events/s', better: 'higher', reference, referenceFigure: inProcessGzip, note, details: { sent: m.sent, done: m.done, pending: m.pending } };
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
