import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger, type LoggerService } from '@nestjs/common';
import { pino, stdTimeFunctions, type DestinationStream, type Logger as Pino } from 'pino';
import type { LoupeConfig } from '../config/config';

/** What every log line written while a request is being answered carries. */
export interface RequestContext {
  reqId: string;
}

/**
 * The request being answered, for log lines written deep in a service that never sees it. Set by
 * the api's request hooks (see `http/request-id.ts`).
 */
export const requestContext = new AsyncLocalStorage<RequestContext>();

/**
 * Nest's own start-up chatter (one line per module and per route) is kept for `debug`: at `info` a
 * log says what Loupe did, not how Nest assembled it.
 */
const NEST_INTERNALS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/**
 * The process's one logger: JSON lines (or readable lines, `LOUPE_LOG_FORMAT=pretty`) on stdout,
 * with the request id of the request being answered. Nest's `Logger` writes through it too, so
 * every line of every module looks alike. `destination` is for tests.
 */
export function createLogger(config: Pick<LoupeConfig, 'logLevel' | 'logFormat' | 'role'>, destination?: DestinationStream): Pino {
  return pino(
    {
      level: config.logLevel,
      base: { role: config.role, pid: process.pid },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const ctx = requestContext.getStore();
        return ctx ? { reqId: ctx.reqId } : {};
      },
    },
    destination ?? (config.logFormat === 'pretty' ? prettyLines(process.stdout) : undefined),
  );
}

/** Makes `logger` the one behind every `new Logger(context)` of Nest in this process. */
export function useForNest(logger: Pino): LoggerService {
  const service = new NestPinoLogger(logger);
  Logger.overrideLogger(service);
  return service;
}

/** Nest's LoggerService over pino: the last string argument is the context, an error's first its stack. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Pino) {}

  log(message: unknown, ...rest: unknown[]) {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.write('error', message, rest, true);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]) {
    this.write('fatal', message, rest, true);
  }

  private write(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', message: unknown, rest: unknown[], mayHaveStack = false) {
    const strings = rest.filter((r): r is string => typeof r === 'string');
    const context = strings.length ? strings[strings.length - 1] : undefined;
    const stack = mayHaveStack && strings.length > 1 ? strings[0] : undefined;
    const effective = level === 'info' && context && NEST_INTERNALS.has(context) ? 'debug' : level;
    if (!this.logger.isLevelEnabled(effective)) return;
    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    if (stack) fields.stack = stack;
    if (message instanceof Error) {
      fields.err = message;
      this.logger[effective](fields, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[effective]({ ...fields, ...(message as object) });
    } else {
      this.logger[effective](fields, String(message));
    }
  }
}

const LEVEL_LABELS: Record<string, string> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR', fatal: 'FATAL' };
const OMITTED = new Set(['level', 'time', 'msg', 'pid', 'role', 'context', 'reqId', 'stack', 'err']);

/** One readable line per entry: `12:00:01.123 INFO  [Context] message key=value (req abc)`. */
export function prettyLines(out: NodeJS.WritableStream): DestinationStream {
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
      const label = LEVEL_LABELS[String(entry.level)] ?? String(entry.level).toUpperCase();
      const context = entry.context ? `[${String(entry.context)}] ` : '';
      const extra = Object.entries(entry)
        .filter(([k]) => !OMITTED.has(k))
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      const req = entry.reqId ? ` (req ${String(entry.reqId)})` : '';
      const err = entry.err as { stack?: string } | undefined;
      const stack = typeof entry.stack === 'string' ? `\n${entry.stack}` : err?.stack ? `\n${err.stack}` : '';
      out.write(`${time} ${label} ${context}${String(entry.msg ?? '')}${extra ? ` ${extra}` : ''}${req}${stack}\n`);
    },
  };
}
