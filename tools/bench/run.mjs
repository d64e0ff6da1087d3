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
import { healthz } from './scenarios/healthz.mjs';
import { queuePostgres, queueRedis } from './scenarios/queue.mjs';

/** In the order they run. A scenario's `run(ctx)` returns rows; see `withRatio` for their fields. */
const SCENARIOS = [healthz, queuePostgres, queueRedis];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = join(root, 'dist/bench');

const USAGE = `Usage: npm run bench -- [--only name[,name]] [--json FILE] [--postgres URL] [--redis URL]

Scenarios:
${SCENARIOS.map((s) => `  ${s.name.padEnd(16)} ${s.describe}`).join('\n')}

--postgres  PostgreSQL server for the queue scenarios (default postgres://postgres@127.0.0.1:5432/test);
            the benchmark creates a database of its own there and drops it afterwards.
--redis     Redis server (default redis://127.0.0.1:6379); the benchmark's keys carry prefixes of
            their own and are deleted afterwards.`;

function parseCli() {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      json: { type: 'string' },
      postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
      redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
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
  return { selected, json: values.json, postgresUrl: values.postgres, redisUrl: values.redis };
}

/**
 * Bundles what runs in child processes: the api as it ships, and the scripts of tools/bench/processes.
 * Rolldown with the project's tsconfig keeps decorator metadata, which Nest's injection needs; the
 * rule for what stays in node_modules is the one tools/build-server.mjs uses.
 */
async function bundle() {
  const isOwn = (id) => id.startsWith('.') || id.startsWith('/') || id.startsWith('@loupe/') || id.startsWith('@oxc-project/runtime') || id.startsWith('\0');
  const processes = readdirSync(join(root, 'tools/bench/processes')).filter((f) => f.endsWith('.ts'));
  // The api keeps its shipped layout, so it finds no console or SDK build beside it and serves neither.
  const input = { 'apps/api/main': 'apps/api/src/main.ts', ...Object.fromEntries(processes.map((f) => [f.replace(/\.ts$/, ''), `tools/bench/processes/${f}`])) };
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
 * A row: `scenario`, `figure`, `unit`, `better` ('higher' for rates, 'lower' for latencies),
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
  return [scenario, figure, row.unit ?? '–', row.reference ?? '–', num(row.referenceFigure), ratio];
}

function table(rows) {
  const header = ['scenario', 'figure', 'unit', 'reference', 'reference figure', 'ratio'];
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
const ctx = { bundle: await bundle(), postgresUrl: cli.postgresUrl, redisUrl: cli.redisUrl };

const rows = [];
for (const scenario of cli.selected) {
  const t0 = Date.now();
  console.error(`${scenario.name}: ${scenario.describe}`);
  try {
    rows.push(...(await scenario.run(ctx)).map(withRatio));
  } catch (err) {
    console.error(`${scenario.name} failed: ${err.message}\n${err.detail ?? err.stack}`);
    rows.push(withRatio({ scenario: scenario.name, failed: err.message }));
  }
  console.error(`${scenario.name}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

console.log(`\n${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, Node ${info.node}, ${info.date.slice(0, 10)}\n`);
console.log(table(rows));
console.log('\nratio: figure ÷ reference for rates (req/s, jobs/s), reference ÷ figure for latencies (ms);');
console.log('1.00 means as fast as the reference, 0.50 means half as fast.');

if (cli.json) {
  const file = resolve(cli.json);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ machine: info, rows }, null, 2)}\n`);
  console.error(`wrote ${file}`);
}
process.exit(rows.some((r) => r.failed) ? 1 : 0);
