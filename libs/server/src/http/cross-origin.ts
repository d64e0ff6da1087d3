import type { FastifyInstance } from 'fastify';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface RequestOrigin {
  /** `Sec-Fetch-Site`, which every current browser sends and no page can forge. */
  secFetchSite?: string;
  /** `Origin`, sent by browsers on every cross-origin request and on same-origin writes. */
  origin?: string;
  /** The host the request was addressed to (`Host`, or `X-Forwarded-Host` behind a trusted proxy). */
  host?: string;
}

/**
 * Whether a browser sent this request on behalf of another site. Browsers say so themselves, in
 * `Sec-Fetch-Site` or else in `Origin`; a request with neither header comes from a program (curl, a
 * script, a server) that has no victim's cookie to ride on. Origins listed as trusted (the public URL
 * of the console) pass even when a proxy changed the host.
 */
export function isCrossSiteRequest(r: RequestOrigin, trustedOrigins: ReadonlySet<string>): boolean {
  if (r.origin && trustedOrigins.has(r.origin)) return false;
  if (r.secFetchSite) return r.secFetchSite !== 'same-origin' && r.secFetchSite !== 'none';
  if (!r.origin) return false;
  if (r.origin === 'null') return true;
  try {
    return new URL(r.origin).host !== r.host;
  } catch {
    return true;
  }
}

/**
 * Cross-site request forgery protection for the console's cookie: a write to `/api/…` that a browser
 * makes for another site is refused before it reaches a route. Requests that carry an API key are
 * exempt, since a browser never adds an `Authorization` header by itself. The `SameSite=Lax` cookie
 * already keeps cross-site forms from carrying it; this also covers sibling subdomains (same site,
 * other origin) and older browsers.
 */
export function registerCrossOriginProtection(fastify: FastifyInstance, opts: { publicUrl?: string }): void {
  const trusted = new Set<string>();
  if (opts.publicUrl) trusted.add(new URL(opts.publicUrl).origin);
  fastify.addHook('onRequest', (req, reply, done) => {
    if (SAFE_METHODS.has(req.method) || !req.url.startsWith('/api/') || req.headers.authorization !== undefined) return done();
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    if (!isCrossSiteRequest({ secFetchSite: header('sec-fetch-site'), origin: header('origin'), host: req.host }, trusted)) return done();
    void reply.code(403).send({
      statusCode: 403,
      error: 'Forbidden',
      message:
        'This request came from another site, so it was refused: changes are only accepted from the Loupe console itself. Scripts and other services should send an API key as "Authorization: Bearer lk_…".',
    });
  });
}
