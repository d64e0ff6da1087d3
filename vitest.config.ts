import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    globalSetup: ['tools/testing/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: more parallel files than that only makes each slower.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['libs/{contracts,replay,signals,analytics,stats,recorder}/src/**/*.spec.ts', 'tools/*.spec.ts'] },
      },
      {
        extends: true,
        test: { name: 'server', include: ['libs/server/src/**/*.spec.ts', 'apps/{api,worker}/{src,test}/**/*.spec.ts'] },
      },
      {
        extends: true,
        test: { name: 'browser', include: ['apps/console/src/**/*.spec.ts', 'apps/console/test/**/*.spec.ts', 'libs/recorder/test/**/*.spec.ts', 'tools/e2e/**/*.spec.ts'], fileParallelism: false },
      },
    ],
  },
});
