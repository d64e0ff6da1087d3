import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';
import { EnvSchema } from './config.schema';

const problemsOf = (env: Record<string, string>, role: 'api' | 'worker' = 'api'): string[] => {
  try {
    loadConfig(env, role);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('configuration', () => {
  it('runs embedded with documented defaults when nothing is set', () => {
    const c = loadConfig({}, 'api');
    expect(c.database.mode).toBe('embedded');
    expect(c.queue.backend).toBe('postgres');
    expect(c.http.port).toBe(8080);
    expect(c.runWorkerInApi).toBe(true);
    expect(c.admin).toEqual({ email: 'admin@loupe.local', password: 'loupe-admin', isEmbeddedDefault: true });
    expect(Object.isFrozen(c.http)).toBe(true);
  });

  it('uses the PostgreSQL server and Redis when their URLs are set', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/loupe', REDIS_URL: 'redis://cache:6379', LOUPE_ADMIN_EMAIL: 'Ops@Example.com', LOUPE_ADMIN_PASSWORD: 'long-enough-pw' }, 'api');
    expect(c.database).toMatchObject({ mode: 'server', url: 'postgres://u:p@db:5432/loupe' });
    expect(c.queue).toEqual({ backend: 'redis', url: 'redis://cache:6379', prefix: 'loupe' });
    expect(c.admin?.email).toBe('ops@example.com');
  });

  it('reports every invalid variable at once, naming it and the expected form', () => {
    const problems = problemsOf({ PORT: 'eighty', DATABASE_URL: 'mysql://x', REDIS_URL: 'localhost:6379', LOUPE_INLINE_WORKER: 'maybe' });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/PORT must be a port number between 1 and 65535 \(got "eighty"\)/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL must be a PostgreSQL URL/);
    expect(problems.join('\n')).toMatch(/REDIS_URL must be a Redis URL/);
    expect(problems.join('\n')).toMatch(/LOUPE_INLINE_WORKER must be true or false/);
  });

  it('requires the admin account outside the embedded shape, and never echoes a password', () => {
    const problems = problemsOf({ DATABASE_URL: 'postgres://db/loupe' });
    expect(problems.join('\n')).toMatch(/LOUPE_ADMIN_EMAIL must be set when DATABASE_URL is set/);
    expect(problems.join('\n')).toMatch(/LOUPE_ADMIN_PASSWORD must be set/);
    const short = problemsOf({ DATABASE_URL: 'postgres://db/loupe', LOUPE_ADMIN_EMAIL: 'a@b.co', LOUPE_ADMIN_PASSWORD: 'secret' });
    expect(short.join('\n')).toMatch(/LOUPE_ADMIN_PASSWORD must be at least 10 characters/);
    expect(short.join('\n')).not.toContain('secret');
  });

  it('does not let a separate worker start on the embedded database', () => {
    expect(problemsOf({}, 'worker').join('\n')).toMatch(/DATABASE_URL must be set for a separate worker process/);
  });

  it('takes the queues a worker is dedicated to, and refuses a queue it does not know', () => {
    expect(loadConfig({}, 'api').workerQueues).toEqual(['system', 'recordings', 'analysis', 'maintenance']);
    expect(loadConfig({ LOUPE_WORKER_QUEUES: ' analysis, maintenance ' }, 'api').workerQueues).toEqual(['analysis', 'maintenance']);
    const problems = problemsOf({ LOUPE_WORKER_QUEUES: 'recordings,recording' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/LOUPE_WORKER_QUEUES must list queues among system, recordings, analysis, maintenance, separated by commas \(got "recordings,recording"\)/);
  });

  it('trusts proxies on private networks by default and takes an explicit list', () => {
    expect(loadConfig({}, 'api').trustProxy).toBe('loopback,linklocal,uniquelocal');
    expect(loadConfig({ LOUPE_TRUST_PROXY: '10.0.0.0/8, 192.168.1.7' }, 'api').trustProxy).toBe('10.0.0.0/8,192.168.1.7');
    expect(loadConfig({ LOUPE_TRUST_PROXY: 'false' }, 'api').trustProxy).toBe(false);
    expect(problemsOf({ LOUPE_TRUST_PROXY: 'my-proxy.local' }).join('\n')).toMatch(/LOUPE_TRUST_PROXY must be true, false, or a list of addresses/);
  });

  it('writes JSON logs unless a person is watching the terminal', () => {
    expect(loadConfig({}, 'api').logFormat).toBe('json');
    expect(loadConfig({}, 'api', { stdoutIsTerminal: true }).logFormat).toBe('pretty');
    expect(loadConfig({ LOUPE_LOG_FORMAT: 'json' }, 'api', { stdoutIsTerminal: true }).logFormat).toBe('json');
    expect(problemsOf({ LOUPE_METRICS_TOKEN: 'short' }).join('\n')).toMatch(/LOUPE_METRICS_TOKEN must be at least 16 characters \(got a value that does not fit\)/);
  });

  it('documents every setting in docker/example.env', () => {
    const documented = readFileSync('docker/example.env', 'utf8');
    for (const name of Object.keys(EnvSchema.shape)) {
      expect(documented, `${name} is missing from docker/example.env`).toMatch(new RegExp(`^#?\\s*${name}=`, 'm'));
    }
  });
});
