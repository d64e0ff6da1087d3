import type { FastifyInstance } from 'fastify';

/**
 * The console's Content-Security-Policy. Its own code only runs ('self', no inline script, no
 * eval); a replay draws recorded pages in a same-origin iframe that rrweb sandboxes without
 * `allow-scripts`, and that iframe inherits this policy, so recorded scripts never run while the
 * recorded site's images, styles and fonts still load from wherever they were. No one may frame the
 * console (clickjacking), and forms and `<base>` stay on this origin.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src * 'unsafe-inline' data: blob:",
  'img-src * data: blob:',
  'font-src * data:',
  'media-src * data: blob:',
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "frame-src 'self' blob:",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/**
 * `nosniff` on every answer; on HTML, the console's CSP and a refusal to be framed, unless the route
 * declared a policy of its own (the demo store, which stands for a customer's site). Served at an
 * https public URL, browsers are also told to come back over https only (HSTS), so that no one on
 * the network can downgrade a later visit and read the session cookie.
 */
export function registerSecurityHeaders(fastify: FastifyInstance, opts: { httpsOnly?: boolean } = {}): void {
  fastify.addHook('onSend', (_req, reply, payload, done) => {
    void reply.header('x-content-type-options', 'nosniff');
    if (opts.httpsOnly) void reply.header('strict-transport-security', 'max-age=31536000');
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html') && !reply.hasHeader('content-security-policy')) {
      void reply.header('content-security-policy', CONSOLE_CSP).header('x-frame-options', 'DENY').header('referrer-policy', 'same-origin');
    }
    done(null, payload);
  });
}
