import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { IngestBatch, LoupePayloads, LoupeTag, RecordedEvent } from '@loupe/contracts/recording';
// The SDK never imports a server; its tests need one to stand in for the page's site and the ingest endpoint.
// eslint-disable-next-line @nx/enforce-module-boundaries
import Fastify from 'fastify';

const root = fileURLToPath(new URL('../../../', import.meta.url));

type BuildSdk = (o: { root: string; outDir: string; quiet: boolean }) => Promise<{ minified: number; gzip: number }>;

/** The build script is plain JavaScript without types; this is the part of it the tests use. */
async function buildSdk(o: Parameters<BuildSdk>[0]) {
  const mod = (await import(new URL('../../../tools/build-sdk.mjs', import.meta.url).href)) as { buildSdk: BuildSdk };
  return mod.buildSdk(o);
}

export interface Received {
  status: number;
  contentType: string;
  /** Decompressed JSON of the body, for searching what left the browser. */
  json: string;
  batch: IngestBatch;
  duplicate: boolean;
  /** Compressed size. */
  bytes: number;
  /** When the answer was given (ms since epoch). */
  at: number;
}

export interface PageOptions {
  /** Options given to `Loupe.init`; null loads the SDK without starting it. */
  init?: Record<string, unknown> | null;
  /** Script run before the SDK loads. */
  before?: string;
}

/**
 * A site serving a test page and the freshly built SDK, and an ingest receiver that gunzips and keeps
 * every batch. The page is served as http://localhost:<port> and the receiver addressed as
 * http://127.0.0.1:<port>, so the SDK talks to a cross-origin endpoint as it does in real life.
 */
