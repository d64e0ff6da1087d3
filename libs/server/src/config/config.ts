import { resolve } from 'node:path';
import { z } from 'zod';
import { QUEUES, type QueueName } from '../queue/queue.definitions';
import { EnvSchema } from './config.schema';

export type ProcessRole = 'api' | 'worker';

/** Defaults for the embedded shape, printed at start so a newcomer can log in. */
export const EMBEDDED_ADMIN = { email: 'admin@loupe.local', password: 'loupe-admin' } as const;

export interface LoupeConfig {
  readonly role: ProcessRole;
  readonly env: 'development' | 'production' | 'test';
  readonly http: { readonly host: string; readonly port: number; readonly publicUrl?: string };
  /** `embedded`: PGlite in `dataDir`; `server`: the PostgreSQL at `url`. */
  readonly database:
    | { readonly mode: 'embedded'; readonly dataDir: string; readonly poolSize: number }
    | { readonly mode: 'server'; readonly url: string; readonly poolSize: number };
  /** `redis`: BullMQ on Redis; `postgres`: BullMQ's PostgreSQL backend on Loupe's own database. */
  readonly queue: ({ readonly backend: 'redis'; readonly url: string } | { readonly backend: 'postgres' }) & { readonly prefix: string };
  readonly runWorkerInApi: boolean;
  /** Serve the demo storefront at /demo. */
  readonly demo: boolean;
  readonly admin: { readonly email: string; readonly password: string; readonly isEmbeddedDefault: boolean } | null;
  readonly auth: { readonly sessionTtlHours: number; readonly cookieSecure: boolean };
  /** Requests allowed per minute: the API per user or key, ingest per public key and per client address, login attempts per client address. */
  readonly rateLimits: { readonly api: number; readonly ingestKey: number; readonly ingestClient: number; readonly login: number };
  readonly consoleDir?: string;
  /** Where the built recorder (`loupe.js`) is, served at /sdk/. */
  readonly sdkDir?: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** Whether webhooks may be sent to loopback and private network addresses (off: a project admin cannot probe the servers around Loupe). */
  readonly webhooks: { readonly allowPrivateAddresses: boolean };
  /** Where email goes out (password resets); without an SMTP server the links are written to the log instead. */
  readonly mail: { readonly smtpUrl?: string; readonly from: string };
  /** The request header in which the proxy or CDN in front of Loupe names the visitor's country (cf-ipcountry, say); read only for projects that keep coarse location. */
  readonly countryHeader?: string;
  /** `auto`: human lines on a terminal, JSON otherwise. */
  readonly logFormat: 'json' | 'pretty';
  /** The queues this process's workers take jobs from (a worker process, or the api's inline worker). */
  readonly workerQueues: readonly QueueName[];
  /** Where a worker process answers `/healthz` and `/metrics` (0: any free port). */
  readonly workerPort: number;
  /** When set, `/metrics` wants `Authorization: Bearer <token>`. */
  readonly metricsToken?: string;
  /** Fastify's `trustProxy`: which peers' X-Forwarded-* headers are believed. */
  readonly trustProxy: boolean | string;
  /** How long a stopping process waits for in-flight requests and jobs before it exits anyway. */
  readonly shutdownTimeoutMs: number;
  /** Recordings are kept at most this long in any project; older monthly partitions are dropped whole. */
  readonly retention: { readonly longestDays: number };
  /**
   * How often the sweeper runs, and how long a chunk may wait unprocessed before it re-enqueues it;
   * also how often each process makes sure the recurring jobs are still scheduled.
   */
  readonly sweepIntervalMs: number;
  /**
   * How long a running job stays locked without its worker renewing the lock (renewed at half of
   * it): the jobs of a worker that died without a word go to another worker within about twice this.
   */
  readonly jobLockMs: number;
}

/**
 * The address people open the console at: the public URL when there is one, else this machine on
 * the port it listens to (a wildcard or loopback host is shown as localhost, which a browser opens).
 */
