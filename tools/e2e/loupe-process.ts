import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface LoupeProcess {
  url: string;
  output: () => string;
  stop(): Promise<number | null>;
}

/**
 * Runs the built api exactly as `npm start` does (one process, embedded database in `dataDir`)
 * and waits for the banner that says where the console is.
 */
export async function startLoupe(dataDir: string, env: Record<string, string> = {}): Promise<LoupeProcess> {
  if (!existsSync('dist/apps/api/main.js')) {
    // A plain script module without types: its path is kept out of the type checker's sight.
    const script = '../build.mjs';
    const { buildAll } = (await import(script)) as { buildAll: (o: { quiet: boolean }) => Promise<void> };
    await buildAll({ quiet: true });
  }
  const child: ChildProcess = spawn(process.execPath, ['dist/apps/api/main.js'], {
    env: { PATH: process.env.PATH ?? '', LOUPE_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOUPE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Loupe did not start in time:\n${out}`)), 60_000);
    const check = () => {
      const m = /Console:\s+(http:\/\/\S+?)\/?\s/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Loupe exited with ${code} before it was ready:\n${out}`));
    });
  });
  return {
    url,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}
