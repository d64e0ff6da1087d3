// What scenarios share: child processes with deadlines, loopback ports, and throw-away stores and
// names that the harness creates and removes itself, so that nothing it did not create is touched.
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';

export const uniqueId = () => randomBytes(4).toString('hex');

/**
 * The environment of a child process, without the settings that would point a Loupe process at a
 * real install: each scenario says which database and queue it uses.
 */
export function childEnv(extra = {}) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('LOUPE_') || ['DATABASE_URL', 'REDIS_URL', 'PORT', 'HOST', 'PUBLIC_URL'].includes(key)) delete env[key];
  // Load is what the benchmarks measure: the rate limits (one client address, one key) stay out of the way.
  return { ...env, LOUPE_RATE_LIMIT_API: '1000000', LOUPE_RATE_LIMIT_INGEST_KEY: '10000000', LOUPE_RATE_LIMIT_INGEST_CLIENT: '1000000', LOUPE_RATE_LIMIT_LOGIN: '1000000', ...extra };
}

export function tempDir(label) {
  const dir = mkdtempSync(join(tmpdir(), `loupe-bench-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function reachable(url, timeoutMs = 1000) {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol.startsWith('redis') ? 6379 : 5432));
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Keeps the last lines a child wrote, to explain a failure without flooding the table. */
function tail(stream, keep = 40) {
  const lines = [];
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk) => {
    lines.push(...chunk.split('\n').filter(Boolean));
    if (lines.length > keep) lines.splice(0, lines.length - keep);
  });
  return () => lines.join('\n');
}

async function stopChild(child, graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  if ((await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)])) === false) {
    child.kill('SIGKILL');
    await exited;
  }
}

const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/**
 * Counts the lines logged at warn or error level (JSON lines, or readable ones with WARN or ERROR),
 * keeping the first few: a server that complains while it is measured is not measured.
 */
function complaints(streams, keep = 3) {
  const seen = { count: 0, first: [] };
  for (const stream of streams) {
    stream?.on('data', (chunk) => {
      for (const line of String(chunk).split('\n')) {
        const plain = line.replace(ANSI_COLOUR, '');
        // JSON lines (LOUPE_LOG_FORMAT=json, the default off a terminal) carry the level by name.
        const json = /^\{.*"level":"(warn|error|fatal)"/.test(plain) ? JSON.parse(plain) : null;
        const m = json ? [null, json.level.toUpperCase(), `${json.context ? `[${json.context}] ` : ''}${json.msg ?? ''}`] : /\b(WARN|ERROR)\b\s*(.*)$/.exec(plain);
        if (!m) continue;
        seen.count++;
        if (seen.first.length < keep) seen.first.push(`${m[1]} ${m[2].trim()}`);
      }
    });
  }
  return () => ({ count: seen.count, first: [...seen.first] });
}

/** A server in a child process, stopped with SIGTERM (then SIGKILL) by `stop()`. */
export function startServer(file, args, env) {
  const child = spawn(process.execPath, [file, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = tail(child.stderr);
  child.stdout.setEncoding('utf8');
  child.stdout.resume();
  const warnings = complaints([child.stdout, child.stderr]);
  let exit = null;
  child.once('exit', (code, signal) => (exit = { code, signal }));
  return {
    child,
    stderr,
    /** Lines logged at warn or error level so far: `{ count, first }`. */
    warnings,
    exited: () => exit,
    stop: () => stopChild(child),
  };
}

/** Waits until `url` answers 200, or fails with what the server printed. */
export async function waitForHttp(url, server, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const exit = server.exited();
    if (exit) throw new Error(`the server exited (${exit.signal ?? `code ${exit.code}`}) before answering ${url}\n${server.stderr()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`;
    } catch (err) {
      last = err.message;
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s (last: ${last})\n${server.stderr()}`);
}

/**
 * Runs a bundled script in a child process that answers one message, `{ ok, output }` or
 * `{ ok: false, error, stack }`; the stack and the child's last lines go to the error's `detail`.
 * Past `timeoutMs` the child is killed, and the caller still cleans up what it handed over.
 */
export function runChild(file, input, { env, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const child = fork(file, [JSON.stringify(input)], { env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const stderr = tail(child.stderr);
    let answer;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      const err = new Error(`gave up after ${timeoutMs / 1000} s`);
      err.detail = stderr();
      reject(err);
    }, timeoutMs);
    child.on('message', (m) => (answer = m));
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (answer?.ok) return resolve(answer.output);
      const err = new Error(answer?.error ?? `exited (${signal ?? `code ${code}`}) without an answer`);
      err.detail = [answer?.stack, stderr()].filter(Boolean).join('\n');
      reject(err);
    });
  });
}

/**
 * A database of its own on the PostgreSQL server behind `url`, dropped afterwards. Loupe migrates
 * its tables into `public` and BullMQ's into `bullmq`; a test run starting on the given database
 * at the same time would wipe both.
 */
