import type { IngestBatch } from '@loupe/contracts/recording';

/**
 * Cuts a run of serialized events into batches of at most `maxBytes` and `maxEvents`, as
 * [start, end) index pairs. An event larger than `maxBytes` travels alone rather than being lost.
 */
export function splitBySize(sizes: readonly number[], maxBytes: number, maxEvents: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < sizes.length; i++) {
    const size = (sizes[i] ?? 0) + 1;
    if (i > start && (bytes + size > maxBytes || i - start >= maxEvents)) {
      out.push([start, i]);
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (start < sizes.length) out.push([start, sizes.length]);
  return out;
}

/** The batch's JSON, built from events already serialized so that no event is stringified twice. */
export function envelopeJson(head: Omit<IngestBatch, 'events'>, events: readonly string[]): string {
  const h = JSON.stringify(head);
  return `${h.slice(0, -1)},"events":[${events.join(',')}]}`;
}

export type Props = Record<string, string | number | boolean | null>;

export function truncate(value: string, max: number): string {
  return value.length > max ? value.slice(0, max) : value;
}

/**
 * Keeps what the payload types allow: strings (cut to `maxString`), finite numbers, booleans and
 * null; anything else is dropped, so a page passing a DOM node or a cyclic object costs nothing.
 */
export function cleanProps(input: unknown, maxKeys = 50, maxString = 1000): Props {
  const out: Props = {};
  if (!input || typeof input !== 'object') return out;
  let n = 0;
  for (const key of Object.keys(input)) {
    if (n >= maxKeys) break;
    const v = (input as Record<string, unknown>)[key];
    if (typeof v === 'string') out[truncate(key, 100)] = truncate(v, maxString);
    else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean' || v === null) out[truncate(key, 100)] = v;
    else continue;
    n++;
  }
  return out;
}

/** A readable one-line text for any thrown or rejected value, never throwing itself. */
export function describe(value: unknown, max = 1000): string {
  try {
    if (typeof value === 'string') return truncate(value, max);
    if (value instanceof Error) return truncate(`${value.name}: ${value.message}`, max);
    const json = JSON.stringify(value);
    return truncate(json === undefined ? String(value) : json, max);
  } catch {
    try {
      return truncate(String(value), max);
    } catch {
      return 'unreadable value';
    }
  }
}
