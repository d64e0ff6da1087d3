import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import type { IngestBatch } from '@loupe/contracts/recording';
import { batchJson, fixture, newId, rebase, recorderBatches, type FixtureName } from '../bench/processes/shared/recordings';

export const ADMIN = { email: 'first-admin@test.loupe', password: 'first-admin-password' };
const FIXTURES_DIR = new URL('../../../shared/fixtures/rrweb/', import.meta.url).pathname;

/** Builds dist/ once when a test file starts on a tree that was never built. */
export async function ensureBuilt(): Promise<void> {
  if (existsSync('dist/apps/api/main.js') && existsSync('dist/apps/worker/main.js')) return;
  const script = '../build.mjs';
  await ((await import(script)) as { buildAll: (o: { quiet: boolean }) => Promise<void> }).buildAll({ quiet: true });
}

/** A database of its own on the test server, so that the first start finds it empty; dropped by `drop()`. */
export async function freshDatabase(serverUrl: string, label: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `loupe_test_${label}_${randomUUID().slice(0, 8)}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  return { url: Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString(), name, drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export interface LoupeChild {
  child: ChildProcess;
  /** The api's base URL, or the worker's health and metrics URL. */
  url: string;
  output(): string;
  exited(): boolean;
  /** Sends `signal` and resolves with the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The environment both kinds of process share: one database, one queue, warnings and errors logged. */
export function clusterEnv(databaseUrl: string, redisUrl: string | null, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: databaseUrl,
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    LOUPE_QUEUE_PREFIX: `c${randomUUID().slice(0, 8)}`,
    LOUPE_ADMIN_EMAIL: ADMIN.email,
    LOUPE_ADMIN_PASSWORD: ADMIN.password,
    LOUPE_LOG_LEVEL: 'warn',
    LOUPE_INLINE_WORKER: 'false',
    HOST: '127.0.0.1',
    PORT: '0',
    LOUPE_WORKER_PORT: '0',
    // Every request of these tests comes from one address and a few accounts.
    LOUPE_RATE_LIMIT_API: '1000000',
    LOUPE_RATE_LIMIT_INGEST_CLIENT: '1000000',
    LOUPE_RATE_LIMIT_LOGIN: '1000000',
    ...extra,
  };
}

function startChild(script: string, env: Record<string, string>, ready: RegExp, what: string): Promise<LoupeChild> {
  const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within 90 s:\n${out}`)), 90_000);
    const check = () => {
      const m = ready.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve({
        child,
        url: m[1]!,
        output: () => out,
        exited: () => child.exitCode !== null || child.signalCode !== null,
        stop: (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exit;
        },
      });
    };
    child.stdout!.on('data', check);
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready:\n${out}`));
    });
  });
}

export const startApi = (env: Record<string, string>) => startChild('dist/apps/api/main.js', env, /Console:\s+(http:\/\/\S+?)\/?\s/, 'the api');
export const startWorker = (env: Record<string, string>) => startChild('dist/apps/worker/main.js', env, /Health and metrics: (http:\/\/\S+?)\/healthz/, 'a worker');

export async function login(base: string, user = ADMIN): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) });
  if (res.status !== 200) throw new Error(`login answered ${res.status}: ${await res.text()}`);
  return res.headers.getSetCookie()[0]!.split(';')[0]!;
}

export async function defaultProject(base: string, cookie: string): Promise<{ id: string; publicKey: string }> {
  const { projects } = (await (await fetch(`${base}/api/v1/projects`, { headers: { cookie } })).json()) as { projects: Array<{ id: string; publicKey: string }> };
  return projects[0]!;
}

export interface PreparedBatch {
  sessionId: string;
  seq: number;
  body: Buffer;
}

/**
 * Visits of the real recordings cut as the recorder cuts them (5 s flushes, size limits), each
 * batch gzipped once: the same bytes can be sent to several installs.
 */
export function prepareVisits(count: number): PreparedBatch[][] {
  const names: FixtureName[] = ['demoit-desktop-81s', 'smartx-mobile-166s'];
  const cut = names.map((n) => recorderBatches(rebase(fixture(FIXTURES_DIR, n), Date.now() - 60_000)));
  return Array.from({ length: count }, (_, i) => {
    const ids = { sessionId: newId(), visitorId: newId(), windowId: 'main' };
    return cut[i % 2]!.map((events, seq) => {
      const b: IngestBatch = { v: 1, ...ids, seq, batchId: newId(), sentAt: Date.now(), events };
      return { sessionId: ids.sessionId, seq, body: gzipSync(batchJson(b)) };
    });
  });
}

export async function postBatch(base: string, key: string, batch: PreparedBatch): Promise<number> {
  const res = await fetch(`${base}/v1/ingest?key=${key}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(batch.body) });
  await res.arrayBuffer();
  return res.status;
}

/** Runs `fn` on every item with at most `concurrency` at a time. */
export async function inParallel<T>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

export async function query<T = Record<string, unknown>>(databaseUrl: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Chunks stored and not yet processed. */
/** Chunks not processed yet, and sessions whose last chunks are not analysed yet: 0 when the work is done. */
export const unprocessed = async (databaseUrl: string) =>
  Number(
    (
      await query<{ n: number }>(
        databaseUrl,
        `SELECT (SELECT count(*) FROM recording_chunk WHERE processed_at IS NULL)
              + (SELECT count(*) FROM session WHERE facts_changed_at IS NOT NULL AND (analysed_at IS NULL OR analysed_at < facts_changed_at)) AS n`,
      )
    )[0]!.n,
  );

/** Typed events stored more than once for the same chunk position: must stay empty. */
export const duplicatedEvents = (databaseUrl: string) =>
  query(databaseUrl, 'SELECT session_id, window_id, seq, idx, count(*)::int AS n FROM session_event GROUP BY 1, 2, 3, 4 HAVING count(*) > 1 LIMIT 5');

/** What a person sees of each session, minus the ids and clocks of the install that computed it. */
export async function sessionSummaries(databaseUrl: string): Promise<Record<string, unknown>[]> {
  const rows = await query(databaseUrl, 'SELECT * FROM session ORDER BY id');
  return rows.map((r) => {
    // When batches arrived and were analysed is the install's own clock, not the visit's.
    const { project_id: _p, created_at: _c, updated_at: _u, last_received_at: _r, facts_changed_at: _f, analysed_at: _a, ended_at: _e, ...rest } = r;
    return rest;
  });
}

/** Every frustration signal and page view, as the session analysis wrote them, minus the project id. */
export async function analysisRows(databaseUrl: string): Promise<{ signals: Record<string, unknown>[]; pageViews: Record<string, unknown>[] }> {
  const strip = (rows: Record<string, unknown>[]) => rows.map(({ project_id: _p, ...rest }) => rest);
  return {
    signals: strip(await query(databaseUrl, 'SELECT * FROM session_signal ORDER BY session_id, idx')),
    pageViews: strip(await query(databaseUrl, 'SELECT * FROM page_view ORDER BY session_id, idx')),
  };
}

/** Every typed event, as positions in their chunks, minus the install's project id. */
export const typedEvents = (databaseUrl: string) =>
  query(databaseUrl, 'SELECT session_id, window_id, seq, idx, ts, kind, url, name, selector, text, x, y, props FROM session_event ORDER BY session_id, window_id, seq, idx');