export async function throwawayDatabase(url) {
  const name = `loupe_bench_${uniqueId()}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Deletes the keys under each prefix, which are the benchmark's own: names no one else uses. */
export async function deleteRedisKeys(url, prefixes) {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  try {
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        if (keys.length) await client.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    client.disconnect();
  }
}

const ADMIN = { email: 'bench@loupe.local', password: 'bench-password' };

/**
 * The real api (the bundled `apps/api/src/main.ts`) in a child process, on a store of its own:
 * `server` is a throw-away database on the PostgreSQL server with the queue on Redis (the standard
 * production shape), `embedded` a temporary data folder (the default shape). Answers `{ skipped }`
 * with the reason when a server is missing. Logs in as the admin its first start creates and finds
 * the default project, so callers get what a user gets from the start banner.
 */
export async function startLoupe(ctx, { shape, inlineWorker = true, env = {} }) {
  if (shape === 'server') {
    if (!(await reachable(ctx.postgresUrl))) return { skipped: `PostgreSQL not reachable at ${redact(ctx.postgresUrl)}` };
    if (!(await reachable(ctx.redisUrl))) return { skipped: `Redis not reachable at ${redact(ctx.redisUrl)}` };
  }
  const cleanups = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((err) => console.error(`cleanup: ${err.message}`));
  };
  try {
    // Even with a database server Loupe names a data folder: a temporary one keeps the tree clean.
    const data = tempDir(`api-${shape}`);
    cleanups.push(async () => data.remove());
    const queuePrefix = `bench${uniqueId()}`;
    const port = await freePort();
    const childVars = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOUPE_DATA_DIR: data.dir,
      // Warnings too: an api that fails to enqueue or retries jobs during a round must say so.
      LOUPE_LOG_LEVEL: 'warn',
      LOUPE_QUEUE_PREFIX: queuePrefix,
      LOUPE_INLINE_WORKER: String(inlineWorker),
      LOUPE_ADMIN_EMAIL: ADMIN.email,
      LOUPE_ADMIN_PASSWORD: ADMIN.password,
      ...env,
    };
    let databaseUrl = null;
    if (shape === 'server') {
      const db = await throwawayDatabase(ctx.postgresUrl);
      cleanups.push(() => db.drop());
      databaseUrl = db.url;
      cleanups.push(() => deleteRedisKeys(ctx.redisUrl, [queuePrefix]));
      Object.assign(childVars, { DATABASE_URL: db.url, REDIS_URL: ctx.redisUrl });
    }
    const server = startServer(ctx.bundle('apps/api/main'), [], childEnv(childVars));
    cleanups.push(() => server.stop());
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/healthz`, server);
    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    if (login.status !== 200) throw new Error(`logging in as the first admin answered ${login.status}: ${(await login.text()).slice(0, 200)}`);
    const cookie = login.headers.getSetCookie()[0].split(';')[0];
    const projects = await fetch(`${base}/api/v1/projects`, { headers: { cookie } }).then((r) => r.json());
    const project = projects.projects?.[0];
    if (!project) throw new Error(`the first start made no default project: ${JSON.stringify(projects).slice(0, 200)}`);
    let stopped = false;
    return {
      base,
      cookie,
      projectId: project.id,
      publicKey: project.publicKey,
      databaseUrl,
      warnings: server.warnings,
      /** The api's environment, for a worker process to join the same database and queue. */
      env: childVars,
      /** Stops the api, then removes its store. */
      async stop() {
        if (stopped) return;
        stopped = true;
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/**
 * The api on a throw-away PostgreSQL database with Redis and no inline worker, a client of its
 * database, and `startWorkers(n)` for worker processes on the same database and queue (each with a
 * port of its own); `fn` runs with them, then everything is stopped. Answers `{ skipped }` when a
 * server is missing.
 */
export async function withApiAndWorkers(ctx, fn) {
  const api = await startLoupe(ctx, { shape: 'server', inlineWorker: false });
  if (api.skipped) return { skipped: api.skipped };
  const workers = [];
  const db = new pg.Client({ connectionString: api.databaseUrl });
  try {
    await db.connect();
    const { PORT: _port, HOST: _host, ...env } = api.env;
    const startWorkers = (count) => {
      for (let i = 0; i < count; i++) workers.push(startServer(ctx.bundle('apps/worker/main'), [], childEnv({ ...env, LOUPE_WORKER_PORT: '0' })));
    };
    const workerWarnings = () => workers.map((w) => w.warnings()).reduce((a, b) => ({ count: a.count + b.count, first: [...a.first, ...b.first] }), { count: 0, first: [] });
    return await fn({ api, db, workers, startWorkers, workerWarnings });
  } finally {
    await db.end().catch(() => undefined);
    await Promise.all(workers.map((w) => w.stop()));
    await api.stop();
  }
}

/** A note for a row whose server logged warnings or errors while it was measured; null if none. */
export function warningsNote(who, { count, first }) {
  return count ? `${who} logged ${count} warnings or errors (first: ${first[0].slice(0, 200)})` : null;
}

export function redact(url) {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
