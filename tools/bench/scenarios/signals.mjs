// `signals`: events per second one process turns into frustration signals as the worker does (inputs
// per chunk, detection over the session after each chunk), next to the typed-event extraction the
// worker already did; then the time from a batch's 202 to its rage click being listed by the API,
// on the standard shape (api + worker process, PostgreSQL + Redis), idle and under ingest load.
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { childEnv, runChild, startLoupe, startServer, warningsNote } from '../support.mjs';

const WARMUP_SECONDS = 0.5;
const SECONDS = 2;
const REFERENCE = 'analyzeChunk alone (typed events, facts)';
/** Probe visits sent during each latency round, one every `PROBE_EVERY_MS`. */
const PROBE_EVERY_MS = 250;
const ROUND_SECONDS = 40;
/** Background load: recorder-sized batches per second from 32 connections (32 tabs), as real visitors send them. */
const LOADS = [0, 100, 200];
const CONNECTIONS = 32;
const GIVE_UP_MS = 60_000;

const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
const quantile = (xs, q) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const id = () => randomBytes(12).toString('base64url');

async function inProcess(ctx) {
  const out = await runChild(ctx.bundle('signals'), { fixturesDir: ctx.fixturesDir, warmupSeconds: WARMUP_SECONDS, seconds: SECONDS }, { env: childEnv(), timeoutMs: 120_000 });
  const byFixture = (rounds) =>
    Object.keys(rounds[0].byFixture)
      .map((f) => `${f.split('-')[1]} ${Math.round(mean(rounds.map((r) => r.byFixture[f]))).toLocaleString('en-US')}`)
      .join(', ');
  return {
    scenario: 'signals (inputs per chunk + detection per session after each chunk)',
    figure: mean(out.signals.map((r) => r.eventsPerSecond)),
    unit: 'events/s',
    better: 'higher',
    reference: REFERENCE,
    referenceFigure: mean(out.reference.map((r) => r.eventsPerSecond)),
    note: `events/s by recording: ${byFixture(out.signals)} (reference: ${byFixture(out.reference)}); ${out.chunks} recorder-sized chunks, ${out.events} events`,
    details: out,
  };
}

