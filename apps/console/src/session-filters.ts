import { SIGNAL_KINDS } from '@loupe/contracts/signal-kinds';

/**
 * The Sessions page's filters live in its URL query, so that a filtered view can be bookmarked and
 * shared. Names and units follow the API's (`minDuration` in ms, `hasError=true`); a time range
 * preset is kept as a preset (`range=24h`) and turned into dates only when asking the API, so a
 * shared link to "the last 24 hours" means the last 24 hours when it is opened.
 */

export const RANGE_PRESETS = [
  { value: 'any', label: 'Any time', ms: null },
  { value: '1h', label: 'Last hour', ms: 3600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 24 * 3600_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 24 * 3600_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 24 * 3600_000 },
  { value: 'custom', label: 'Custom range', ms: null },
] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number]['value'];

export const MIN_DURATIONS = [
  { value: 0, label: 'Any length' },
  { value: 10_000, label: '10 s or more' },
  { value: 30_000, label: '30 s or more' },
  { value: 60_000, label: '1 min or more' },
  { value: 300_000, label: '5 min or more' },
  { value: 900_000, label: '15 min or more' },
] as const;

export const DEVICES = ['desktop', 'tablet', 'mobile'] as const;

/** Frustration filter values: a signal kind, or `any`. */
export const SIGNAL_FILTERS = [...SIGNAL_KINDS, 'any'] as const;
export type SignalFilter = (typeof SIGNAL_FILTERS)[number];

/** Filters that come from the Pages view: a page key each, shown as removable chips. */
export const PAGE_FILTERS = ['page', 'entryPage', 'exitPage', 'signalPage'] as const;
export type PageFilter = (typeof PAGE_FILTERS)[number];
export type Device = (typeof DEVICES)[number];

export interface SessionFilters {
  range: RangePreset;
  /** ISO date-times, for the custom range. */
  from?: string;
  to?: string;
  url?: string;
  user?: string;
  /** Milliseconds. */
  minDuration?: number;
  device?: Device;
  /** Two letters, for projects that keep coarse location. */
  country?: string;
  hasError?: boolean;
  signal?: SignalFilter;
  /** 0–100. */
  minFrustration?: number;
  bounced?: boolean;
  page?: string;
  entryPage?: string;
  exitPage?: string;
  signalPage?: string;
  /** An experiment's key: sessions of its exposed visitors, from their exposure on. */
  experiment?: string;
  /** With `experiment`: one variant's visitors. */
  variant?: string;
}

const isPreset = (v: string | null): v is RangePreset => RANGE_PRESETS.some((p) => p.value === v);
const isDevice = (v: string | null): v is Device => DEVICES.some((d) => d === v);
const isSignal = (v: string | null): v is SignalFilter => SIGNAL_FILTERS.some((k) => k === v);
const bool = (v: string | null) => (v === 'true' ? true : v === 'false' ? false : undefined);
const validDate = (v: string | null) => (v && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : undefined);
const text = (v: string | null) => (v && v.trim() ? v.trim() : undefined);
/** Two letters, upper-cased; anything else is no filter (the API would refuse it). */
export const countryCode = (v: string | null | undefined) => (v && /^[A-Za-z]{2}$/.test(v.trim()) ? v.trim().toUpperCase() : undefined);

/** Reads the filters from a page URL; anything malformed is ignored rather than refused. */
export function readFilters(params: URLSearchParams): SessionFilters {
  const from = validDate(params.get('from'));
  const to = validDate(params.get('to'));
  const range = params.get('range');
  const minDuration = Number(params.get('minDuration'));
  const hasError = params.get('hasError');
  const device = params.get('device');
  const signal = params.get('signal');
  const minFrustration = Number(params.get('minFrustration'));
  return {
    range: isPreset(range) ? range : from || to ? 'custom' : 'any',
    from,
    to,
    url: text(params.get('url')),
    user: text(params.get('user')),
    minDuration: Number.isInteger(minDuration) && minDuration > 0 ? minDuration : undefined,
    device: isDevice(device) ? device : undefined,
    country: countryCode(params.get('country')),
    hasError: bool(hasError),
    signal: isSignal(signal) ? signal : undefined,
    minFrustration: Number.isFinite(minFrustration) && minFrustration > 0 && minFrustration <= 100 ? minFrustration : undefined,
    bounced: bool(params.get('bounced')),
    page: text(params.get('page')),
    entryPage: text(params.get('entryPage')),
    exitPage: text(params.get('exitPage')),
    signalPage: text(params.get('signalPage')),
    experiment: text(params.get('experiment')),
    // A variant is always of one experiment: alone it would be refused by the API.
    variant: text(params.get('experiment')) ? text(params.get('variant')) : undefined,
  };
}

/** The filters added to the API query and the page URL alike, in this order. */
function extras(f: SessionFilters, out: URLSearchParams): void {
  if (f.country) out.set('country', f.country);
  if (f.signal) out.set('signal', f.signal);
  if (f.minFrustration) out.set('minFrustration', String(f.minFrustration));
  if (f.bounced !== undefined) out.set('bounced', String(f.bounced));
  for (const name of PAGE_FILTERS) {
    const v = f[name];
    if (v) out.set(name, v);
  }
  if (f.experiment) {
    out.set('experiment', f.experiment);
    if (f.variant) out.set('variant', f.variant);
  }
}

/** The page URL query for `filters`, with only what differs from the defaults. */
export function writeFilters(f: SessionFilters): URLSearchParams {
  const out = new URLSearchParams();
  if (f.range !== 'any') out.set('range', f.range);
  if (f.range === 'custom') {
    if (f.from) out.set('from', f.from);
    if (f.to) out.set('to', f.to);
  }
  if (f.url) out.set('url', f.url);
  if (f.user) out.set('user', f.user);
  if (f.minDuration) out.set('minDuration', String(f.minDuration));
  if (f.device) out.set('device', f.device);
  if (f.hasError !== undefined) out.set('hasError', String(f.hasError));
  extras(f, out);
  return out;
}

export const hasFilters = (f: SessionFilters) => writeFilters(f).size > 0;

/** The API query (`GET /api/v1/sessions`) for `filters`, relative presets resolved against `now`. */
export function listQuery(projectId: string, f: SessionFilters, now = Date.now()): URLSearchParams {
  const q = new URLSearchParams({ project: projectId });
  const preset = RANGE_PRESETS.find((p) => p.value === f.range);
  if (preset?.ms) q.set('from', new Date(now - preset.ms).toISOString());
  if (f.range === 'custom') {
    if (f.from) q.set('from', f.from);
    if (f.to) q.set('to', f.to);
  }
  if (f.url) q.set('url', f.url);
  if (f.user) q.set('user', f.user);
  if (f.minDuration) q.set('minDuration', String(f.minDuration));
  if (f.device) q.set('device', f.device);
  if (f.hasError !== undefined) q.set('hasError', String(f.hasError));
  extras(f, q);
  return q;
}

/** `2026-11-22T08:00` in the browser's time zone, for a `datetime-local` field. */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
