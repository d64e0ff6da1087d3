import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The largest body each path takes; everything else gets the default. */
export interface BodyLimits {
  defaultBytes: number;
  byPathPrefix: Array<{ prefix: string; bytes: number }>;
}

class BodyTooLarge extends Error {
  readonly statusCode = 413;
  readonly code = 'FST_ERR_CTP_BODY_TOO_LARGE';
}

class UnsupportedContentType extends Error {
  readonly statusCode = 415;
  readonly code = 'LOUPE_UNSUPPORTED_CONTENT_TYPE';
}

function limitFor(req: FastifyRequest, limits: BodyLimits): number {
  const path = req.url.split('?')[0] ?? '';
  return limits.byPathPrefix.find((l) => path.startsWith(l.prefix))?.bytes ?? limits.defaultBytes;
}

/**
 * Reads bodies with a limit that depends on the route (an import takes far more than a login), and
 * stops reading as soon as the limit is passed rather than after buffering it all.
 */
function collect(req: FastifyRequest, payload: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new BodyTooLarge(`body of ${declared} bytes is over the limit of ${limit}`));
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    payload.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        payload.removeAllListeners('data');
        reject(new BodyTooLarge(`body is over the limit of ${limit} bytes`));
        return;
      }
      parts.push(chunk);
    });
    payload.on('end', () => resolve(Buffer.concat(parts, size)));
    payload.on('error', reject);
  });
}

/**
 * JSON keeps Fastify's own parser (which refuses `__proto__` and `constructor.prototype` keys);
 * binary and text bodies arrive as Buffers, for ingest and import.
 */
export function registerBodyParsers(fastify: FastifyInstance, limits: BodyLimits): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser('application/json', (req, payload, done) => {
    collect(req, payload, limitFor(req, limits)).then(
      (buf) => parseJson(req, buf.toString('utf8'), done),
      (err: Error) => done(err, undefined),
    );
  });
  fastify.addContentTypeParser(['application/octet-stream', 'application/gzip', 'text/plain'], (req, payload, done) => {
    collect(req, payload, limitFor(req, limits)).then(
      (buf) => done(null, buf),
      (err: Error) => done(err, undefined),
    );
  });
  // Any other type (forms, multipart, XML…) is refused before its body is read, saying what to send.
  fastify.addContentTypeParser('*', (req, _payload, done) => {
    const sent = String(req.headers['content-type'] ?? '').split(';')[0]?.trim() || 'none';
    const wanted = req.url.startsWith('/v1/ingest') ? 'application/octet-stream (gzip-compressed JSON) or text/plain' : req.url.startsWith('/v1/') ? 'text/plain or application/json' : 'application/json';
    done(new UnsupportedContentType(`This endpoint does not accept the Content-Type ${sent}; send ${wanted}.`), undefined);
  });
}