export function consoleUrl(config: LoupeConfig, port = config.http.port): string {
  if (config.http.publicUrl) return config.http.publicUrl;
  const host = ['0.0.0.0', '::', '127.0.0.1'].includes(config.http.host) ? 'localhost' : config.http.host;
  return `http://${host}:${port}`;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Loupe cannot start: its configuration is invalid.\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee docker/example.env for every setting and its expected form.`);
    this.name = 'ConfigError';
  }
}

function describe(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const name = String(issue.path[0] ?? '(environment)');
  const got = env[name];
  const shown = got === undefined ? 'it is not set' : /PASSWORD|SECRET|TOKEN|SMTP_URL/.test(name) ? 'got a value that does not fit' : `got "${got}"`;
  return `${name} ${issue.message.replace(/^Invalid input: /, '')} (${shown})`;
}

/**
 * Reads the whole environment once, reports every problem at once, and returns a frozen object.
 * Nothing else in Loupe reads `process.env`.
 */
export function loadConfig(env: Record<string, string | undefined>, role: ProcessRole, io: { stdoutIsTerminal?: boolean } = {}): LoupeConfig {
  const parsed = EnvSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => describe(i, env));
  if (!parsed.success) throw new ConfigError(problems);
  const e = parsed.data;

  const embedded = !e.DATABASE_URL;
  let admin: LoupeConfig['admin'] = null;
  if (e.LOUPE_ADMIN_EMAIL && e.LOUPE_ADMIN_PASSWORD) {
    admin = { email: e.LOUPE_ADMIN_EMAIL.toLowerCase(), password: e.LOUPE_ADMIN_PASSWORD, isEmbeddedDefault: false };
  } else if (embedded) {
    admin = { ...EMBEDDED_ADMIN, isEmbeddedDefault: true };
    if (e.LOUPE_ADMIN_EMAIL) admin = { ...admin, email: e.LOUPE_ADMIN_EMAIL.toLowerCase() };
    if (e.LOUPE_ADMIN_PASSWORD) admin = { ...admin, password: e.LOUPE_ADMIN_PASSWORD, isEmbeddedDefault: false };
  } else if (role === 'api') {
    if (!e.LOUPE_ADMIN_EMAIL) problems.push('LOUPE_ADMIN_EMAIL must be set when DATABASE_URL is set: it names the first admin account (it is not set)');
    if (!e.LOUPE_ADMIN_PASSWORD) problems.push('LOUPE_ADMIN_PASSWORD must be set when DATABASE_URL is set: at least 10 characters for the first admin account (it is not set)');
  }
  if (e.LOUPE_SMTP_URL && !e.PUBLIC_URL) {
    problems.push('PUBLIC_URL must be set when LOUPE_SMTP_URL is: the links in the emails Loupe sends must point at the address people use to reach it (it is not set)');
  }
  if (role === 'worker' && embedded) {
    problems.push('DATABASE_URL must be set for a separate worker process: the embedded database belongs to the process that runs `npm start` (it is not set)');
  }
  if (problems.length) throw new ConfigError(problems);

  const cookieSecure = e.LOUPE_COOKIE_SECURE === 'auto' ? (e.PUBLIC_URL ?? '').startsWith('https:') : e.LOUPE_COOKIE_SECURE === 'true';
  const config: LoupeConfig = {
    role,
    env: e.NODE_ENV,
    http: { host: e.HOST, port: e.PORT, publicUrl: e.PUBLIC_URL?.replace(/\/$/, '') },
    database: embedded
      ? { mode: 'embedded', dataDir: resolve(e.LOUPE_DATA_DIR), poolSize: e.DATABASE_POOL_SIZE }
      : { mode: 'server', url: e.DATABASE_URL!, poolSize: e.DATABASE_POOL_SIZE },
    queue: e.REDIS_URL ? { backend: 'redis', url: e.REDIS_URL, prefix: e.LOUPE_QUEUE_PREFIX } : { backend: 'postgres', prefix: e.LOUPE_QUEUE_PREFIX },
    runWorkerInApi: e.LOUPE_INLINE_WORKER,
    demo: e.LOUPE_DEMO ?? embedded,
    admin,
    auth: { sessionTtlHours: e.LOUPE_SESSION_TTL_HOURS, cookieSecure },
    rateLimits: { api: e.LOUPE_RATE_LIMIT_API, ingestKey: e.LOUPE_RATE_LIMIT_INGEST_KEY, ingestClient: e.LOUPE_RATE_LIMIT_INGEST_CLIENT, login: e.LOUPE_RATE_LIMIT_LOGIN },
    consoleDir: e.LOUPE_CONSOLE_DIR ? resolve(e.LOUPE_CONSOLE_DIR) : undefined,
    sdkDir: e.LOUPE_SDK_DIR ? resolve(e.LOUPE_SDK_DIR) : undefined,
    logLevel: e.LOUPE_LOG_LEVEL,
    webhooks: { allowPrivateAddresses: e.LOUPE_WEBHOOKS_ALLOW_PRIVATE },
    mail: { smtpUrl: e.LOUPE_SMTP_URL, from: e.LOUPE_MAIL_FROM },
    countryHeader: e.LOUPE_COUNTRY_HEADER,
    logFormat: e.LOUPE_LOG_FORMAT === 'auto' ? (io.stdoutIsTerminal ? 'pretty' : 'json') : e.LOUPE_LOG_FORMAT,
    workerQueues: e.LOUPE_WORKER_QUEUES ? [...new Set(e.LOUPE_WORKER_QUEUES)] : [...QUEUES],
    workerPort: e.LOUPE_WORKER_PORT,
    metricsToken: e.LOUPE_METRICS_TOKEN,
    trustProxy: e.LOUPE_TRUST_PROXY === 'true' ? true : e.LOUPE_TRUST_PROXY === 'false' ? false : e.LOUPE_TRUST_PROXY.replace(/\s+/g, ''),
    shutdownTimeoutMs: e.LOUPE_SHUTDOWN_TIMEOUT_SECONDS * 1000,
    retention: { longestDays: e.LOUPE_LONGEST_RETENTION_DAYS },
    sweepIntervalMs: e.LOUPE_SWEEP_INTERVAL_SECONDS * 1000,
    jobLockMs: e.LOUPE_JOB_LOCK_SECONDS * 1000,
  };
  return deepFreeze(config);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** Reads this process's environment: the one place in Loupe that touches `process.env`. */
export function loadConfigFromProcess(role: ProcessRole, defaults: Record<string, string> = {}): LoupeConfig {
  // An empty value is unset (as an env file copied from docker/example.env leaves many): the default holds.
  const env: Record<string, string | undefined> = { ...process.env };
  for (const [name, value] of Object.entries(defaults)) if (!env[name]) env[name] = value;
  return loadConfig(env, role, { stdoutIsTerminal: process.stdout.isTTY === true });
}