export async function startHarness() {
  const outDir = mkdtempSync(join(tmpdir(), 'loupe-sdk-'));
  await buildSdk({ root, outDir, quiet: true });
  const sdk = readFileSync(join(outDir, 'loupe.js'), 'utf8');
  rmSync(outDir, { recursive: true, force: true });

  const received: Received[] = [];
  const accepted = new Set<string>();
  const control = { plan: [] as number[], fail: 0 as number, delayMs: 0, retryAfter: undefined as string | undefined, config: null as Record<string, unknown> | null };
  const pages = new Map<string, PageOptions>();

  const app = Fastify({ bodyLimit: 2 * 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.options('/v1/ingest', async (_req, reply) =>
    reply.code(204).headers({ 'access-control-allow-origin': '*', 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type', 'access-control-max-age': '600' }).send(),
  );
  app.post('/v1/ingest', async (req, reply) => {
    reply.headers({ 'access-control-allow-origin': '*', 'access-control-expose-headers': 'retry-after' });
    const json = gunzipSync(req.body as Buffer).toString('utf8');
    const batch = JSON.parse(json) as IngestBatch;
    const contentType = String(req.headers['content-type'] ?? '');
    if (control.delayMs) await new Promise((r) => setTimeout(r, control.delayMs));
    const planned = control.plan.shift() ?? control.fail;
    if (planned) {
      received.push({ status: planned, contentType, json, batch, duplicate: false, bytes: (req.body as Buffer).length, at: Date.now() });
      if (control.retryAfter) reply.header('retry-after', control.retryAfter);
      return reply.code(planned).send({ error: 'planned failure' });
    }
    const id = `${batch.sessionId}/${batch.windowId}/${batch.seq}`;
    const duplicate = accepted.has(id);
    accepted.add(id);
    received.push({ status: 202, contentType, json, batch, duplicate, bytes: (req.body as Buffer).length, at: Date.now() });
    return reply.code(202).send({ accepted: true, duplicate });
  });
  // The project's SDK configuration, when a test sets one; otherwise the SDK goes on without it.
  app.get('/v1/config', async (_req, reply) => {
    reply.header('access-control-allow-origin', '*');
    return control.config ? reply.send(control.config) : reply.code(404).send({ error: 'no configuration' });
  });
  app.get('/sdk/loupe.js', async (_req, reply) => reply.type('text/javascript').send(sdk));
  app.get('/app.js', async (_req, reply) =>
    reply.type('text/javascript').send(["function explode() { throw new Error('boom-uncaught'); }", "function rejectLater() { Promise.reject(new Error('boom-rejected')); }", ''].join('\n')),
  );
  app.get('/*', async (req, reply) => {
    const opts = pages.get(new URL(req.url, 'http://x').searchParams.get('p') ?? '') ?? {};
    return reply.type('text/html').send(page(opts));
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  const site = `http://localhost:${port}`;
  let pageCount = 0;

  function page(opts: PageOptions): string {
    const init = opts.init === null ? '' : `Loupe.init(${JSON.stringify({ key: 'pk_test', endpoint, ...opts.init })});`;
    return `<!doctype html>
<html><head><meta charset="utf-8"><title>Loupe test shop</title>
<style>body { margin: 0; font: 16px sans-serif } button { margin: 4px } .tall { height: 1800px }</style></head>
<body>
<h1 id="heading">Test shop</h1>
<form onsubmit="return false">
  <label>Name <input id="name" name="name"></label>
  <label>Password <input id="password" type="password"></label>
  <label>Notes <input id="ignored" data-loupe-ignore></label>
  <label>Card <input id="card" data-loupe-mask></label>
</form>
<p id="secret" data-loupe-mask>Secret Person Name</p>
<div id="blocked" data-loupe-block><span>Blocked Content XYZ</span><button id="blocked-button">Blocked button</button></div>
<button data-testid="buy">Buy now</button>
<ul><li><a href="#one">One</a></li><li><a href="#two">Two</a></li><li><span>Three <b>bold</b></span></li></ul>
<button id="counter" onclick="this.textContent = String(Number(this.textContent) + 1)">0</button>
<button id="explode" onclick="setTimeout(explode)">Explode</button>
<div class="tall"></div>
<button id="far">Far below</button>
<script src="/app.js"></script>
<script>${opts.before ?? ''}</script>
<script src="/sdk/loupe.js"></script>
<script>${init}</script>
</body></html>`;
  }

  const ok = () => received.filter((r) => r.status === 202 && !r.duplicate);
  const events = (): Array<RecordedEvent & { batch: IngestBatch }> => ok().flatMap((r) => r.batch.events.map((e) => ({ ...e, batch: r.batch })));

  return {
    site,
    endpoint,
    received,
    control,
    /** A URL of the test page whose SDK starts with these options. */
    url(opts: PageOptions = {}, path = '/shop'): string {
      const id = String(++pageCount);
      pages.set(id, opts);
      return `${site}${path}?p=${id}`;
    },
    events,
    /** Payloads of Loupe's custom events with this tag, from accepted batches. */
    custom<T extends LoupeTag>(tag: T): Array<LoupePayloads[T]> {
      return events()
        .filter((e) => e.type === 5 && (e.data as { tag?: string }).tag === tag)
        .map((e) => (e.data as { payload: LoupePayloads[T] }).payload);
    },
    /** Everything that reached the receiver, accepted or not. */
    allJson: () => received.map((r) => r.json).join('\n'),
    reset() {
      received.length = 0;
      accepted.clear();
      Object.assign(control, { plan: [], fail: 0, delayMs: 0, retryAfter: undefined, config: null });
    },
    async waitFor<T>(what: string, check: () => T | undefined | false | null | Promise<T | undefined | false | null>, timeoutMs = 15_000): Promise<T> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const v = await check();
        if (v) return v;
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => app.close(),
  };
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

export interface PageWatch {
  /** The SDK's own console warnings. */
  warnings: string[];
  /** Uncaught errors of the page (the test page throws some on purpose). */
  errors: string[];
}

export function watch(page: Page): PageWatch {
  const w: PageWatch = { warnings: [], errors: [] };
  page.on('console', (m) => m.type() === 'warning' && m.text().startsWith('Loupe:') && w.warnings.push(m.text()));
  page.on('pageerror', (e) => w.errors.push(e.message));
  return w;
}

/**
 * One receiver and one Chromium for a test file, and a fresh browser context (fresh storage) with
 * one page for each test. The spec passes `launchBrowser` in: only spec files may reach into tools/.
 */
export function useRecorderPages(launchBrowser: () => Promise<Browser>) {
  const s = {} as { h: Harness; browser: Browser; context: BrowserContext; page: Page; seen: PageWatch };
  beforeAll(async () => {
    s.h = await startHarness();
    s.browser = await launchBrowser();
  });
  afterAll(async () => {
    await s.browser?.close();
    await s.h?.close();
  });
  beforeEach(async () => {
    s.h.reset();
    s.context = await s.browser.newContext({ viewport: { width: 1280, height: 800 } });
    s.page = await s.context.newPage();
    s.page.setDefaultTimeout(10_000);
    s.seen = watch(s.page);
  });
  afterEach(async () => {
    await s.context?.close();
  });
  return s;
}

/** `Loupe.flush()` in the page, resolving to how it ended. */
export function flush(page: Page): Promise<string> {
  return page.evaluate(() => (window.Loupe ? window.Loupe.flush() : Promise.reject(new Error('no window.Loupe'))).then(
    () => 'resolved',
    (e: Error) => `rejected: ${e.message}`,
  ));
}
