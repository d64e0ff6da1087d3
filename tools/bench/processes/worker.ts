// Runs in a child process of the harness: the CPU work of processing a chunk in one process,
// without the database. Loupe's side is what `recording.process-chunk` does with a stored body
// (decode it, parse the batch, `analyzeChunk`); the reference decodes and parses alone.
import 'reflect-metadata';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { IngestBatch } from '@loupe/contracts/recording';
import { analyzeChunk } from '@loupe/replay';
import { compressForStorage } from '@loupe/server/recordings/process-chunk.job';
import { decodeStoredChunk } from '@loupe/server/recordings/sessions.service';
import { FIXTURES, batchJson, fixture, newId, recorderBatches, type FixtureName } from './shared/recordings';

const gzipAsync = promisify(gzip);

export interface WorkerBenchInput {
  fixturesDir: string;
  warmupSeconds: number;
  seconds: number;
  /** Chunks in flight at once, as the worker's `concurrency`. */
  concurrency: number;
}

interface Chunk {
  seq: number;
  windowId: string;
  events: number;
  body: Buffer;
  /** The page the previous chunk of the tab ended on, which the worker reads from the database. */
  startUrl?: string;
}

export interface WorkerRound {
  /** Events per second for each recording, each measured for half the round. */
  byFixture: Record<string, number>;
  /**
   * Both recordings together, each counted once: all their events over the time each takes at its
   * own rate, so the snapshot-heavy one weighs as much as it would in a backlog of the two.
   */
  eventsPerSecond: number;
}

type Encoding = 'br' | 'gzip';
export type WorkerBenchOutput = Record<Encoding, { loupe: WorkerRound[]; reference: WorkerRound[]; storedBytes: number; chunks: number }>;

/** Every chunk of a recording, stored as the worker keeps it (`br`) or as ingest received it (`gzip`). */
async function chunks(input: WorkerBenchInput, name: FixtureName, encoding: Encoding): Promise<Chunk[]> {
  const out: Chunk[] = [];
  const ids = { sessionId: newId(), visitorId: newId(), windowId: newId() };
  let url: string | undefined;
  for (const [seq, events] of recorderBatches(fixture(input.fixturesDir, name)).entries()) {
    const json = batchJson({ v: 1, ...ids, seq, batchId: newId(), sentAt: Date.now(), events });
    out.push({ seq, windowId: ids.windowId, events: events.length, body: encoding === 'br' ? await compressForStorage(json) : await gzipAsync(json), startUrl: url });
    url = analyzeChunk(seq, events, url ? { url } : {}).lastUrl ?? url;
  }
  return out;
}

type Work = (chunk: Chunk, encoding: Encoding) => Promise<void>;

const decodeAndParse: Work = async (chunk, encoding) => {
  const json = await decodeStoredChunk(encoding, chunk.body);
  JSON.parse(json.toString('utf8'));
};

const decodeParseAnalyze: Work = async (chunk, encoding) => {
  const json = await decodeStoredChunk(encoding, chunk.body);
  const batch = JSON.parse(json.toString('utf8')) as IngestBatch;
  analyzeChunk({ seq: chunk.seq, windowId: chunk.windowId }, batch.events, chunk.startUrl ? { url: chunk.startUrl } : {});
};

/**
 * Events per second over `seconds`, `concurrency` chunks in flight, going round the recording's
 * chunks in order; a chunk started before the end is waited for and counted.
 */
async function rate(all: Chunk[], encoding: Encoding, work: Work, seconds: number, concurrency: number): Promise<number> {
  let next = 0;
  let events = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const c = all[next++ % all.length]!;
        await work(c, encoding);
        events += c.events;
      }
    }),
  );
  return events / ((performance.now() - started) / 1000);
}

async function round(byName: Map<FixtureName, Chunk[]>, encoding: Encoding, work: Work, seconds: number, concurrency: number): Promise<WorkerRound> {
  const byFixture: Record<string, number> = {};
  let events = 0;
  let time = 0;
  for (const [name, all] of byName) {
    const r = await rate(all, encoding, work, seconds / byName.size, concurrency);
    const perPass = all.reduce((s, c) => s + c.events, 0);
    byFixture[name] = Math.round(r);
    events += perPass;
    time += perPass / r;
  }
  return { byFixture, eventsPerSecond: Math.round(events / time) };
}

async function main(input: WorkerBenchInput): Promise<WorkerBenchOutput> {
  const output = {} as WorkerBenchOutput;
  for (const encoding of ['br', 'gzip'] as const) {
    const byName = new Map<FixtureName, Chunk[]>();
    for (const name of FIXTURES) byName.set(name, await chunks(input, name, encoding));
    const sides = { loupe: decodeParseAnalyze, reference: decodeAndParse };
    const run = (who: keyof typeof sides, seconds: number) => round(byName, encoding, sides[who], seconds, input.concurrency);
    await run('reference', input.warmupSeconds);
    await run('loupe', input.warmupSeconds);
    const rounds: Record<keyof typeof sides, WorkerRound[]> = { loupe: [], reference: [] };
    for (const who of ['reference', 'loupe', 'loupe', 'reference'] as const) rounds[who].push(await run(who, input.seconds));
    const all = [...byName.values()].flat();
    output[encoding] = { ...rounds, storedBytes: all.reduce((s, c) => s + c.body.length, 0), chunks: all.length };
  }
  return output;
}

const input = JSON.parse(process.argv[2] ?? '{}') as WorkerBenchInput;
main(input).then(
  (output) => process.send!({ ok: true, output }, () => process.exit(0)),
  (err: unknown) => process.send!({ ok: false, error: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined }, () => process.exit(1)),
);
