// `scale`: what a second worker process adds on this machine. Throughput: a backlog drained by one
// worker process, then another backlog by two. Lag: the ingest scenario's load for a few seconds
// against an api with one, then two, worker processes running, and how long each chunk waited
// between being stored and being processed.
import { setTimeout as sleep } from 'node:timers/promises';
import { childEnv, runChild, warningsNote, withApiAndWorkers } from '../support.mjs';
import { drainBacklog } from './worker.mjs';

const SHAPE = 'PostgreSQL + Redis';
// The ingest scenario's load: 16 connections, each one a tab sending its visit's batches in order.
const CONNECTIONS = 16;
const LOAD_SECONDS = 10;
const DRAIN_AFTER_LOAD_MS = 120_000;

/** Ingest load with `count` workers running; lag percentiles of every chunk sent, once all are processed. */
function lagUnderLoad(ctx, count) {
  return withApiAndWorkers(ctx, async ({ api, db, startWorkers, workerWarnings }) => {
    startWorkers(count);
    // Workers up (the sweep's schedule is their first job) before the load starts.
    await sleep(3000);
    const [load] = await runChild(
      ctx.bundle('ingest-load'),
      { fixturesDir: ctx.fixturesDir, connections: CONNECTIONS, rounds: [{ label: `lag-${count}`, url: `${api.base}/v1/ingest?key=${api.publicKey}`, seconds: LOAD_SECONDS }] },
      { env: childEnv(), timeoutMs: 120_000 },
    );
    const loadEnded = Date.now();
    const waiting = async () => (await db.query('SELECT count(*)::int AS n FROM recording_chunk WHERE processed_at IS NULL')).rows[0].n;
    const backlogAtEnd = await waiting();
    const deadline = Date.now() + DRAIN_AFTER_LOAD_MS;
    let pending = backlogAtEnd;
    while (pending > 0 && Date.now() < deadline) {
      await sleep(250);
      pending = await waiting();
    }
    const drainedAfter = (Date.now() - loadEnded) / 1000;
    const { rows } = await db.query(
      `SELECT count(*)::int AS chunks,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at)) * 1000 AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at)) * 1000 AS p99,
              max(extract(epoch FROM processed_at - received_at)) * 1000 AS max
         FROM recording_chunk WHERE processed_at IS NOT NULL`,
    );
    return { ...rows[0], load, backlogAtEnd, pending, drainedAfter, notes: [warningsNote('the workers', workerWarnings()), warningsNote('the api', api.warnings())].filter(Boolean) };
  });
}

const round = (n) => Math.round(n).toLocaleString('en-US');

export const scale = {
  name: 'scale',
  describe: `a backlog of 16 visits of each recording drained by one worker process, then by two; then ${LOAD_SECONDS} s of the ingest scenario's load (${CONNECTIONS} connections) with one, then two, worker processes running, and the time each chunk waited between ingest and processing; ${SHAPE}`,
  async run(ctx) {
    const rows = [];
    const throughputLabel = `scale-out: 2 worker processes (${SHAPE})`;
    const one = await drainBacklog(ctx, { workers: 1 });
    if (one.skipped) return [{ scenario: throughputLabel, skipped: one.skipped, reference: '1 worker process' }];
    const two = await drainBacklog(ctx, { workers: 2 });
    rows.push({
      scenario: throughputLabel,
      figure: two.eventsPerSecond,
      unit: 'events/s',
      better: 'higher',
      reference: '1 worker process, same backlog',
      referenceFigure: one.eventsPerSecond,
      note: [`chunks/s: 1 worker ${round(one.chunksPerSecond)}, 2 workers ${round(two.chunksPerSecond)}; ${two.done.chunks} chunks each`, ...one.notes, ...two.notes].join('; '),
      details: { one, two },
    });

    const lag = [await lagUnderLoad(ctx, 1), await lagUnderLoad(ctx, 2)];
    const describeLag = (l, n) =>
      `${n} worker${n > 1 ? 's' : ''}: p50 ${round(l.p50)} ms, p99 ${round(l.p99)} ms, max ${round(l.max)} ms; ${round(l.load.batchesPerSecond)} batches/s sent for ${LOAD_SECONDS} s (${l.chunks} chunks), ${l.backlogAtEnd} still waiting when the load stopped, all processed ${l.drainedAfter.toFixed(1)} s later${l.pending ? ` (${l.pending} not within ${DRAIN_AFTER_LOAD_MS / 1000} s)` : ''}`;
    rows.push({
      scenario: `queue lag under ingest load, 2 workers (${SHAPE})`,
      figure: lag[1].p99,
      unit: 'ms lag p99',
      better: 'lower',
      reference: 'the same with 1 worker process',
      referenceFigure: lag[0].p99,
      note: [describeLag(lag[0], 1), describeLag(lag[1], 2), ...lag[0].notes, ...lag[1].notes].join('; '),
      details: { lag },
    });
    return rows;
  },
};
