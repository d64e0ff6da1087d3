/**
 * Everything a recording carries was written by a browser we do not control, so every value that
 * reaches the database goes through these helpers: wrong types are dropped, strings are cut, and
 * property bags keep a bounded number of primitive values.
 */

/** Largest sizes kept in a typed event; longer strings are cut, extra properties dropped. */
export const TYPED_EVENT_LIMITS = {
  url: 2048,
  name: 200,
  selector: 500,
  text: 500,
  stack: 4000,
  propKeys: 50,
  propKey: 100,
  propString: 500,
} as const;

export type PropValue = string | number | boolean | null;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Cuts to `max` UTF-16 units without leaving half of a surrogate pair at the end. */
export function clip(value: string, max: number): string {
  if (value.length <= max) return value;
  let end = max;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return value.slice(0, end);
}

/** A non-empty string cut to `max`, or undefined. */
export function str(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value.length > 0 ? clip(value, max) : undefined;
}

export function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Coordinates are stored as whole CSS pixels; sub-pixel precision means nothing on a heatmap. */
export function coord(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : undefined;
}

export function nodeIdOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

export function size(value: unknown): { width: number; height: number } | undefined {
  if (!isRecord(value)) return undefined;
  const width = coord(value['width']);
  const height = coord(value['height']);
  return width !== undefined && height !== undefined && width >= 0 && height >= 0 ? { width, height } : undefined;
}

export function box(value: unknown): { x: number; y: number; width: number; height: number } | undefined {
  if (!isRecord(value)) return undefined;
  const x = coord(value['x']);
  const y = coord(value['y']);
  const dims = size(value);
  return x !== undefined && y !== undefined && dims ? { x, y, ...dims } : undefined;
}

/**
 * A bounded copy of a user-supplied property bag: primitives only (the SDK's contract), at most
 * `propKeys` keys, long keys and strings cut. `__proto__` is skipped because assigning it would
 * replace the copy's prototype instead of adding a property.
 */
export function cappedProps(value: unknown): Record<string, PropValue> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, PropValue> = {};
  let kept = 0;
  for (const rawKey of Object.keys(value)) {
    if (kept >= TYPED_EVENT_LIMITS.propKeys) break;
    const key = clip(rawKey, TYPED_EVENT_LIMITS.propKey);
    if (key === '__proto__' || key.length === 0) continue;
    const v = value[rawKey];
    let keptValue: PropValue | undefined;
    if (typeof v === 'string') keptValue = clip(v, TYPED_EVENT_LIMITS.propString);
    else if (typeof v === 'number') keptValue = Number.isFinite(v) ? v : undefined;
    else if (typeof v === 'boolean' || v === null) keptValue = v;
    if (keptValue === undefined || Object.prototype.hasOwnProperty.call(out, key)) continue;
    out[key] = keptValue;
    kept++;
  }
  return out;
}
