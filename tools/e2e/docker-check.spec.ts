import { describe, expect, it } from 'vitest';
import { redisUrl, serverDatabaseUrl } from '../testing/databases';
import { isCI } from '../testing/services';

const database = serverDatabaseUrl();
const redis = redisUrl();

/**
 * The image's recipe, without Docker: its build steps in a clean copy of HEAD, its runtime files,
 * its ENTRYPOINT and CMD for the api and a worker, its health check. The install step reuses this
 * checkout's node_modules (a real `npm install` takes minutes and the registry; run
 * `node tools/docker-check.mjs` for that).
 */
describe.skipIf(!(database && redis) && !isCI)('the Docker image recipe', () => {
  it('builds in a clean copy of the repository, starts the api and a worker as the image would, and both are healthy', async () => {
    const script = '../docker-check.mjs';
    const { dockerCheck } = (await import(script)) as {
      dockerCheck: (o: object) => Promise<{ ok: boolean; steps: Array<{ name: string; ok: boolean; detail: string }> }>;
    };
    const result = await dockerCheck({ reuseNodeModules: true, postgresUrl: database, redisUrl: redis });
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
    expect(result.steps.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'the console is built into the image',
        'the recorder SDK is built into the image',
        'the api stops on SIGTERM with exit code 0',
        'the worker stops on SIGTERM with exit code 0',
      ]),
    );
    expect(result.ok).toBe(true);
  }, 240_000);
});
