import net from 'node:net';

/**
 * Which real services the tests run against. On a laptop with nothing installed only the embedded
 * database is used and the rest report themselves skipped; with CI=true every service is required.
 */
export const isCI = ['true', '1'].includes(String(process.env.CI ?? '').toLowerCase());

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function requestedServices() {
  return {
    databaseUrl: process.env.LOUPE_TEST_DATABASE_URL || undefined,
    redisUrl: process.env.LOUPE_TEST_REDIS_URL || DEFAULT_REDIS_URL,
  };
}

export function reachable(url: string, timeoutMs = 1000): Promise<boolean> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol.startsWith('redis') ? 6379 : 5432));
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Refuses to wipe a database whose name does not say it is for tests, so a mistyped URL can never
 * empty a real install.
 */
export function assertTestDatabase(url: string): void {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!/test/i.test(name)) {
    throw new Error(`Refusing to wipe the database "${name}": its name must contain "test" (set LOUPE_TEST_DATABASE_URL to a throw-away database).`);
  }
}
