// Runs in a child process of the harness: sends each real recording to a running api as the
// recorder would, waits until the worker has processed every chunk, and answers what is stored per
// recorded minute, beside what the same batches take as JSON, as gzip and compressed event by event.
import { promisify } from 'node:util';
import { deflate, gzip } from 'node:zlib';
import pg from 'pg';
import { FIXTURES, batchJson, fixture, newId, rebase, recorderBatches, type FixtureName } from './shared/recordings';

const gzipAsync = promisify(gzip);
const deflateAsync = promisify(deflate);

export interface StorageInput {
  fixturesDir: string;
  /** The api, its default project's key, and its database, where `recording_chunk` is read. */
  base: string;
  publicKey: string;
  databaseUrl: string;
  timeoutMs: number;
}

export interface StorageResult {
  fixture: FixtureName;
  events: number;
  batches: number;
  minutes: number;
  /** Bytes of each kind for the whole recording. */
  bytes: { stored: number; json: number; gzip: number; perEvent: number };
  /** How the chunks are kept once processed (`br` when re-encoding made them smaller). */
  encodings: Record<string, number>;
  processedInMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function store(input: StorageInput, db: pg.Client, name: FixtureName): Promise<StorageResult> {
  const events = rebase(fixture(input.fixturesDir, name));
  const batches = recorderBatches(events);
  const ids = { sessionId: newId(), visitorId: newId(), windowId: newId() };
  let gzipBytes = 0;
  let jsonBytes = 0;
  const sent = performance.now();
  for (const [seq, part] of batches.entries()) {
    const json = batchJson({ v: 1, ...ids, seq, batchId: newId(), sentAt: Date.now(), events: part });
    const body = await gzipAsync(json);
    jsonBytes += json.length;
    gzipBytes += body.length;
    const res = await fetch(`${input.base}/v1/ingest?key=${input.publicKey}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body });
    if (res.status !== 202) throw new Error(`${name}: batch ${seq} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  }

  // rrweb's packer idea: every event compressed on its own (zlib, as its `pack` does with fflate).
  let perEvent = 0;
  for (const e of events) perEvent += (await deflateAsync(JSON.stringify(e))).length;

  const deadline = Date.now() + input.timeoutMs;
  for (;;) {
    const { rows } = await db.query<{ total: number; pending: number }>(
      'SELECT count(*)::int AS total, count(*) FILTER (WHERE processed_at IS NULL)::int AS pending FROM recording_chunk WHERE session_id = $1',
      [ids.sessionId],
    );
    if (rows[0]!.total === batches.length && rows[0]!.pending === 0) break;
    if (Date.now() > deadline) throw new Error(`${name}: ${rows[0]!.pending} of ${rows[0]!.total} chunks still unprocessed after ${input.timeoutMs / 1000} s`);
    await sleep(100);
  }
  const processedInMs = Math.round(performance.now() - sent);
  const { rows } = await db.query<{ encoding: string; chunks: number; stored: string; raw: string }>(
    'SELECT encoding, count(*)::int AS chunks, sum(stored_bytes) AS stored, sum(raw_bytes) AS raw FROM recording_chunk WHERE session_id = $1 GROUP BY encoding',
    [ids.sessionId],
  );
  const stored = rows.reduce((s, r) => s + Number(r.stored), 0);
  const raw = rows.reduce((s, r) => s + Number(r.raw), 0);
  if (raw !== jsonBytes) throw new Error(`${name}: the chunks' raw_bytes add up to ${raw}, the batches sent to ${jsonBytes}`);
  return {
    fixture: name,
    events: events.length,
    batches: batches.length,
    minutes: (events[events.length - 1]!.timestamp - events[0]!.timestamp) / 60_000,
    bytes: { stored, json: jsonBytes, gzip: gzipBytes, perEvent },
    encodings: Object.fromEntries(rows.map((r) => [r.encoding, r.chunks])),
    processedInMs,
  };
}

async function main(input: StorageInput): Promise<StorageResult[]> {
  const db = new pg.Client({ connectionString: input.databaseUrl });
  await db.connect();
  try {
    const out: StorageResult[] = [];
    for (const name of FIXTURES) out.push(await store(input, db, name));
    return out;
  } finally {
    await db.end();
  }
}

const input = JSON.parse(process.argv[2] ?? '{}') as StorageInput;
main(input).then(
  (output) => process.send!({ ok: true, output }, () => process.exit(0)),
  (err: unknown) => process.send!({ ok: false, error: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined }, () => process.exit(1)),
);
