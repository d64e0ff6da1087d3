import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentsHost, Catch, HttpException, Logger, NotFoundException, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Paths that belong to machines; everything else that is not found is a console page. */
const API_PREFIXES = ['/api/', '/v1/', '/sdk/', '/demo/', '/healthz', '/metrics'];

/**
 * Turns every error into the JSON shape of `ApiError`, and answers the console's own routes
 * (`/sessions`, `/settings`...) with its `index.html`, so that a reload on any page works.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('Http');
  private indexHtml: string | null | undefined;

  constructor(private readonly consoleDir?: string) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();

    if (exception instanceof NotFoundException && this.isConsolePage(req)) {
      const html = this.consoleIndex();
      if (html) {
        void reply.status(200).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
        return;
      }
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const payload = typeof body === 'string' ? { statusCode: status, error: exception.name, message: body } : { statusCode: status, ...body };
      const retryAfter = (payload as { retryAfter?: number }).retryAfter;
      if (retryAfter) void reply.header('retry-after', String(retryAfter));
      delete (payload as { retryAfter?: number }).retryAfter;
      void reply.status(status).type('application/json; charset=utf-8').send(payload);
      return;
    }
    const err = exception as { statusCode?: number; message?: string; code?: string };
    // Fastify's own errors (body too large, bad JSON, wrong content type) carry a 4xx status.
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      void reply.status(err.statusCode).type('application/json; charset=utf-8').send({ statusCode: err.statusCode, error: ERROR_NAMES[err.statusCode] ?? 'Bad Request', message: explainFastifyError(err, req) });
      return;
    }
    // PostgreSQL refusing a value it was given (a NUL character, a number or date out of its range)
    // is the caller's input, not the server's fault; nothing was written, since the statement failed.
    const sqlState = (exception as { code?: unknown })?.code;
    if (typeof sqlState === 'string' && VALUE_REFUSED.has(sqlState)) {
      void reply.status(400).type('application/json; charset=utf-8').send({ statusCode: 400, error: 'Bad Request', message: 'A value in the request cannot be stored or compared: it holds a NUL character, or a number or date out of range. Correct the value and send it again.' });
      return;
    }
    this.log.error(`${req.method} ${req.url} failed: ${(exception as Error)?.stack ?? String(exception)}`);
    void reply.status(500).type('application/json; charset=utf-8').send({ statusCode: 500, error: 'Internal Server Error', message: 'Something went wrong on the server. The error has been logged.' });
  }

  private isConsolePage(req: FastifyRequest): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (API_PREFIXES.some((p) => req.url === p.replace(/\/$/, '') || req.url.startsWith(p))) return false;
    return String(req.headers.accept ?? '').includes('text/html');
  }

  private consoleIndex(): string | null {
    if (this.indexHtml === undefined) {
      const file = this.consoleDir ? join(this.consoleDir, 'index.html') : '';
      this.indexHtml = file && existsSync(file) ? readFileSync(file, 'utf8') : null;
    }
    return this.indexHtml;
  }
}

/** SQLSTATEs of data exceptions caused by a value: NUL in text, bad encoding, numbers and dates out of range, bad text for a type. */
const VALUE_REFUSED = new Set(['22021', '22P05', '22003', '22008', '22007', '22P02', '54000']);

const ERROR_NAMES: Record<number, string> = { 413: 'Payload Too Large', 415: 'Unsupported Media Type' };

function explainFastifyError(err: { code?: string; message?: string }, req: FastifyRequest): string {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'The request body is larger than this endpoint accepts.';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const sent = String(req.headers['content-type'] ?? '').split(';')[0]?.trim() || 'none';
      return `This endpoint does not accept the Content-Type ${sent}; send application/json.`;
    }
    case 'LOUPE_UNSUPPORTED_CONTENT_TYPE':
    case 'LOUPE_NUL_IN_URL':
      return err.message ?? 'The request is not valid.';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'The body is empty; send a JSON object.';
    default:
      return err.message?.includes('JSON') ? 'The body is not valid JSON.' : (err.message ?? 'The request is not valid.');
  }
}
