import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordedEvent } from '@loupe/contracts/recording';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from '../../../tools/testing/browser';
import { batches, fixture, gz, longRecording as longRecordingOf, newId, rebase } from '../../../tools/testing/recordings';
import { isCI } from '../../../tools/testing/services';
import { seedAccount, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';
import { root, startConsoleServer } from '../../../tools/testing/console-build';

const MINUTE = 60_000;
const PHONE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1';

interface Detail {
  session: { id: string; processed: boolean; durationMs: number; device: string | null };
  events: Array<{ kind: string; ts: string }>;
  chunks: Array<{ seq: number; fullSnapshots: number[] }>;
}

interface ProbeState {
  status: string;
  time: number;
  duration: number;
  loadedChunks: number;
  totalChunks: number;
}

const longRecording = (minutes: number, start: number) => longRecordingOf(fixture('demoit-desktop-81s'), minutes, start);

/** The desktop recording with what a page's console and Loupe's SDK would have added to it. */
function withConsole(): RecordedEvent[] {
  const events = fixture('demoit-desktop-81s');
  const at = (s: number) => events[0]!.timestamp + s * 1000;
  const log = (s: number, level: string, text: string) => ({ type: 6, timestamp: at(s), data: { plugin: 'rrweb/console@1', payload: { level, payload: [JSON.stringify(text)], trace: ['at render (app.js:12:5)'] } } });
  const added: RecordedEvent[] = [
    log(5, 'warn', 'Deprecated API used'),
    log(6, 'log', 'just chatter'),
    log(20, 'error', 'Failed to fetch /api/cart'),
    { type: 5, timestamp: at(30), data: { tag: 'loupe.error', payload: { kind: 'error', message: 'TypeError: cart is undefined', stack: 'TypeError: cart is undefined\n    at checkout (app.js:40:3)', url: 'https://demoit.app/e/react' } } },
    { type: 5, timestamp: at(40), data: { tag: 'loupe.track', payload: { name: 'signup_clicked', props: {} } } },
  ];
  return [...events, ...added].sort((a, b) => a.timestamp - b.timestamp);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe.skipIf(!browserAvailable() && !isCI)('the Sessions page and the player in Chromium', () => {
  let api: TestApi;
  let account: SeededAccount;
  let base: string;
  let cookie: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const ids = { desktop: '', mobile: '', phone: '', noisy: '', long30: '', long60: '' };

  const sessionsPath = () => `/p/${account.project.id}/sessions`;
  const probe = (p: Page = page) => p.evaluate(() => window.__loupePlayer!.state()) as Promise<ProbeState>;
  const rows = () => page.locator('.sessions-table tbody tr');
  /** The sessions listed for the filters in the URL; null while the list is still the one before. */
  const listed = (p: Page = page) =>
    p.evaluate(() => {
      const results = document.querySelector<HTMLElement>('.session-results');
      if (!results || results.getAttribute('aria-busy') === 'true' || results.dataset['query'] !== window.location.search.slice(1)) return null;
      return [...results.querySelectorAll('.sessions-table tbody tr')].map((tr) => tr.getAttribute('data-session-id'));
    });

  async function apiGet<T>(path: string): Promise<T> {
    const res = await fetch(`${base}${path}`, { headers: { cookie } });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  async function importRecording(events: RecordedEvent[]): Promise<string> {
    const res = await fetch(`${base}/api/v1/sessions/import?project=${account.project.id}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify(events),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { sessionId: string }).sessionId;
  }

  /** Sends a recording as the SDK does, batch by batch, from a browser with `userAgent`. */
  async function ingest(parts: RecordedEvent[][], userAgent: string): Promise<string> {
    const session = { sessionId: newId(), visitorId: newId() };
    const windowId = newId();
    for (const [seq, events] of parts.entries()) {
      const body = gz({ v: 1, ...session, windowId, seq, batchId: newId(), sentAt: Date.now(), events });
      const res = await fetch(`${base}/v1/ingest?key=${account.project.publicKey}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'user-agent': userAgent }, body });
      if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
    }
    return session.sessionId;
  }

  async function waitProcessed(sessionId: string, timeoutMs: number): Promise<Detail> {
    const started = Date.now();
    for (;;) {
      const detail = await apiGet<Detail>(`/api/v1/sessions/${sessionId}?project=${account.project.id}`).catch(() => null);
      if (detail?.session.processed) return detail;
      if (Date.now() - started > timeoutMs) throw new Error(`session ${sessionId} was not processed within ${timeoutMs} ms`);
      // Not more often: on the embedded database every query of the test competes with the worker's.
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** Opens a replay as a shared link would (a full page load) and waits for its first frame. */
  async function openPlayer(sessionId: string, query = '', p: Page = page) {
    await p.goto(`${sessionsPath()}/${sessionId}${query}`);
    await p.waitForFunction(() => window.__loupePlayer?.firstFrameAt != null, null, { timeout: 20_000 });
    return p.evaluate(() => ({ firstFrameAt: window.__loupePlayer!.firstFrameAt!, openedAt: window.__loupePlayer!.openedAt }));
  }

  beforeAll(async () => {
    ({ api, base } = await startConsoleServer());
    account = await seedAccount(api);
    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: account.email, password: account.password }) });
    cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;

    ids.desktop = await importRecording(fixture('demoit-desktop-81s'));
    ids.mobile = await importRecording(fixture('smartx-mobile-166s'));
    // Imports carry no user agent; the same phone visit sent by the SDK is how a device gets known.
    ids.phone = await ingest(
      batches(rebase(fixture('smartx-mobile-166s')), 200).map((b) => b.events),
      PHONE_UA,
    );
    ids.noisy = await importRecording(withConsole());
    for (const id of [ids.desktop, ids.mobile, ids.phone, ids.noisy]) await waitProcessed(id, 120_000);

    browser = await launchBrowser();
    context = await browser.newContext({ baseURL: base, viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(sessionsPath());
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`**${sessionsPath()}`);
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await api?.close();
  });

  it('lists the recorded sessions, newest first, with their numbers', async () => {
    await page.locator(`[data-session-id="${ids.desktop}"]`).waitFor();
    await page.locator(`[data-session-id="${ids.mobile}"]`).waitFor();
    const desktop = page.locator(`[data-session-id="${ids.desktop}"]`);
    expect(await desktop.textContent()).toContain('demoit.app/e/react#ReactHooks.js');
    expect(await desktop.textContent()).toContain('1 min 21 s');
    expect(await page.locator('.snippet-code').count()).toBe(0);
  });

  it('filters by device through the page URL, so the filtered view can be shared', async () => {
    await page.getByLabel('Device').selectOption('mobile');
    await page.waitForURL((url) => url.searchParams.get('device') === 'mobile');
    // The phone visit; the import of the same recording has no user agent, so it may have no device.
    await expect.poll(() => listed()).toContain(ids.phone);
    const shown = (await listed())!;
    expect(shown.every((id) => id === ids.phone || id === ids.mobile)).toBe(true);

    // The same link in another tab shows the same filtered list.
    const other = await context.newPage();
    try {
      await other.goto(page.url());
      await expect.poll(() => listed(other)).toEqual(shown);
      expect(await other.getByLabel('Device').inputValue()).toBe('mobile');
    } finally {
      await other.close();
    }

    await page.getByLabel('Errors').selectOption('true');
    await page.waitForURL((url) => url.searchParams.get('hasError') === 'true');
    await page.getByRole('heading', { name: 'No sessions match these filters' }).waitFor();
    await page.getByLabel('Device').selectOption('');
    await expect.poll(() => listed()).toEqual([ids.noisy]);
    expect(await rows().first().locator('.badge-danger').textContent()).toMatch(/^\d+ errors?$/);

    await page.getByLabel('Device').selectOption('mobile');
    await page.getByLabel('Errors').selectOption('');
    await page.getByLabel('Page URL contains').fill('demoit');
    await page.waitForURL((url) => url.searchParams.get('url') === 'demoit');
    await page.getByRole('heading', { name: 'No sessions match these filters' }).waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await page.waitForURL((url) => url.search === '');
    await expect.poll(async () => (await listed())?.length).toBe(4);
  });

  it('opens a session from its row, and the player draws the recorded page in a sandboxed frame', async () => {
    // Anywhere on the row opens it: the mouse goes to the entry-page cell, not to the link's text.
    const cell = (await page.locator(`[data-session-id="${ids.desktop}"] td`).nth(2).boundingBox())!;
    await page.mouse.click(cell.x + cell.width / 2, cell.y + cell.height / 2);
    await page.waitForURL(`**${sessionsPath()}/${ids.desktop}`);
    await page.waitForFunction(() => window.__loupePlayer?.firstFrameAt != null);
    const frame = await page.evaluate(() => {
      const iframe = document.querySelector<HTMLIFrameElement>('.player-frame iframe')!;
      return { sandbox: iframe.getAttribute('sandbox'), text: iframe.contentDocument?.body?.innerText ?? '', nodes: iframe.contentDocument?.querySelectorAll('*').length ?? 0 };
    });
    expect(frame.sandbox).toBe('allow-same-origin');
    expect(frame.nodes).toBeGreaterThan(50);
    expect(frame.text).toContain('ReactHooks.js');

    const shot = await page.locator('.player-stage').screenshot();
    const colours = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const { data } = ctx.getImageData(0, 0, img.width, img.height);
      const seen = new Set<number>();
      for (let i = 0; i < data.length; i += 4 * 7) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      return seen.size;
    }, shot.toString('base64'));
    expect(colours).toBeGreaterThan(10);

    expect(await page.getByTestId('player-url').textContent()).toBe('https://demoit.app/e/react#ReactHooks.js');
    await expect.poll(async () => (await probe()).duration).toBe(81_080);
  });

  it('marks clicks on the timeline and jumps to an event picked in the list', async () => {
    expect(await page.locator('.timeline [data-kind="click"]').count()).toBe(3);
    expect(await page.locator('.timeline [data-kind="pageview"]').count()).toBe(1);

    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(async () => (await probe()).status).toBe('paused');
    const last = page.locator('.event-item').last();
    expect(await last.textContent()).toContain('1:10');
    await last.click();
    await expect.poll(async () => Math.round((await probe()).time / 100)).toBe(Math.round(70_966 / 100));
    expect(await last.getAttribute('aria-current')).toBe('true');
    expect(await page.getByTestId('player-time').textContent()).toBe('1:10');
  });

  it('plays and pauses with the space bar and steps with the arrow keys', async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    expect((await probe()).status).toBe('paused');
    await page.keyboard.press('Space');
    await expect.poll(async () => (await probe()).status).toBe('playing');
    await page.keyboard.press('Space');
    await expect.poll(async () => (await probe()).status).toBe('paused');

    const before = (await probe()).time;
    await page.keyboard.press('ArrowLeft');
    await expect.poll(async () => Math.round(before - (await probe()).time)).toBe(5000);

    // Space on a focused button is that button's, as everywhere on the web.
    await page.getByRole('button', { name: '2×' }).focus();
    await page.keyboard.press('Space');
    expect(await page.getByRole('button', { name: '2×' }).getAttribute('aria-pressed')).toBe('true');
    expect((await probe()).status).toBe('paused');

    mkdirSync(join(root, 'tmp'), { recursive: true });
    await page.screenshot({ path: join(root, 'tmp/player.png') });
  });

  it('shows console warnings and errors, and errors and custom events on the timeline', async () => {
    await openPlayer(ids.noisy);
    const markers = page.locator('.timeline .marker');
    await expect.poll(() => markers.evaluateAll((ms) => ms.map((m) => m.getAttribute('data-kind')))).toEqual(['error', 'error', 'custom']);
    await page.getByRole('tab', { name: /Console/ }).click();
    const entries = page.locator('.console-item');
    await expect.poll(() => entries.count()).toBe(3);
    const texts = await entries.evaluateAll((items) => items.map((i) => [...i.children].map((c) => c.textContent).join(' | ')));
    expect(texts).toEqual([
      'Warning | Deprecated API used | 0:05 | at render (app.js:12:5)',
      'Error | Failed to fetch /api/cart | 0:20 | at render (app.js:12:5)',
      'Uncaught | TypeError: cart is undefined | 0:30 | at checkout (app.js:40:3)',
    ]);
    await page.getByRole('button', { name: 'Pause' }).click();
    await entries.nth(2).click();
    await expect.poll(async () => Math.round((await probe()).time)).toBe(30_000);
  });

  it(
    'opens a 30-minute recording about as fast as a 1-minute one, and seeks 45 minutes into an hour-long one quickly',
    async () => {
      const now = Date.now();
      ids.long30 = await importRecording(longRecording(30, now - 32 * MINUTE));
      ids.long60 = await importRecording(longRecording(60, now - 62 * MINUTE));
      const d30 = await waitProcessed(ids.long30, 180_000);
      const d60 = await waitProcessed(ids.long60, 180_000);
      expect(d30.session.durationMs).toBeGreaterThan(29 * MINUTE);
      expect(d60.session.durationMs).toBeGreaterThan(59 * MINUTE);
      expect(d60.chunks.flatMap((c) => c.fullSnapshots).length).toBe(20);

      const firstFrames: Record<'1min' | '30min', { fromNavigation: number[]; fromPlayer: number[] }> = {
        '1min': { fromNavigation: [], fromPlayer: [] },
        '30min': { fromNavigation: [], fromPlayer: [] },
      };
      for (let round = 0; round < 3; round++) {
        for (const [name, id] of [
          ['1min', ids.desktop],
          ['30min', ids.long30],
        ] as const) {
          const { firstFrameAt, openedAt } = await openPlayer(id);
          firstFrames[name].fromNavigation.push(Math.round(firstFrameAt));
          firstFrames[name].fromPlayer.push(Math.round(firstFrameAt - openedAt));
        }
      }

      // Seek far ahead right after the first frame, while the chunks there are not loaded yet.
      await openPlayer(ids.long60);
      const seek = await page.evaluate(async () => {
        const player = window.__loupePlayer!;
        const loadedBefore = player.state().loadedChunks;
        const ms = await player.seek(45 * 60_000);
        return { ms, loadedBefore, state: player.state() };
      });
      const text = await page.evaluate(() => document.querySelector<HTMLIFrameElement>('.player-frame iframe')?.contentDocument?.body?.innerText ?? '');
      expect(text).toContain('ReactHooks.js');
      expect(Math.abs(seek.state.time - 45 * MINUTE)).toBeLessThan(1000);

      // And opening a link that starts there.
      const at45 = await openPlayer(ids.long60, `?t=${45 * MINUTE}`);
      const at45State = await probe();
      expect(Math.abs(at45State.time - 45 * MINUTE)).toBeLessThan(5000);

      const report = {
        firstFrameMs: Object.fromEntries(
          Object.entries(firstFrames).map(([k, v]) => [k, { fromNavigation: v.fromNavigation, medianFromNavigation: median(v.fromNavigation), fromPlayerOpen: v.fromPlayer, medianFromPlayerOpen: median(v.fromPlayer) }]),
        ),
        ratio30to1: +(median(firstFrames['30min'].fromNavigation) / median(firstFrames['1min'].fromNavigation)).toFixed(2),
        chunks: { '1min': 1, '30min': d30.chunks.length, '60min': d60.chunks.length },
        seekTo45minIn60minMs: Math.round(seek.ms),
        chunksLoadedBeforeSeek: `${seek.loadedBefore} of ${seek.state.totalChunks}`,
        openAt45minFirstFrameMs: { fromNavigation: Math.round(at45.firstFrameAt), fromPlayerOpen: Math.round(at45.firstFrameAt - at45.openedAt) },
      };
      console.log(`player timings: ${JSON.stringify(report, null, 2)}`);

      // Generous bounds: a loaded machine must not make this flaky; the figures above are the measure.
      for (const v of [...firstFrames['1min'].fromNavigation, ...firstFrames['30min'].fromNavigation]) expect(v).toBeLessThan(5000);
      expect(seek.ms).toBeLessThan(5000);
      expect(at45.firstFrameAt).toBeLessThan(5000);
    },
    420_000,
  );

  it('raised no script errors along the way', () => {
    expect(pageErrors).toEqual([]);
  });
});
