// Runs in a child process of the harness: imports long synthetic recordings into a running api,
// waits until they are processed, and times the console's player in headless Chromium: the first
// frame of a 1-minute and a 30-minute recording, and a seek 45 minutes into an hour-long one.
import type { Browser, Page } from 'playwright-core';
import { chromiumPath, launchBrowser } from '../../testing/browser';
import { fixture, longRecording } from './shared/recordings';

export interface ReplayInput {
  fixturesDir: string;
  base: string;
  projectId: string;
  /** The admin's session cookie, `name=value`. */
  cookie: string;
  /** Opens of each kind measured, after one of each to warm up. */
  rounds: number;
  processTimeoutMs: number;
}

interface Open {
  /** From the start of navigation to the first frame on screen: what someone opening a link waits. */
  firstFrameMs: number;
  /** From the player page's own start (the console loaded) to the first frame. */
  fromPlayerMs: number;
}

interface Seek extends Open {
  seekMs: number;
  /** Where the player was once the seek resolved, to check it went where asked. */
  landedAt: number;
}

export interface ReplayOutput {
  sessions: Record<'1min' | '30min' | '60min', { id: string; chunks: number; events: number; jsonBytes: number; processedInMs: number }>;
  firstFrame: Record<'1min' | '30min', Open[]>;
  seek: Record<'1min' | '60min', Seek[]>;
  targets: Record<'1min' | '60min', number>;
  pageErrors: string[];
}

const MINUTE = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function api<T>(input: ReplayInput, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${input.base}${path}`, { ...init, headers: { cookie: input.cookie, ...(init.headers as Record<string, string>) } });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as T;
}

async function importAndWait(input: ReplayInput, minutes: number) {
  const now = Date.now();
  const events = longRecording(fixture(input.fixturesDir, 'demoit-desktop-81s'), minutes, now - (minutes + 2) * MINUTE);
  const body = JSON.stringify(events);
  const started = performance.now();
  const { sessionId } = await api<{ sessionId: string }>(input, `/api/v1/sessions/import?project=${input.projectId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const deadline = Date.now() + input.processTimeoutMs;
  for (;;) {
    const detail = await api<{ session: { processed: boolean; durationMs: number }; chunks: unknown[] }>(input, `/api/v1/sessions/${sessionId}?project=${input.projectId}`);
    if (detail.session.processed) {
      if (detail.session.durationMs < (minutes - 1) * MINUTE) throw new Error(`the ${minutes}-minute recording came out ${Math.round(detail.session.durationMs / 1000)} s long`);
      return { id: sessionId, chunks: detail.chunks.length, events: events.length, jsonBytes: body.length, processedInMs: Math.round(performance.now() - started) };
    }
    if (Date.now() > deadline) throw new Error(`the ${minutes}-minute recording was not processed within ${input.processTimeoutMs / 1000} s`);
    await sleep(250);
  }
}

/**
 * Opens a session as a shared link opened in a fresh browser profile: nothing cached, neither the
 * console nor the recording (its chunks are sent `immutable`, so a second open would hit the cache).
 */
async function open(browser: Browser, input: ReplayInput, sessionId: string, pageErrors: string[], then?: (page: Page) => Promise<Partial<Seek>>): Promise<Seek> {
  const context = await browser.newContext({ baseURL: input.base, viewport: { width: 1400, height: 900 } });
  try {
    const [name, ...value] = input.cookie.split('=');
    await context.addCookies([{ name: name!, value: value.join('='), url: input.base }]);
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`/p/${input.projectId}/sessions/${sessionId}`);
    await page.waitForFunction(() => window.__loupePlayer?.firstFrameAt != null, null, { timeout: 30_000 });
    const { firstFrameAt, openedAt } = await page.evaluate(() => ({ firstFrameAt: window.__loupePlayer!.firstFrameAt!, openedAt: window.__loupePlayer!.openedAt }));
    const extra = then ? await then(page) : {};
    return { firstFrameMs: firstFrameAt, fromPlayerMs: firstFrameAt - openedAt, seekMs: NaN, landedAt: NaN, ...extra };
  } finally {
    await context.close();
  }
}

/** Seeks right after the first frame, while the chunks around the target are not loaded yet. */
const seekTo = (target: number) => async (page: Page) =>
  page.evaluate(async (ms) => {
    const player = window.__loupePlayer!;
    const seekMs = await player.seek(ms);
    return { seekMs, landedAt: player.state().time };
  }, target);

async function main(input: ReplayInput): Promise<ReplayOutput | { skipped: string }> {
  if (!chromiumPath()) return { skipped: 'Chromium is not installed (apt-get install -y chromium, or set CHROMIUM_PATH)' };
  const sessions = { '1min': await importAndWait(input, 1), '30min': await importAndWait(input, 30), '60min': await importAndWait(input, 60) };
  const targets = { '1min': 45_000, '60min': 45 * MINUTE };
  const pageErrors: string[] = [];
  const browser = await launchBrowser();
  try {
    const firstFrame: ReplayOutput['firstFrame'] = { '1min': [], '30min': [] };
    const seek: ReplayOutput['seek'] = { '1min': [], '60min': [] };
    // Warm-up: Chromium's first page and the api's first requests are slower than any after them.
    for (const id of [sessions['1min'].id, sessions['30min'].id]) await open(browser, input, id, pageErrors);
    // The shorter recording is the reference: it opens first and last, so drift weighs on both alike.
    const order = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? ['ref', 'loupe'] : ['loupe', 'ref'])).flat() as Array<'ref' | 'loupe'>;
    for (const who of order(input.rounds)) {
      const key = who === 'ref' ? '1min' : '30min';
      firstFrame[key].push(await open(browser, input, sessions[key].id, pageErrors));
    }
    for (const who of order(input.rounds)) {
      const key = who === 'ref' ? '1min' : '60min';
      seek[key].push(await open(browser, input, sessions[key].id, pageErrors, seekTo(targets[key])));
    }
    return { sessions, firstFrame, seek, targets, pageErrors };
  } finally {
    await browser.close();
  }
}

const input = JSON.parse(process.argv[2] ?? '{}') as ReplayInput;
main(input).then(
  (output) => process.send!({ ok: true, output }, () => process.exit(0)),
  (err: unknown) => process.send!({ ok: false, error: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined }, () => process.exit(1)),
);
