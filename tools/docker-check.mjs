// Checks the Docker image's recipe without Docker: in a clean copy of the repository (git archive of
// HEAD) it runs docker/Dockerfile's build steps as written, lays out the runtime stage's files as its
// COPY lines do, starts the api and a worker with the image's ENTRYPOINT and CMD, asks each for
// /healthz with the image's health check script, and stops them with SIGTERM. It also checks that
// every ${VAR} the compose files use is documented in docker/example.env.
//
//   node tools/docker-check.mjs [--reuse-node-modules] [--postgres URL] [--redis URL] [--keep]
//
// --reuse-node-modules: the install step (npm install from the lockfile, a few minutes and the
//   registry) is replaced by links to this checkout's node_modules, and the prune step by a check
//   that the built server imports production dependencies only. The test suite runs it this way.
// --postgres: a PostgreSQL server where this user may create a database (a throw-away one is made
//   and dropped); --redis: a Redis server (only keys under a prefix of its own are touched).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Redis } from 'ioredis';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');

/** Every `${VAR}` (with or without a default or a required message) the compose files use, and where. */
export function composeVariables(dir = join(root, 'docker')) {
  const found = new Map();
  for (const file of readdirSync(dir).filter((f) => /^compose.*\.ya?ml$/.test(f))) {
    const text = readFileSync(join(dir, file), 'utf8');
    // `$${VAR}` is compose's escape for a literal `${VAR}`, left to the container's shell.
    for (const m of text.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?+][^}]*)?\}/g)) {
      found.set(m[1], [...new Set([...(found.get(m[1]) ?? []), file])]);
    }
  }
  return found;
}

/** The variables of `composeVariables` that docker/example.env does not document (as `VAR=` or `# VAR=`). */
export function undocumentedComposeVariables(dir = join(root, 'docker')) {
  const documented = readFileSync(join(dir, 'example.env'), 'utf8');
  return [...composeVariables(dir)].filter(([name]) => !new RegExp(`^#?\\s*${name}=`, 'm').test(documented)).map(([name, files]) => `${name} (used in ${files.join(', ')})`);
}

/** `NAME=value` lines of an env file, as Docker Compose's env_file reads them (comments and blanks skipped). */
export function readEnvFile(file) {
  const env = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

/**
 * The Dockerfile's stages: for each, its instructions in order (`{ op, args }`), line continuations
 * joined and comments dropped.
 */
export function readDockerfile(file) {
  const lines = readFileSync(file, 'utf8').replace(/\\\n/g, ' ').split('\n');
  const stages = [];
  const args = {};
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [, op, rest] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    const expanded = rest.replace(/\$\{(\w+)\}/g, (_, name) => args[name] ?? '');
    if (op === 'ARG') {
      const [name, value] = expanded.split('=');
      args[name] = value ?? '';
    } else if (op === 'FROM') {
      const [, image, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(expanded);
      stages.push({ name, image, steps: [] });
    } else {
      stages.at(-1).steps.push({ op, args: expanded });
    }
  }
  return stages;
}

const json = (s) => (s.startsWith('[') ? JSON.parse(s) : ['sh', '-c', s]);

function envOf(stage) {
  const env = {};
  for (const step of stage.steps.filter((s) => s.op === 'ENV')) {
    for (const m of step.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[m[1]] = m[2].replace(/^"|"$/g, '');
  }
  return env;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Lists the packages a built file imports by name, apart from Node's own modules. */
function importedPackages(dir) {
  const names = new Set();
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.js')) {
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["']([^"'./][^"']*)["']/g)) {
          const spec = m[1];
          // Minified code holds strings that merely follow the word "from"; a package name is one word.
          if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(\/[\w.@-]+)*$/i.test(spec)) continue;
          if (spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0])) continue;
          names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
        }
      }
    }
  };
  walk(dir);
  return names;
}

function startProcess(label, argv, { cwd, env }) {
  const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return {
    label,
    output: () => out,
    exited,
    running: () => child.exitCode === null && child.signalCode === null,
    async stop(graceMs = 30_000) {
      if (!this.running()) return exited;
      child.kill('SIGTERM');
      const result = await Promise.race([exited, sleep(graceMs).then(() => null)]);
      if (result) return result;
      child.kill('SIGKILL');
      await exited;
      return { code: null, signal: 'SIGKILL', timedOut: true };
    },
  };
}

