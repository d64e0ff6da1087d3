// `npm test`: typecheck, lint (with the module-boundary rules), build, then every vitest project.
// Prints one closing line `N passed, N failed, N skipped` for whoever reads the log.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = { ...process.env, NX_DAEMON: 'false' };
const run = (label, cmd, args) => {
  const t0 = Date.now();
  process.stdout.write(`\n▶ ${label}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  process.stdout.write(`  ${label}: ${r.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return r.status === 0;
};

const extra = process.argv.slice(2);
let ok = run('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
ok = run('project graph', 'npx', ['nx', 'show', 'projects']) && ok;
ok = run('lint', 'npx', ['eslint', '.', '--max-warnings', '50']) && ok;
ok = run('build', process.execPath, ['tools/build.mjs']) && ok;
const report = join(mkdtempSync(join(tmpdir(), 'loupe-vitest-')), 'report.json');
ok = run('tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra]) && ok;

let summary = 'tests did not report';
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  summary = `${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`;
} catch {
  ok = false;
}
process.stdout.write(`\n${summary}\n`);
process.exit(ok ? 0 : 1);