/** One probe: a visit whose only batch holds a rage click. Answers its session id and when it was accepted. */
async function sendProbe(api) {
  const now = Date.now();
  const clicks = [0, 150, 300, 450].map((d, i) => ({
    type: 5,
    timestamp: now - 2000 + d,
    data: { tag: 'loupe.click', payload: { url: 'https://shop.example.com/cart', selector: '#pay', tag: 'button', text: 'Pay', x: 200 + i, y: 300, box: { x: 180, y: 290, width: 60, height: 20 }, viewport: { width: 1280, height: 720 }, document: { width: 1280, height: 2000 }, nodeId: 9 } },
  }));
  const events = [{ type: 5, timestamp: now - 3000, data: { tag: 'loupe.pageview', payload: { url: 'https://shop.example.com/cart', title: 'Cart', referrer: '', navigation: 'load', viewport: { width: 1280, height: 720 } } } }, ...clicks];
  const sessionId = id();
  const body = gzipSync(JSON.stringify({ v: 1, sessionId, visitorId: id(), windowId: id(), seq: 0, batchId: id(), sentAt: now, events }));
  const res = await fetch(`${api.base}/v1/ingest?key=${api.publicKey}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body });
  if (res.status !== 202) throw new Error(`a probe batch was answered ${res.status}: ${await res.text()}`);
  return { sessionId, accepted: performance.now() };
}

/**
 * Watches the API as a person would, with one request every 100 ms whatever the number of probes
 * waiting (one list of the sessions with a rage click, newest first), so that watching does not
 * become the load: ms from each probe's 202 to the list showing it.
 */
async function watch(api, probes, since, stop) {
  const found = new Map();
  for (;;) {
    const res = await fetch(`${api.base}/api/v1/sessions?project=${api.projectId}&signal=rage_click&from=${encodeURIComponent(since)}&limit=200`, { headers: { cookie: api.cookie } });
    const seen = performance.now();
    if (res.ok) {
      for (const s of (await res.json()).sessions) if (!found.has(s.id)) found.set(s.id, seen);
    } else {
      void res.body?.cancel();
    }
    const pending = [...probes.values()].filter((p) => !found.has(p.sessionId));
    if (stop() && (pending.length === 0 || pending.every((p) => seen - p.accepted > GIVE_UP_MS))) break;
    await sleep(100);
  }
  return [...probes.values()].map((p) => (found.has(p.sessionId) ? found.get(p.sessionId) - p.accepted : Infinity));
}

async function latency(ctx) {
  const label = (load) => `rage click queryable after ingest, ${load ? `${load} batches/s of other visits` : 'no other traffic'}`;
  const api = await startLoupe(ctx, { shape: 'server', inlineWorker: false });
  if (api.skipped) return LOADS.map((load) => ({ scenario: label(load), skipped: api.skipped }));
  const { PORT: _port, HOST: _host, ...env } = api.env;
  const worker = startServer(ctx.bundle('apps/worker/main'), [], childEnv({ ...env, LOUPE_WORKER_PORT: '0' }));
  const rows = [];
  try {
    await sleep(2000);
    let idle = null;
    for (const load of LOADS) {
      const background = load
        ? runChild(ctx.bundle('ingest-load'), { fixturesDir: ctx.fixturesDir, connections: CONNECTIONS, rounds: [{ label: 'load', url: `${api.base}/v1/ingest?key=${api.publicKey}`, seconds: ROUND_SECONDS + 5, ratePerSecond: load }] }, { env: childEnv(), timeoutMs: (ROUND_SECONDS + 120) * 1000 })
        : null;
      await sleep(load ? 3000 : 0);
      const probes = new Map();
      const since = new Date(Date.now() - 60_000).toISOString();
      let sending = true;
      const watching = watch(api, probes, since, () => !sending);
      const until = performance.now() + ROUND_SECONDS * 1000;
      while (performance.now() < until) {
        const p = await sendProbe(api);
        probes.set(p.sessionId, p);
        await sleep(PROBE_EVERY_MS);
      }
      sending = false;
      const times = await watching;
      const sent = background ? (await background)[0] : null;
      const lost = times.filter((t) => !Number.isFinite(t)).length;
      const ok = times.filter(Number.isFinite);
      const p50 = quantile(ok, 0.5);
      const p99 = quantile(ok, 0.99);
      idle ??= p99;
      rows.push({
        scenario: label(load),
        figure: p99,
        unit: 'ms p99',
        better: 'lower',
        reference: 'the same with no other traffic',
        referenceFigure: idle,
        note: [
          `p50 ${Math.round(p50)} ms, max ${Math.round(Math.max(...ok))} ms over ${ok.length} probes${lost ? `; ${lost} not found within ${GIVE_UP_MS / 1000} s` : ''}`,
          sent ? `background: ${Math.round(sent.batchesPerSecond)} batches/s, ${Math.round(sent.eventsPerSecond)} events/s accepted, ingest p99 ${sent.p99} ms${sent.refused ? `, ${sent.refused} refused` : ''}` : null,
          warningsNote('the worker', worker.warnings()),
          warningsNote('the api', api.warnings()),
        ]
          .filter(Boolean)
          .join('; '),
      });
    }
  } finally {
    await worker.stop();
    await api.stop();
  }
  return rows;
}

export const signals = {
  name: 'signals',
  describe: `frustration signals as the worker computes them, in one process (${SECONDS} s rounds after ${WARMUP_SECONDS} s of warm-up, mean of two), then ${ROUND_SECONDS} s of probe visits every ${PROBE_EVERY_MS} ms, each with a rage click, timed from its 202 to the sessions list filtered by rage clicks showing it, with ${LOADS.join(', ')} batches/s of other visits (api + worker process, PostgreSQL + Redis)`,
  async run(ctx) {
    return [await inProcess(ctx), ...(await latency(ctx))];
  },
};
