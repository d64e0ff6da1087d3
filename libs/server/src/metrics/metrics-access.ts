import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';

export interface MetricsRefusal {
  status: 401 | 403;
  message: string;
}

/**
 * Who may read `/metrics`. With `LOUPE_METRICS_TOKEN` set: whoever sends it as a bearer token.
 * Without: a scraper on the same machine or private network that reaches Loupe directly; a request
 * that came through a proxy (it carries X-Forwarded-For or Forwarded) is refused, so a site
 * published behind a reverse proxy never shows its metrics to the internet.
 */
export function metricsRefusal(token: string | undefined, headers: IncomingHttpHeaders, peerAddress: string | undefined): MetricsRefusal | null {
  if (token) {
    const sent = /^Bearer\s+(.+)$/i.exec(String(headers.authorization ?? ''))?.[1]?.trim();
    if (sent && sameSecret(sent, token)) return null;
    return { status: 401, message: 'Metrics need the token set in LOUPE_METRICS_TOKEN: send it as `Authorization: Bearer <token>`.' };
  }
  if (headers['x-forwarded-for'] || headers.forwarded) {
    return { status: 403, message: 'Metrics are not served through a proxy unless LOUPE_METRICS_TOKEN is set: scrape Loupe directly from a private network, or set the token.' };
  }
  if (!isPrivateAddress(peerAddress ?? '')) {
    return { status: 403, message: 'Metrics are served to loopback and private addresses only unless LOUPE_METRICS_TOKEN is set: set it and send it as a bearer token.' };
  }
  return null;
}

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Loopback, private (RFC 1918, fc00::/7) and link-local addresses, IPv4-mapped ones included. */
export function isPrivateAddress(address: string): boolean {
  const a = address.replace(/^::ffff:/i, '');
  if (isIP(a) === 4) {
    const [x, y] = a.split('.').map(Number) as [number, number];
    return x === 127 || x === 10 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168) || (x === 169 && y === 254);
  }
  if (isIP(a) === 6) {
    const lower = a.toLowerCase();
    return lower === '::1' || /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower);
  }
  return false;
}
