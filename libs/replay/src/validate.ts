import { INGEST_LIMITS } from '@loupe/contracts/recording';

/** rrweb's event types run from DomContentLoaded (0) to Plugin (6); 7..10 are kept free for newer rrweb. */
const MAX_EVENT_TYPE = 10;

/**
 * The cheap checks the ingest endpoint makes on a batch's events without a schema library: each is
 * an object with an integer `type` in 0..10 and a finite `timestamp`, times never go backwards, and
 * every time lies within `maxSkewMs` of the server's clock. Returns null when all is well, else the
 * first problem in words a developer can act on.
 */
export function checkEventOrder(events: unknown, now: number, maxSkewMs: number = INGEST_LIMITS.maxClockSkewMs): string | null {
  if (!Array.isArray(events)) return 'events must be an array of rrweb events';
  let previous = -Infinity;
  for (let i = 0; i < events.length; i++) {
    const event: unknown = events[i];
    if (typeof event !== 'object' || event === null || Array.isArray(event)) return `event ${i} is not an object`;
    const { type, timestamp } = event as { type?: unknown; timestamp?: unknown };
    if (typeof type !== 'number' || !Number.isInteger(type) || type < 0 || type > MAX_EVENT_TYPE) {
      return `event ${i} has type ${describe(type)}; an rrweb event type is an integer from 0 to ${MAX_EVENT_TYPE}`;
    }
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
      return `event ${i} has timestamp ${describe(timestamp)}; it must be a finite number of milliseconds since 1970`;
    }
    if (timestamp < previous) return `event ${i} is older than event ${i - 1}; events must be in time order`;
    previous = timestamp;
    const offset = timestamp - now;
    if (Math.abs(offset) > maxSkewMs) {
      const when = offset > 0 ? `${formatSpan(offset)} from now` : `${formatSpan(-offset)} ago`;
      const hint =
        Math.abs(timestamp * 1000 - now) <= maxSkewMs ? 'it looks like seconds: send milliseconds since 1970' : "check the device's clock";
      return `event ${i} has a timestamp ${when}, more than ${formatSpan(maxSkewMs)} off the server's clock; ${hint}`;
    }
  }
  return null;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return `of type ${Array.isArray(value) ? 'array' : typeof value}`;
}

const UNITS: ReadonlyArray<[string, number]> = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/** "9 days", "7.5 days", "3 hours", "250 ms": the largest unit that gives at least 1. */
export function formatSpan(ms: number): string {
  for (const [unit, size] of UNITS) {
    if (ms >= size) {
      const value = Math.round((ms / size) * 10) / 10;
      return `${value} ${unit}${value === 1 ? '' : 's'}`;
    }
  }
  return `${Math.round(ms)} ms`;
}
