import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../libs/server/src/config/config';
// A plain script module without types: its path is kept out of the type checker's sight.
const script = './docker-check.mjs';
const { composeVariables, readDockerfile, readEnvFile, undocumentedComposeVariables } = (await import(script)) as {
  composeVariables: () => Map<string, string[]>;
  readDockerfile: (file: string) => Array<{ name?: string; image: string; steps: Array<{ op: string; args: string }> }>;
  readEnvFile: (file: string) => Record<string, string>;
  undocumentedComposeVariables: () => string[];
};

describe('the Docker recipe', () => {
  it('documents in docker/example.env every variable the compose files use', () => {
    expect([...composeVariables().keys()]).toEqual(expect.arrayContaining(['POSTGRES_PASSWORD', 'REDIS_PASSWORD', 'LOUPE_ADMIN_EMAIL', 'LOUPE_ADMIN_PASSWORD']));
    expect(undocumentedComposeVariables()).toEqual([]);
  });

  it('requires the secrets, with a message saying where to set them', () => {
    for (const file of ['compose.yml', 'compose.lite.yml']) {
      const text = readFileSync(`docker/${file}`, 'utf8');
      for (const name of ['POSTGRES_PASSWORD', 'LOUPE_ADMIN_EMAIL', 'LOUPE_ADMIN_PASSWORD']) expect(text, `${file}: ${name}`).toMatch(new RegExp(`\\$\\{${name}:\\?set ${name} in docker/\\.env`));
    }
    expect(readFileSync('docker/compose.yml', 'utf8')).toMatch(/\$\{REDIS_PASSWORD:\?set REDIS_PASSWORD in docker\/\.env/);
  });

  it('pins every image to a version, and builds every step through docker/build-steps.sh', () => {
    const images = ['compose.yml', 'compose.lite.yml'].flatMap((f) => [...readFileSync(`docker/${f}`, 'utf8').matchAll(/^\s+image:\s*(\S+)/gm)].map((m) => m[1]!));
    const stages = readDockerfile('docker/Dockerfile');
    for (const image of [...images.filter((i) => !i.startsWith('${LOUPE_IMAGE')), ...stages.map((s) => s.image)]) expect(image).toMatch(/^[a-z0-9/.-]+:\d+\.\d+(\.\d+)?-[a-z]+(-slim)?(@sha256:[0-9a-f]{64})?$/);
    const build = stages.find((s) => s.name === 'build')!;
    const runs = build.steps.filter((s) => s.op === 'RUN').map((s) => s.args);
    expect(runs).toEqual(['sh docker/build-steps.sh install', 'sh docker/build-steps.sh build', 'sh docker/build-steps.sh prune']);
    const runtime = stages.at(-1)!;
    expect(runtime.steps.find((s) => s.op === 'USER')?.args).toBe('node');
    expect(runtime.steps.some((s) => s.op === 'HEALTHCHECK' && s.args.includes('docker/healthcheck.mjs'))).toBe(true);
  });

  it('gives Loupe a valid configuration from docker/example.env copied to .env, with what compose sets over it', () => {
    const env = { ...readEnvFile('docker/example.env'), DATABASE_URL: 'postgres://loupe:pw@postgres:5432/loupe', REDIS_URL: 'redis://:pw@redis:6379', LOUPE_ADMIN_EMAIL: 'ops@example.com', LOUPE_ADMIN_PASSWORD: 'a long password', HOST: '0.0.0.0', LOUPE_INLINE_WORKER: 'false' };
    const api = loadConfig(env, 'api');
    expect(api.database.mode).toBe('server');
    expect(api.queue.backend).toBe('redis');
    expect(api.demo).toBe(false);
    expect(loadConfig(env, 'worker').workerQueues).toHaveLength(4);
  });
});
