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
  return { ...env, ...extra };
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

/** A server in a child process, stopped with SIGTERM (then SIGKILL) by `stop()`. */
export function startServer(file, args, env) {
  const child = spawn(process.execPath, [file, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = tail(child.stderr);
  let exit = null;
  child.once('exit', (code, signal) => (exit = { code, signal }));
  return {
    child,
    stderr,
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
