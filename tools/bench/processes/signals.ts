// Runs in a child process of the harness: the CPU work of frustration signals, without the
// database, on the real recordings cut as the recorder cuts them. Per chunk, what the chunk job does
// for signals (`signalInputsOf`); per chunk again, what the session analysis that follows it does
// (detection over every chunk of the session so far, then the frustration score).
import type { RecordedEvent } from '@loupe/contracts/recording';
import { SignalSettings } from '@loupe/contracts';
import { analyzeChunk, type TypedEvent } from '@loupe/replay';
import { countByKind, detectSignals, frustrationScore, signalInputsOf, type ChunkSignalInputs } from '@loupe/signals';
import { FIXTURES, fixture, recorderBatches } from './shared/recordings';

export interface SignalsBenchInput {
  fixturesDir: string;
  warmupSeconds: number;
  seconds: number;
}

interface Chunk {
  seq: number;
  events: RecordedEvent[];
  typed: TypedEvent[];
  loupe: boolean;
  sentAt: number;
}

export interface SignalsRound {
  eventsPerSecond: number;
  byFixture: Record<string, number>;
}
export type SignalsBenchOutput = { signals: SignalsRound[]; reference: SignalsRound[]; chunks: number; events: number };

type Work = (session: Chunk[]) => void;

/** Loupe: inputs per chunk, then a detection over the session so far after each chunk, as the jobs run. */
const signalsAsTheWorkerRunsThem: Work = (session) => {
  const inputs: ChunkSignalInputs[] = [];
  for (const c of session) {
    inputs.push(signalInputsOf({ seq: c.seq }, c.events, c.typed, { loupe: c.loupe, coveredUntil: c.sentAt }));
    const signals = detectSignals(inputs, SignalSettings.defaults);
    frustrationScore(countByKind(signals));
  }
};

/** The reference: extracting the typed events of the same chunks, the worker's existing analysis. */
const typedEventsAlone: Work = (session) => {
  let url: string | undefined;
  for (const c of session) url = analyzeChunk(c.seq, c.events, url ? { url } : {}).lastUrl ?? url;
};

function rate(session: Chunk[], work: Work, seconds: number): number {
  const perPass = session.reduce((n, c) => n + c.events.length, 0);
  let events = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    work(session);
    events += perPass;
  }
  return events / ((performance.now() - started) / 1000);
}

function round(sessions: Map<string, Chunk[]>, work: Work, seconds: number): SignalsRound {
  const byFixture: Record<string, number> = {};
  let events = 0;
  let time = 0;
  for (const [name, session] of sessions) {
    const r = rate(session, work, seconds / sessions.size);
    const perPass = session.reduce((n, c) => n + c.events.length, 0);
    byFixture[name] = Math.round(r);
    events += perPass;
    time += perPass / r;
  }
  return { eventsPerSecond: Math.round(events / time), byFixture };
}

function main(input: SignalsBenchInput): SignalsBenchOutput {
  const sessions = new Map<string, Chunk[]>();
  for (const name of FIXTURES) {
    let url: string | undefined;
    const chunks = recorderBatches(fixture(input.fixturesDir, name)).map((events, seq) => {
      const analysis = analyzeChunk(seq, events, url ? { url } : {});
      url = analysis.lastUrl ?? url;
      return { seq, events, typed: analysis.events, loupe: analysis.facts.loupe, sentAt: events[events.length - 1]!.timestamp };
    });
    sessions.set(name, chunks);
  }
  round(sessions, typedEventsAlone, input.warmupSeconds);
  round(sessions, signalsAsTheWorkerRunsThem, input.warmupSeconds);
  const out: SignalsBenchOutput = { signals: [], reference: [], chunks: 0, events: 0 };
  for (const who of ['reference', 'signals', 'signals', 'reference'] as const) {
    out[who].push(round(sessions, who === 'signals' ? signalsAsTheWorkerRunsThem : typedEventsAlone, input.seconds));
  }
  for (const s of sessions.values()) {
    out.chunks += s.length;
    out.events += s.reduce((n, c) => n + c.events.length, 0);
  }
  return out;
}

const input = JSON.parse(process.argv[2] ?? '{}') as SignalsBenchInput;
try {
  const output = main(input);
  process.send!({ ok: true, output }, () => process.exit(0));
} catch (err) {
  process.send!({ ok: false, error: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined }, () => process.exit(1));
}
