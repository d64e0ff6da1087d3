import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { query } from './cluster';

/** A free TCP port on loopback, for a service that must come back where it was. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, up: boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (open === up) return;
    if (Date.now() - started > timeoutMs) throw new Error(`port ${port} did not ${up ? 'open' : 'close'} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A Redis of the test's own, without persistence, on a port of its own: it can be killed and
 * started again empty, as a Redis container without a volume comes back. The shared one is never touched.
 */
export class ThrowawayRedis {
  private child: ChildProcess | null = null;
  private constructor(readonly port: number) {}

  static available(): boolean {
    try {
      execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }

  static async start(): Promise<ThrowawayRedis> {
    const r = new ThrowawayRedis(await freePort());
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitForPort(this.port, true);
  }

  /** Killed, as a crash or an out-of-memory kill would: no shutdown, no save. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    await waitForPort(this.port, false);
  }
}

const PG_BIN = '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL cluster of the test's own (initdb in a temporary folder, its own port and socket
 * folder), stopped with `pg_ctl stop -m immediate` as a crash would and started again on the same
 * data. The shared server is never touched. As root, the cluster runs as the `postgres` user.
 */
export class ThrowawayPostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static available(): boolean {
    try {
      execFileSync(join(PG_BIN, 'pg_ctl'), ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }

  private static run(cmd: string, args: string[]): void {
    const root = process.getuid?.() === 0;
    if (root) execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, cmd), ...args], { stdio: 'pipe' });
    else execFileSync(join(PG_BIN, cmd), args, { stdio: 'pipe' });
  }

  static async create(): Promise<ThrowawayPostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'loupe-pg-'));
    chmodSync(dir, 0o755);
    if (process.getuid?.() === 0) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
    ThrowawayPostgres.run('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    const pg = new ThrowawayPostgres(dir, await freePort());
    await pg.start();
    return pg;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<void> {
    ThrowawayPostgres.run('pg_ctl', ['-D', join(this.dir, 'data'), '-l', join(this.dir, 'log'), '-w', '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
    await waitForPort(this.port, true);
  }

  /** Stopped at once, connections cut, as when the database host goes away. */
  async crash(): Promise<void> {
    ThrowawayPostgres.run('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    await waitForPort(this.port, false);
  }

  async destroy(): Promise<void> {
    try {
      ThrowawayPostgres.run('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Already stopped.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Every stored chunk, decompressed: what was recorded, to count markers and check ids against rows. */
export async function storedChunks(databaseUrl: string): Promise<Array<{ session_id: string; window_id: string; seq: number; json: string }>> {
  const rows = await query<{ session_id: string; window_id: string; seq: number; encoding: string; body: Buffer }>(databaseUrl, 'SELECT session_id, window_id, seq, encoding, body FROM recording_chunk ORDER BY session_id, window_id, seq');
  return rows.map((r) => ({ session_id: r.session_id, window_id: r.window_id, seq: Number(r.seq), json: (r.encoding === 'br' ? brotliDecompressSync(r.body) : gunzipSync(r.body)).toString('utf8') }));
}

/** How many times a custom event named `name` (Loupe.track) was stored. */
export const timesStored = (chunks: Array<{ json: string }>, name: string) => chunks.reduce((n, c) => n + c.json.split(`"name":"${name}"`).length - 1, 0);
