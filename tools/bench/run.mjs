// `npm run bench`: runs the benchmark scenarios, each beside a bare reference measured in the same
// run, and prints one table. Figures from different machines are not comparable; ratios to the
// reference mostly are, which is why every scenario carries one.
//
//   npm run bench                                 every scenario
//   npm run bench -- --only healthz,queue-redis   some of them
//   npm run bench -- --json bench-results/today.json
//   npm run bench -- --postgres URL --redis URL   other servers for the queue scenarios
import { readdirSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';
import { experiments } from './scenarios/experiments.mjs';
import { feedback } from './scenarios/feedback.mjs';
import { funnels } from './scenarios/funnels.mjs';
import { healthz } from './scenarios/healthz.mjs';
import { heatmaps } from './scenarios/heatmaps.mjs';
import { ingest } from './scenarios/ingest.mjs';
import { queuePostgres, queueRedis } from './scenarios/queue.mjs';
import { replay } from './scenarios/replay.mjs';
import { scale } from './scenarios/scale.mjs';
import { signals } from './scenarios/signals.mjs';
import { stats } from './scenarios/stats.mjs';
import { storage } from './scenarios/storage.mjs';
import { worker } from './scenarios/worker.mjs';

/** In the order they run. A scenario's `run(ctx)` returns rows; see `withRatio` for their fields. */
const SCENARIOS = [healthz, queuePostgres, queueRedis, ingest, storage, worker, scale, signals, replay, stats, feedback, experiments, funnels, heatmaps];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = join(root, 'dist/bench');

const USAGE = `Usage: npm run bench -- [--only name[,name]] [--json FILE] [--postgres URL] [--redis URL] [--fixtures DIR]

Scenarios:
${SCENARIOS.map((s) => `  ${s.name.padEnd(16)} ${s.describe}`).join('\n')}

--postgres  PostgreSQL server for every row but the embedded ones (default
            postgres://postgres@127.0.0.1:5432/test); the benchmark creates databases of its own
            there and drops them afterwards.
--redis     Redis server (default redis://127.0.0.1:6379); the benchmark's keys carry prefixes of
            their own and are deleted afterwards.
--fixtures  The folder of the real rrweb recordings (default ../shared/fixtures/rrweb beside the
            repository).`;

function parseCli() {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      json: { type: 'string' },
      postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
      redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
      fixtures: { type: 'string', default: resolve(root, '../shared/fixtures/rrweb') },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  let selected = SCENARIOS;
  if (values.only) {
    const names = values.only.split(',').map((n) => n.trim()).filter(Boolean);
    const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
    if (unknown.length) {
      console.error(`Unknown scenario: ${unknown.join(', ')}.\n\n${USAGE}`);
      process.exit(2);
    }
    selected = SCENARIOS.filter((s) => names.includes(s.name));
  }
  return { selected, json: values.json, postgresUrl: values.postgres, redisUrl: values.redis, fixturesDir: resolve(values.fixtures) };
}

/**
 * Bundles what runs in child processes: the api and the worker as they ship, and the scripts of
 * tools/bench/processes. Rolldown with the project's tsconfig keeps decorator metadata, which
 * Nest's injection needs; the rule for what stays in node_modules is the one
 * tools/build-server.mjs uses.
 */
async function bundle() {
  const isOwn = (id) => id.startsWith('.') || id.startsWith('/') || id.startsWith('@loupe/') || id.startsWith('@oxc-project/runtime') || id.startsWith('\0');
  const processes = readdirSync(join(root, 'tools/bench/processes')).filter((f) => f.endsWith('.ts'));
  // The api keeps its shipped layout, so it finds no console or SDK build beside it and serves
  // neither, unless told where one is (`replay` builds its own).
  const input = { 'apps/api/main': 'apps/api/src/main.ts', 'apps/worker/main': 'apps/worker/src/main.ts', ...Object.fromEntries(processes.map((f) => [f.replace(/\.ts$/, ''), `tools/bench/processes/${f}`])) };
  rmSync(outDir, { recursive: true, force: true });
  const build = await rolldown({ cwd: root, input, platform: 'node', tsconfig: 'tsconfig.json', external: (id) => !isOwn(id), logLevel: 'warn' });
  await build.write({ dir: outDir, format: 'esm', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' });
  await build.close();
  return (name) => join(outDir, `${name}.js`);
}

function machine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    // Not Linux: the model Node reports will do.
  }
  return {
    cpu,
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    loadAverageAtStart: round(os.loadavg()[0], 2),
  };
}

/**
 * A row: `scenario`, `figure`, `unit`, `better` ('higher' for rates, 'lower' for latencies and sizes),
 * `reference`, `referenceFigure`, optional `note`; or `skipped` / `failed` with a reason.
 * The ratio reads the same way for every unit: Loupe's performance as a share of the reference's.
 */
function withRatio(row) {
  if (row.skipped || row.failed || !(row.figure > 0) || !(row.referenceFigure > 0)) return { ...row, ratio: null };
  const higher = row.better === 'higher';
  return { ...row, ratio: round(higher ? row.figure / row.referenceFigure : row.referenceFigure / row.figure, 2), ratioOf: higher ? 'figure/reference' : 'reference/figure' };
}

function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

const num = (x) => (typeof x !== 'number' ? '–' : x >= 100 ? Math.round(x).toLocaleString('en-US') : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** Table cells of a row; a note becomes a numbered footnote, so the table stays narrow. */
function formatRow(row, notes) {
  const figure = row.skipped ? `skipped: ${row.skipped}` : row.failed ? `failed: ${row.failed.split('\n')[0]}` : num(row.figure);
  const ratio = row.ratio === null || row.ratio === undefined ? '–' : row.ratio.toFixed(2);
  let scenario = row.scenario;
  if (row.note) {
    notes.push(row.note);
    scenario += ` [${notes.length}]`;
  }
  const load = row.loadAverage ? `${row.loadAverage.start.toFixed(1)} → ${row.loadAverage.end.toFixed(1)}` : '–';
  return [scenario, figure, row.unit ?? '–', row.reference ?? '–', num(row.referenceFigure), ratio, load];
}

function table(rows) {
  const header = ['scenario', 'figure', 'unit', 'reference', 'reference figure', 'ratio', 'load'];
  const notes = [];
  const cells = [header, ...rows.map((r) => formatRow(r, notes))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i]).length)));
  const numeric = new Set([1, 4, 5]);
  const line = (r) => `| ${r.map((c, i) => (numeric.has(i) && r !== header ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (numeric.has(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...cells.slice(1).map(line), ...(notes.length ? ['', ...notes.map((n, i) => `[${i + 1}] ${n}`)] : [])].join('\n');
}

const cli = parseCli();
const info = machine();
// Load and reference share the machine: anything else running lowers both, and not alike.
if (info.loadAverageAtStart > info.cores / 2) console.error(`warning: load average ${info.loadAverageAtStart} on ${info.cores} cores: other work is running, and the figures will show it`);
console.error(`building the api and the benchmark processes into ${outDir}...`);
const ctx = { root, outDir, bundle: await bundle(), postgresUrl: cli.postgresUrl, redisUrl: cli.redisUrl, fixturesDir: cli.fixturesDir };

const rows = [];
for (const scenario of cli.selected) {
  const t0 = Date.now();
  // The one-minute load average as the scenario starts and ends; the benchmark's own load is in it.
  const start = round(os.loadavg()[0], 2);
  console.error(`${scenario.name}: ${scenario.describe}`);
  let produced;
  try {
    produced = await scenario.run(ctx);
  } catch (err) {
    console.error(`${scenario.name} failed: ${err.message}\n${err.detail ?? err.stack}`);
    produced = [{ scenario: scenario.name, failed: err.message }];
  }
  const loadAverage = { start, end: round(os.loadavg()[0], 2) };
  rows.push(...produced.map((r) => withRatio({ ...r, loadAverage })));
  console.error(`${scenario.name}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s, load average ${loadAverage.start} → ${loadAverage.end}`);
}

console.log(`\n${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, Node ${info.node}, ${info.date.slice(0, 10)}\n`);
console.log(table(rows));
console.log('\nratio: figure ÷ reference for rates (/s), reference ÷ figure for latencies (ms) and sizes (KB/min);');
console.log('1.00 means as good as the reference, 0.50 half as good; for sizes, how many times smaller Loupe keeps it.');
console.log('load: the one-minute load average as the scenario started and ended, its own load included.');

if (cli.json) {
  const file = resolve(cli.json);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ machine: info, rows }, null, 2)}\n`);
  console.error(`wrote ${file}`);
}
process.exit(rows.some((r) => r.failed) ? 1 : 0);
