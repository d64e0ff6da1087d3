import { z } from 'zod';
import { QUEUES } from '../queue/queue.definitions';

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v)));

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/.+/, 'must be a PostgreSQL URL such as postgres://user:password@host:5432/loupe');

const redisUrl = z.string().regex(/^rediss?:\/\/.+/, 'must be a Redis URL such as redis://host:6379');

const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);

/**
 * Every setting Loupe reads from its environment. `docker/example.env` documents each one;
 * a test checks the two stay in step.
 */
export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce
    .number({ message: 'must be a port number between 1 and 65535' })
    .int('must be a whole port number')
    .min(0, 'must be between 1 and 65535')
    .max(65535, 'must be between 1 and 65535')
    .default(8080),
  PUBLIC_URL: z.preprocess(emptyAsUndefined, z.url({ message: 'must be the URL people use to reach Loupe, such as https://loupe.example.com' }).optional()),
  DATABASE_URL: z.preprocess(emptyAsUndefined, postgresUrl.optional()),
  DATABASE_POOL_SIZE: z.coerce.number({ message: 'must be a whole number' }).int().min(1).max(200).default(10),
  LOUPE_DATA_DIR: z.string().min(1).default('.loupe-data'),
  REDIS_URL: z.preprocess(emptyAsUndefined, redisUrl.optional()),
  LOUPE_INLINE_WORKER: bool(true),
  LOUPE_DEMO: z.preprocess(
    emptyAsUndefined,
    z
      .enum(['true', 'false'], { message: 'must be true or false' })
      .optional()
      .transform((v) => (v === undefined ? undefined : v === 'true')),
  ),
  LOUPE_QUEUE_PREFIX: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'must be a short name of lower-case letters, digits, - and _').default('loupe'),
  LOUPE_ADMIN_EMAIL: z.preprocess(emptyAsUndefined, z.email({ message: 'must be an email address' }).optional()),
  LOUPE_ADMIN_PASSWORD: z.preprocess(emptyAsUndefined, z.string().min(10, 'must be at least 10 characters').optional()),
  LOUPE_SESSION_TTL_HOURS: z.coerce.number({ message: 'must be a number of hours' }).int().min(1).max(24 * 365).default(24 * 14),
  LOUPE_RATE_LIMIT_API: z.coerce.number({ message: 'must be a number of requests a minute' }).int().min(1).max(1_000_000).default(600),
  LOUPE_RATE_LIMIT_INGEST_KEY: z.coerce.number({ message: 'must be a number of batches a minute' }).int().min(1).max(10_000_000).default(60_000),
  LOUPE_RATE_LIMIT_INGEST_CLIENT: z.coerce.number({ message: 'must be a number of batches a minute' }).int().min(1).max(1_000_000).default(600),
  LOUPE_RATE_LIMIT_LOGIN: z.coerce.number({ message: 'must be a number of attempts a minute' }).int().min(1).max(1_000_000).default(30),
  LOUPE_COOKIE_SECURE: z.enum(['auto', 'true', 'false'], { message: 'must be auto, true or false' }).default('auto'),
  LOUPE_CONSOLE_DIR: z.preprocess(emptyAsUndefined, z.string().optional()),
  LOUPE_SDK_DIR: z.preprocess(emptyAsUndefined, z.string().optional()),
  LOUPE_WEBHOOKS_ALLOW_PRIVATE: bool(false),
  LOUPE_COUNTRY_HEADER: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9-]{1,64}$/, 'must be the name of a request header, such as cf-ipcountry')
      .transform((v) => v.toLowerCase())
      .optional(),
  ),
  LOUPE_SMTP_URL: z.preprocess(
    emptyAsUndefined,
    z.string().regex(/^smtps?:\/\/.+/, 'must be an SMTP URL such as smtps://user:password@mail.example.com:465 or smtp://mail.example.com:587').optional(),
  ),
  LOUPE_MAIL_FROM: z.string().min(3, 'must be a sender address, such as Loupe <loupe@example.com>').default('Loupe <loupe@localhost>'),
  LOUPE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'], { message: 'must be one of fatal, error, warn, info, debug, trace' }).default('info'),
  LOUPE_LOG_FORMAT: z.enum(['auto', 'json', 'pretty'], { message: 'must be auto, json or pretty' }).default('auto'),
  LOUPE_WORKER_QUEUES: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform((v) => v.split(',').map((q) => q.trim()).filter(Boolean))
      .pipe(
        z
          .array(z.enum(QUEUES, { message: `must list queues among ${QUEUES.join(', ')}, separated by commas` }))
          .min(1, `must list at least one of ${QUEUES.join(', ')}`),
      )
      .optional(),
  ),
  LOUPE_WORKER_PORT: z.coerce
    .number({ message: 'must be a port number between 0 and 65535' })
    .int('must be a whole port number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(8081),
  LOUPE_METRICS_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  LOUPE_TRUST_PROXY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine(
        (v) => ['true', 'false'].includes(v) || v.split(',').every((a) => /^(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)$/.test(a.trim())),
        'must be true, false, or a list of addresses and ranges such as 10.0.0.0/8,loopback,uniquelocal',
      )
      .default('loopback,linklocal,uniquelocal'),
  ),
  LOUPE_LONGEST_RETENTION_DAYS: z.coerce
    .number({ message: 'must be a number of days, such as 90' })
    .int('must be a whole number of days')
    .min(1, 'must be at least 1 day')
    .max(3650, 'must be at most 3650 days (10 years)')
    .default(90),
  LOUPE_SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number({ message: 'must be a number of seconds' }).int().min(1).max(3600).default(25),
  LOUPE_JOB_LOCK_SECONDS: z.coerce.number({ message: 'must be a number of seconds' }).int().min(2).max(600).default(30),
  LOUPE_SWEEP_INTERVAL_SECONDS: z.coerce.number({ message: 'must be a number of seconds' }).int().min(1).max(3600).default(60),
});
export type Env = z.input<typeof EnvSchema>;
