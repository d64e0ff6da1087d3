// `npm run test:soak [-- --seconds 300 --rate 1000 --visitors 32]`: the soak test of
// tools/e2e/soak.spec.ts for as long as asked (five minutes by default; the normal suite runs it for 20 s).
// Needs the services the tests need: LOUPE_TEST_DATABASE_URL (a PostgreSQL server) and Redis.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '300' }, rate: { type: 'string', default: '1000' }, visitors: { type: 'string', default: '32' } },
});
for (const [name, value] of Object.entries(values)) {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    console.error(`--${name} must be a whole number above 0; it is ${value}.`);
    process.exit(2);
  }
}
const env = { ...process.env, LOUPE_SOAK_SECONDS: values.seconds, LOUPE_SOAK_EVENTS_PER_SECOND: values.rate, LOUPE_SOAK_VISITORS: values.visitors };
const r = spawnSync('npx', ['vitest', 'run', 'tools/e2e/soak.spec.ts'], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
