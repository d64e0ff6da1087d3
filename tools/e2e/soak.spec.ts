import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUrl, serverDatabaseUrl } from '../testing/databases';
import { isCI } from '../testing/services';
import { clusterEnv, defaultProject, duplicatedEvents, ensureBuilt, freshDatabase, login, prepareVisits, query, startApi, startWorker, unprocessed, waitUntil, type LoupeChild, type PreparedBatch } from './cluster';

/**
 * `npm run test:soak -- --seconds 300` runs this for as long as asked; in the normal suite it runs
 * for 20 s. The figures it prints are the ones docs/reliability.md records.
 */
const SECONDS = Number(process.env.LOUPE_SOAK_SECONDS || 20);
/** Recorded events per second sent, all visitors together: what one api and one worker sustain here. */
const EVENTS_PER_SECOND = Number(process.env.LOUPE_SOAK_EVENTS_PER_SECOND || 1000);
const VISITORS = Number(process.env.LOUPE_SOAK_VISITORS || 32);

const server = serverDatabaseUrl();
const redis = redisUrl();

interface Sample {
  at: number;
  api: { rss: number; heap: number };
  worker: { rss: number; heap: number };
  waiting: number;
}

const metric = (text: string, name: string, labels = '') => {
  const line = text.split('\n').find((l) => l.startsWith(name) && (l[name.length] === ' ' || l[name.length] === '{') && l.includes(labels));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

describe.skipIf(!(server && redis) && !isCI)(`soak: ${VISITORS} visitors for ${SECONDS} s at ${EVENTS_PER_SECOND} events/s`, () => {
  const children: LoupeChild[] = [];
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    await ensureBuilt();
  }, 180_000);
  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop('SIGKILL')));
    await drop?.().catch(() => undefined);
  });

  it('stores and processes every event accepted exactly once, drains its queue, and keeps its memory flat', async () => {
    const db = await freshDatabase(server!, 'soak');
    drop = db.drop;
    const env = clusterEnv(db.url, redis);
    const api = await startApi(env);
    children.push(api);
    const worker = await startWorker(env);
    children.push(worker);
    const project = await defaultProject(api.url, await login(api.url));

    const accepted = { batches: 0, events: 0, duplicates: 0 };
    const refused: string[] = [];
    const samples: Sample[] = [];
    const started = Date.now();
    const endAt = started + SECONDS * 1000;
    let sentEvents = 0;

    const sample = async () => {
      const [a, w] = await Promise.all([fetch(`${api.url}/metrics`).then((r) => r.text()), fetch(`${worker.url}/metrics`).then((r) => r.text())]);
      samples.push({
        at: Date.now() - started,
        api: { rss: metric(a, 'process_resident_memory_bytes'), heap: metric(a, 'nodejs_heap_size_used_bytes') },
        worker: { rss: metric(w, 'process_resident_memory_bytes'), heap: metric(w, 'nodejs_heap_size_used_bytes') },
        waiting: metric(a, 'loupe_queue_jobs', 'queue="recordings",state="waiting"'),
      });
    };
    const sampler = (async () => {
      while (Date.now() < endAt) {
        await sample();
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();

    /** One visitor: a visit of a real recording, batch after batch, then another visit, until the time is up. */
    const visitor = async () => {
      while (Date.now() < endAt) {
        const visit = prepareVisits(1)[0]!.map((b: PreparedBatch) => ({ ...b, events: (JSON.parse(gunzipSync(b.body).toString('utf8')) as { events: unknown[] }).events.length }));
        for (const b of visit) {
          if (Date.now() >= endAt) return;
          // Paced: all visitors together send no faster than the rate asked for.
          while (sentEvents > (EVENTS_PER_SECOND * (Date.now() - started)) / 1000) await new Promise((r) => setTimeout(r, 20));
          sentEvents += b.events;
          const res = await fetch(`${api.url}/v1/ingest?key=${project.publicKey}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(b.body) });
          const body = (await res.json()) as { duplicate?: boolean; message?: string };
          if (res.status !== 202) refused.push(`${res.status} ${body.message}`);
          else if (body.duplicate) accepted.duplicates++;
          else {
            accepted.batches++;
            accepted.events += b.events;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: VISITORS }, visitor));
    const sendSeconds = (Date.now() - started) / 1000;
    await sampler;

    const drainStarted = Date.now();
    await waitUntil('the queue drained', async () => (await unprocessed(db.url)) === 0, 90_000);
    const drainSeconds = (Date.now() - drainStarted) / 1000;
    await sample();

    // Counts, end to end: accepted = stored = processed, and each chunk processed once.
    const [stored] = await query<{ chunks: number; events: number; processed: number }>(
      db.url,
      'SELECT count(*)::int AS chunks, coalesce(sum(event_count), 0)::int AS events, count(processed_at)::int AS processed FROM recording_chunk',
    );
    const [sessions] = await query<{ events: number }>(db.url, 'SELECT coalesce(sum(event_count), 0)::int AS events FROM session');
    const apiMetrics = await (await fetch(`${api.url}/metrics`)).text();
    const workerMetrics = await (await fetch(`${worker.url}/metrics`)).text();
    const runs = metric(workerMetrics, 'loupe_job_duration_seconds_count', 'job="recording.process-chunk",outcome="completed"');

    const warm = samples.filter((s) => s.at >= SECONDS * 250 && s.at <= SECONDS * 450);
    const last = samples.slice(-Math.max(3, Math.round(samples.length * 0.15)));
    const figures = {
      seconds: Math.round(sendSeconds),
      visitors: VISITORS,
      eventsPerSecond: Math.round(accepted.events / sendSeconds),
      accepted,
      stored,
      sessionEvents: sessions!.events,
      ingestEventsMetric: metric(apiMetrics, 'loupe_ingest_events_total'),
      processChunkRuns: runs,
      maxWaiting: Math.max(...samples.map((s) => s.waiting)),
      drainSeconds,
      memoryMB: {
        api: { rss: [mb(median(warm.map((s) => s.api.rss))), mb(median(last.map((s) => s.api.rss)))], heap: [mb(median(warm.map((s) => s.api.heap))), mb(median(last.map((s) => s.api.heap)))] },
        worker: { rss: [mb(median(warm.map((s) => s.worker.rss))), mb(median(last.map((s) => s.worker.rss)))], heap: [mb(median(warm.map((s) => s.worker.heap))), mb(median(last.map((s) => s.worker.heap)))] },
      },
      refused: refused.length,
    };
    console.info(`soak figures: ${JSON.stringify(figures)}`);

    expect(refused).toEqual([]);
    expect(accepted.duplicates).toBe(0);
    // The rate asked is a ceiling: a loaded machine (the test's own visitors share its cores) may
    // reach less; the figures above say how much was held.
    expect(accepted.events).toBeGreaterThan(EVENTS_PER_SECOND * SECONDS * 0.25);
    expect(stored!.chunks).toBe(accepted.batches);
    expect(stored!.events).toBe(accepted.events);
    expect(stored!.processed).toBe(accepted.batches);
    expect(sessions!.events).toBe(accepted.events);
    expect(figures.ingestEventsMetric).toBe(accepted.events);
    // Every chunk's job ran to completion once: no retries, no second run.
    expect(runs).toBe(accepted.batches);
    expect(await duplicatedEvents(db.url)).toEqual([]);
    expect(metric(apiMetrics, 'loupe_queue_jobs', 'queue="recordings",state="waiting"')).toBe(0);
    expect(metric(apiMetrics, 'loupe_queue_jobs', 'queue="recordings",state="failed"')).toBe(0);
    // Flat memory: what the processes hold once warm is what they hold at the end, give or take
    // what a garbage collector leaves between two passes.
    for (const who of ['api', 'worker'] as const) {
      const [warmRss, endRss] = figures.memoryMB[who].rss;
      const [warmHeap, endHeap] = figures.memoryMB[who].heap;
      expect(endRss, `${who} RSS, MB`).toBeLessThanOrEqual(warmRss! * 1.25 + 40);
      expect(endHeap, `${who} heap, MB`).toBeLessThanOrEqual(warmHeap! * 1.5 + 24);
    }
    expect(await worker.stop()).toBe(0);
    expect(await api.stop()).toBe(0);
  }, 180_000 + SECONDS * 1000);
});
