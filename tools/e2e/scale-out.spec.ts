import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUrl, serverDatabaseUrl } from '../testing/databases';
import { isCI } from '../testing/services';
import {
  clusterEnv,
  defaultProject,
  duplicatedEvents,
  ensureBuilt,
  freshDatabase,
  inParallel,
  login,
  postBatch,
  prepareVisits,
  query,
  analysisRows,
  sessionSummaries,
  startApi,
  startWorker,
  typedEvents,
  unprocessed,
  waitUntil,
  type LoupeChild,
} from './cluster';

const server = serverDatabaseUrl();
const redis = redisUrl();
const VISITS = 24;

/**
 * The scaled-out shape: two api and two worker processes on one PostgreSQL and one Redis, under a
 * load of real recordings, against the same input through one process. Every chunk must be
 * processed, none twice in effect, and every session must come out as one process makes it.
 */
describe.skipIf(!(server && redis) && !isCI)('two apis and two workers on PostgreSQL and Redis', () => {
  const visits = prepareVisits(VISITS);
  const batches = visits.flat();
  const children: LoupeChild[] = [];
  const drops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    await ensureBuilt();
  }, 180_000);
  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop('SIGKILL')));
    for (const drop of drops) await drop().catch(() => undefined);
  });

  /** Sends every visit, each one's batches in order (one tab), spread over `apis` batch by batch. */
  async function send(apis: string[], key: string) {
    const statuses: number[] = [];
    await inParallel(visits, 8, async (visit, v) => {
      for (const [i, b] of visit.entries()) statuses.push(await postBatch(apis[(v + i) % apis.length]!, key, b));
    });
    return statuses;
  }

  it('processes every chunk exactly once in effect, with the sessions one process makes of them', async () => {
    const scaled = await freshDatabase(server!, 'scaled');
    drops.push(scaled.drop);
    const env = clusterEnv(scaled.url, redis);
    // Both apis start at once on the empty database: they migrate and create the admin once.
    const apis = await Promise.all([startApi(env), startApi(env)]);
    children.push(...apis);
    const workers = await Promise.all([startWorker(env), startWorker(env)]);
    children.push(...workers);
    const cookie = await login(apis[0]!.url);
    const project = await defaultProject(apis[0]!.url, cookie);
    expect(await defaultProject(apis[1]!.url, await login(apis[1]!.url))).toEqual(project);

    const statuses = await send(apis.map((a) => a.url), project.publicKey);
    expect(statuses.filter((s) => s !== 202)).toEqual([]);
    await waitUntil('every chunk processed by the two workers', async () => (await unprocessed(scaled.url)) === 0, 120_000);

    const chunks = await query<{ n: number }>(scaled.url, 'SELECT count(*)::int AS n FROM recording_chunk');
    expect(chunks[0]!.n).toBe(batches.length);
    expect(await duplicatedEvents(scaled.url)).toEqual([]);
    // Both workers took part: each one's metrics count the chunks it processed.
    const processedBy = await Promise.all(
      workers.map(async (w) => {
        const text = await (await fetch(`${w.url}/metrics`)).text();
        return Number(/loupe_job_duration_seconds_count\{[^}]*queue="recordings",job="recording\.process-chunk",outcome="completed"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
      }),
    );
    expect(processedBy.every((n) => n > 0), `chunks processed by each worker: ${processedBy.join(", ")}`).toBe(true);
    // A chunk may be handled twice (a stalled job retried), never more often than once in effect.
    expect(processedBy[0]! + processedBy[1]!).toBeGreaterThanOrEqual(batches.length);

    // The same bytes through one process with its inline worker.
    const single = await freshDatabase(server!, 'single');
    drops.push(single.drop);
    const one = await startApi(clusterEnv(single.url, redis, { LOUPE_INLINE_WORKER: 'true' }));
    children.push(one);
    const oneProject = await defaultProject(one.url, await login(one.url));
    expect((await send([one.url], oneProject.publicKey)).filter((s) => s !== 202)).toEqual([]);
    await waitUntil('every chunk processed by the single process', async () => (await unprocessed(single.url)) === 0, 120_000);

    const [scaledSessions, singleSessions] = [await sessionSummaries(scaled.url), await sessionSummaries(single.url)];
    expect(scaledSessions).toHaveLength(VISITS);
    expect(scaledSessions).toEqual(singleSessions);
    // The sessions' frustration signals and page views too: analyses in any order give the same rows.
    expect(await analysisRows(scaled.url)).toEqual(await analysisRows(single.url));
    // Page URLs included: a chunk processed before the previous one of its tab gets its first events'
    // page from the session's analysis.
    const [scaledEvents, singleEvents] = [await typedEvents(scaled.url), await typedEvents(single.url)];
    expect(scaledEvents.length).toBe(singleEvents.length);
    expect(scaledEvents).toEqual(singleEvents);

    for (const c of [...workers, ...apis, one]) expect(await c.stop()).toBe(0);
  }, 300_000);

});