async function waitFor(what, check, proc, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc && !proc.running()) throw new Error(`${proc.label} exited before ${what}:\n${proc.output()}`);
    if (await check()) return;
    await sleep(250);
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s${proc ? `\n${proc.output()}` : ''}`);
}

/**
 * Runs the whole check; answers `{ ok, steps }` where each step is `{ name, ok, detail }`. Throws
 * only when something outside the recipe fails (no git, no database server).
 */
export async function dockerCheck({ reuseNodeModules = false, postgresUrl, redisUrl, keep = false, log = () => undefined } = {}) {
  const steps = [];
  const step = (name, ok, detail = '') => {
    steps.push({ name, ok, detail });
    log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
    return ok;
  };
  const cleanups = [];
  try {
    const undocumented = undocumentedComposeVariables();
    step('every ${VAR} of the compose files is documented in docker/example.env', undocumented.length === 0, undocumented.join('; '));

    const stages = readDockerfile(join(root, 'docker/Dockerfile'));
    const build = stages.find((s) => s.name === 'build');
    const runtime = stages.at(-1);
    if (!build || runtime === build) throw new Error('docker/Dockerfile must have a stage named build and a runtime stage after it');

    // The repository as committed, as a build context would hold it.
    const work = mkdtempSync(join(tmpdir(), 'loupe-docker-check-'));
    if (!keep) cleanups.push(() => rmSync(work, { recursive: true, force: true }));
    const context = join(work, 'context');
    mkdirSync(context);
    execFileSync('sh', ['-c', `git -C "${root}" archive --format=tar HEAD | tar -x -C "${context}"`]);
    log(`clean copy of HEAD in ${context}`);

    const buildEnv = { ...process.env, ...envOf(build) };
    for (const s of build.steps.filter((x) => x.op === 'RUN')) {
      const [, target] = /^sh docker\/build-steps\.sh (\w+)$/.exec(s.args) ?? [];
      if (!target) {
        step(`RUN ${s.args}`, false, 'every build step must be `RUN sh docker/build-steps.sh STEP`, so that this check runs the same commands');
        continue;
      }
      if (reuseNodeModules && target === 'install') {
        // Links, not a copy: the shared install is never written to.
        mkdirSync(join(context, 'node_modules'));
        for (const entry of readdirSync(join(root, 'node_modules'))) symlinkSync(join(root, 'node_modules', entry), join(context, 'node_modules', entry));
        step('install (reusing this checkout\'s node_modules instead of npm install)', true);
        continue;
      }
      if (reuseNodeModules && target === 'prune') {
        const pkg = JSON.parse(readFileSync(join(context, 'package.json'), 'utf8'));
        const notProduction = [...importedPackages(join(context, 'dist/apps'))].filter((name) => !(name in (pkg.dependencies ?? {})));
        step('prune (checked instead: the built api and worker import production dependencies only)', notProduction.length === 0, notProduction.length ? `imported but not in dependencies: ${notProduction.join(', ')}` : '');
        continue;
      }
      if (target === 'install') {
        const wanted = /^NPM_VERSION=(\S+)$/m.exec(readFileSync(join(context, 'docker/build-steps.sh'), 'utf8'))?.[1];
        const have = spawnSync('npm', ['--version'], { encoding: 'utf8' }).stdout.trim();
        if (wanted !== have) {
          step('install', false, `docker/build-steps.sh installs npm ${wanted} globally; this machine has ${have}. Run with --reuse-node-modules, or with npm ${wanted}.`);
          return { ok: false, steps };
        }
      }
      const t0 = Date.now();
      const r = spawnSync('sh', ['-c', s.args], { cwd: context, env: buildEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      if (!step(`RUN ${s.args}`, r.status === 0, r.status === 0 ? `${((Date.now() - t0) / 1000).toFixed(1)} s` : `${r.stdout.slice(-2000)}${r.stderr.slice(-2000)}`)) return { ok: false, steps };
    }

    // The runtime stage: only what its COPY --from=build lines bring.
    const app = join(work, 'app');
    const workdir = runtime.steps.filter((s) => s.op === 'WORKDIR').at(-1)?.args ?? '/';
    mkdirSync(app);
    for (const s of runtime.steps.filter((x) => x.op === 'COPY')) {
      const parts = s.args.split(/\s+/).filter((p) => !p.startsWith('--chown') && !p.startsWith('--chmod'));
      if (!parts[0].startsWith('--from=')) continue;
      const [, ...paths] = parts;
      const dest = paths.pop();
      const destAbs = join(app, relative(workdir, dest.startsWith('/') ? dest : join(workdir, dest)));
      for (const src of paths) {
        const from = join(context, relative(workdir, src));
        const to = dest.endsWith('/') ? join(destAbs, src.split('/').pop()) : destAbs;
        mkdirSync(dirname(to), { recursive: true });
        cpSync(from, to, { recursive: true, verbatimSymlinks: true });
      }
    }
    step('runtime stage laid out from its COPY lines', existsSync(join(app, 'dist/apps/api/main.js')), `${readdirSync(app).join(', ')}`);

    const entrypoint = json(runtime.steps.filter((s) => s.op === 'ENTRYPOINT').at(-1)?.args ?? '[]');
    const cmd = json(runtime.steps.filter((s) => s.op === 'CMD').at(-1)?.args ?? '[]');
    const healthcheck = /CMD\s+(\[.*\])\s*$/.exec(runtime.steps.filter((s) => s.op === 'HEALTHCHECK').at(-1)?.args ?? '')?.[1];
    if (!healthcheck) step('HEALTHCHECK', false, 'the runtime stage has no HEALTHCHECK ... CMD [...]');

    // A throw-away database and queue prefix, as compose would give the containers.
    const database = `loupe_docker_check_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: postgresUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await c.end();
    });
    const prefix = `dockercheck${randomBytes(3).toString('hex')}`;
    cleanups.push(async () => {
      const r = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        if (keys.length) await r.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      r.disconnect();
    });
    const [apiPort, workerPort] = [await freePort(), await freePort()];
    const processEnv = {
      PATH: process.env.PATH,
      ...envOf(runtime),
      // docker/example.env copied to docker/.env, as the compose files' env_file reads it ...
      ...readEnvFile(join(context, 'docker/example.env')),
      // ... and what the compose files set over it (on loopback here, where compose says 0.0.0.0).
      DATABASE_URL: Object.assign(new URL(postgresUrl), { pathname: `/${database}` }).toString(),
      REDIS_URL: redisUrl,
      LOUPE_ADMIN_EMAIL: 'docker-check@loupe.local',
      LOUPE_ADMIN_PASSWORD: 'docker-check-password',
      HOST: '127.0.0.1',
      PORT: String(apiPort),
      LOUPE_WORKER_PORT: String(workerPort),
      LOUPE_INLINE_WORKER: 'false',
      LOUPE_LOG_FORMAT: 'json',
      LOUPE_QUEUE_PREFIX: prefix,
    };
    const api = startProcess('the api', [...entrypoint, ...cmd], { cwd: app, env: processEnv });
    cleanups.push(() => api.stop(5000));
    const probe = (role) => spawnSync(json(healthcheck)[0], [...json(healthcheck).slice(1), ...(role ? [role] : [])], { cwd: app, env: processEnv, encoding: 'utf8', timeout: 10_000 }).status === 0;
    await waitFor('the api answers its health check', async () => probe(), api);
    step(`the api started as \`${[...entrypoint, ...cmd].join(' ')}\` and is healthy (${healthcheck})`, true);

    const base = `http://127.0.0.1:${apiPort}`;
    const page = await fetch(`${base}/sessions`, { headers: { accept: 'text/html' } });
    step('the console is built into the image', page.status === 200 && (await page.text()).includes('<div id="root">'));
    const sdk = await fetch(`${base}/sdk/loupe.js`);
    step('the recorder SDK is built into the image', sdk.status === 200 && (await sdk.text()).length > 1000);

    const worker = startProcess('the worker', [...entrypoint, 'worker'], { cwd: app, env: processEnv });
    cleanups.push(() => worker.stop(5000));
    await waitFor('the worker answers its health check', async () => probe('worker'), worker);
    step('the worker started as `' + [...entrypoint, 'worker'].join(' ') + '` and is healthy', true);
    const stopped = async (proc) => {
      const exit = await proc.stop();
      step(`${proc.label} stops on SIGTERM with exit code 0`, exit.code === 0, exit.code === 0 ? '' : `${JSON.stringify(exit)}\n${proc.output().slice(-3000)}`);
    };
    await stopped(api);
    step("the image's health check, given no role, finds a worker when no api listens", probe());
    await stopped(worker);
    return { ok: steps.every((s) => s.ok), steps };
  } finally {
    for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch((err) => log(`cleanup: ${err.message}`));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const value = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const result = await dockerCheck({
    reuseNodeModules: args.includes('--reuse-node-modules'),
    postgresUrl: value('--postgres', 'postgres://postgres@127.0.0.1:5432/postgres'),
    redisUrl: value('--redis', 'redis://127.0.0.1:6379'),
    keep: args.includes('--keep'),
    log: (line) => console.log(line),
  });
  console.log(result.ok ? '\nThe image recipe builds and starts.' : '\nThe image recipe does not work: see FAIL above.');
  process.exit(result.ok ? 0 : 1);
}
