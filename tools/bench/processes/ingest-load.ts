// Runs in a child process of the harness: posts recorder-sized gzip batches of the real recordings
// to an ingest endpoint from many connections, each one a browser tab that sends its visit's batches
// in order (seq 0, 1, 2...) and then starts a new visit, and answers what each round achieved.
import autocannon from 'autocannon';
import { BatchTemplate, FIXTURES, fixture, newId, rebase, recorderBatches } from './shared/recordings';

export interface IngestRound {
  /** Where the batches go, with the project's key in the query. */
  url: string;
  label: string;
  seconds: number;
  /** Instead of a time: each connection sends this many visits of each recording, then stops. */
  visitsPerConnection?: number;
  /** Batches per second across all connections, as a site's visitors send them; unset: as fast as the server answers. */
  ratePerSecond?: number;
}

export interface IngestLoadInput {
  fixturesDir: string;
  connections: number;
  rounds: IngestRound[];
}

export interface IngestRoundResult {
  label: string;
  seconds: number;
  batches: number;
  events: number;
  /** Compressed bytes sent in accepted batches. */
  bytes: number;
  eventsPerSecond: number;
  batchesPerSecond: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
  refused: number;
  errors: number;
  timeouts: number;
  /** A few of the refusals, to say why. */
  samples: string[];
}

interface Tab {
  sessionId?: string;
  visitorId?: string;
  windowId?: string;
}

/**
 * The request list every connection walks: the desktop visit's batches, then the mobile one's. A
 * visit's first batch gives the connection new ids, so every (session, tab, seq) is sent once and
 * Loupe stores every batch rather than answering `duplicate`.
 */
function requestList(templates: BatchTemplate[][], counts: { batches: number; events: number; bytes: number; refused: number; samples: string[] }) {
  const list: autocannon.Request[] = [];
  for (const visit of templates) {
    visit.forEach((template, seq) => {
      let sentBytes = 0;
      list.push({
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', 'user-agent': 'loupe-bench' },
        setupRequest: (req, context) => {
          const tab = context as Tab;
          if (seq === 0 || !tab.sessionId) Object.assign(tab, { sessionId: newId(), visitorId: newId(), windowId: newId() });
          const body = template.body({ sessionId: tab.sessionId!, visitorId: tab.visitorId!, windowId: tab.windowId!, seq, batchId: newId(), sentAt: Date.now() });
          sentBytes = body.length;
          return { ...req, body };
        },
        onResponse: (status, body) => {
          if (status === 202) {
            counts.batches++;
            counts.events += template.eventCount;
            counts.bytes += sentBytes;
          } else {
            counts.refused++;
            if (counts.samples.length < 3) counts.samples.push(`HTTP ${status}: ${String(body).slice(0, 200)}`);
          }
        },
      });
    });
  }
  return list;
}

async function round(input: IngestLoadInput, templates: BatchTemplate[][], r: IngestRound): Promise<IngestRoundResult> {
  const counts = { batches: 0, events: 0, bytes: 0, refused: 0, samples: [] as string[] };
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const requests = requestList(templates, counts);
    const bound = r.visitsPerConnection ? { amount: r.visitsPerConnection * requests.length * input.connections } : { duration: r.seconds };
    const paced = r.ratePerSecond ? { overallRate: r.ratePerSecond } : {};
    autocannon({ url: r.url, connections: input.connections, ...bound, ...paced, requests, initialContext: {} }, (err, res) => (err ? reject(err) : resolve(res)));
  });
  const seconds = (performance.now() - started) / 1000;
  return {
    label: r.label,
    seconds: round3(seconds),
    ...counts,
    eventsPerSecond: Math.round(counts.events / seconds),
    batchesPerSecond: round3(counts.batches / seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: round3(result.latency.average),
    max: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

async function main(input: IngestLoadInput): Promise<IngestRoundResult[]> {
  // The visits end a second ago, whatever the day: ingest refuses events more than 7 days off.
  const templates = FIXTURES.map((name) => recorderBatches(rebase(fixture(input.fixturesDir, name))).map((events) => new BatchTemplate(events)));
  const results: IngestRoundResult[] = [];
  for (const r of input.rounds) results.push(await round(input, templates, r));
  return results;
}

const input = JSON.parse(process.argv[2] ?? '{}') as IngestLoadInput;
main(input).then(
  (output) => process.send!({ ok: true, output }, () => process.exit(0)),
  (err: unknown) => process.send!({ ok: false, error: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined }, () => process.exit(1)),
);
