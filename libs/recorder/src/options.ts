import { INGEST_LIMITS } from '@loupe/contracts/recording';

export type ConsoleLevel = 'error' | 'warn' | 'info' | 'log' | 'debug';

export interface LoupeOptions {
  /** The project's public key, shown in the console's project settings. */
  key: string;
  /** Base URL of the Loupe server, e.g. `https://loupe.example.com`. Defaults to the server the script was loaded from. */
  endpoint?: string;
  /** Mask the value of every input, textarea and select. Default true. Passwords are masked whatever this says. */
  maskAllInputs?: boolean;
  /** Mask all text of the page, as if every element had `data-loupe-mask`. Default false. */
  maskAllText?: boolean;
  /** More elements whose text is masked, beside `[data-loupe-mask]`. */
  maskTextSelector?: string;
  /** More elements not recorded at all, beside `[data-loupe-block]`. */
  blockSelector?: string;
  /** More inputs whose typing is not recorded, beside `[data-loupe-ignore]`. */
  ignoreSelector?: string;
  /** Console levels recorded; `false` records none. Default `['error', 'warn']`. */
  console?: ConsoleLevel[] | false;
  /** A full snapshot this often, so that seeking in a long visit does not replay it from its start. Default 180000 (3 minutes); 0 turns it off. */
  checkoutEveryNms?: number;
  /** How often buffered events are sent. Default 5000 ms. */
  flushIntervalMs?: number;
  /** Send before the buffer holds this many bytes of JSON. Default 200000. */
  maxBatchBytes?: number;
  /** Send before the buffer holds this many events. Default 1000. */
  maxBatchEvents?: number;
  /** Room in localStorage for batches not yet delivered. Default 2000000 characters. */
  maxStoredBytes?: number;
  /**
   * Record and send nothing, and store nothing in the browser, until `Loupe.consent(true)`. The
   * answer is remembered in localStorage, so later pages start at once. Default false.
   */
  requireConsent?: boolean;
  /** Retries of a failed send. */
  retry?: { baseDelayMs?: number; maxDelayMs?: number; attempts?: number };
}

export interface ResolvedOptions {
  key: string;
  endpoint: string;
  ingestUrl: string;
  maskAllInputs: boolean;
  maskAllText: boolean;
  maskTextSelector: string;
  blockSelector: string;
  ignoreSelector: string;
  console: ConsoleLevel[];
  checkoutEveryNms: number;
  flushIntervalMs: number;
  maxBatchBytes: number;
  maxBatchEvents: number;
  maxStoredBytes: number;
  requireConsent: boolean;
  retry: { baseDelayMs: number; maxDelayMs: number; attempts: number };
}

const LEVELS: readonly ConsoleLevel[] = ['error', 'warn', 'info', 'log', 'debug'];

const num = (v: unknown, fallback: number, min: number, max: number): number => (typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback);
const join = (base: string, extra: unknown): string => (typeof extra === 'string' && extra.trim() ? `${base},${extra}` : base);

/** The options with defaults filled in and bounds applied, or a message saying what is wrong. */
export function resolveOptions(input: unknown, defaultEndpoint?: string): ResolvedOptions | string {
  if (!input || typeof input !== 'object') return 'init needs an options object: Loupe.init({ key, endpoint }).';
  const o = input as LoupeOptions;
  if (typeof o.key !== 'string' || !o.key.trim()) return 'init needs the project key: Loupe.init({ key: "<public key>", endpoint }).';
  const raw = typeof o.endpoint === 'string' ? o.endpoint : defaultEndpoint;
  if (raw === undefined) return 'init needs the endpoint, the URL of your Loupe server: Loupe.init({ key, endpoint: "https://loupe.example.com" }).';
  // An empty endpoint or a path means the page's own server.
  const endpoint = raw.trim().replace(/\/+$/, '');
  if (endpoint && !/^https?:\/\//i.test(endpoint) && !endpoint.startsWith('/')) return `endpoint must be an http(s) URL such as https://loupe.example.com, not "${endpoint}".`;
  const key = o.key.trim();
  const retry = o.retry ?? {};
  return {
    key,
    endpoint,
    ingestUrl: `${endpoint}/v1/ingest?key=${encodeURIComponent(key)}`,
    maskAllInputs: o.maskAllInputs !== false,
    maskAllText: o.maskAllText === true,
    maskTextSelector: join('[data-loupe-mask]', o.maskTextSelector),
    blockSelector: join('[data-loupe-block]', o.blockSelector),
    ignoreSelector: join('[data-loupe-ignore],[data-loupe-ignore] *', o.ignoreSelector),
    console: o.console === false ? [] : Array.isArray(o.console) ? o.console.filter((l) => LEVELS.includes(l)) : ['error', 'warn'],
    checkoutEveryNms: num(o.checkoutEveryNms, 180_000, 0, 24 * 3600_000),
    flushIntervalMs: num(o.flushIntervalMs, 5000, 250, 60_000),
    // A batch of several events must stay well under the server's compressed limit even if it
    // barely compresses; one event larger than this still travels, alone.
    maxBatchBytes: num(o.maxBatchBytes, 200_000, 10_000, INGEST_LIMITS.maxCompressedBytes / 2),
    maxBatchEvents: num(o.maxBatchEvents, 1000, 1, Math.min(5000, INGEST_LIMITS.maxEventsPerBatch)),
    maxStoredBytes: num(o.maxStoredBytes, 2_000_000, 0, 4_000_000),
    requireConsent: o.requireConsent === true,
    retry: {
      baseDelayMs: num(retry.baseDelayMs, 1000, 10, 60_000),
      maxDelayMs: num(retry.maxDelayMs, 60_000, 10, 3600_000),
      attempts: Math.round(num(retry.attempts, 8, 1, 100)),
    },
  };
}

/** The project's privacy settings as `GET /v1/config` sends them (`privacy` section). */
export interface RemotePrivacy {
  maskAllText?: boolean;
  maskSelectors?: string[];
  blockSelectors?: string[];
  honorDoNotTrack?: boolean;
}

/**
 * The page's options tightened by the project's: masking only ever adds up, so neither side can
 * unmask what the other masks.
 */
export function withRemotePrivacy(o: ResolvedOptions, remote: unknown): ResolvedOptions {
  if (!remote || typeof remote !== 'object') return o;
  const r = remote as RemotePrivacy;
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.trim() !== '' && validSelector(s)).join(',') : '');
  return {
    ...o,
    maskAllText: o.maskAllText || r.maskAllText === true,
    maskTextSelector: join(o.maskTextSelector, list(r.maskSelectors)),
    blockSelector: join(o.blockSelector, list(r.blockSelectors)),
  };
}

/** A selector the browser cannot parse would make rrweb throw on every node; it is left out. */
function validSelector(s: string): boolean {
  try {
    if (typeof document !== 'undefined') document.createDocumentFragment().querySelector(s);
    return true;
  } catch {
    return false;
  }
}

/** Do Not Track or Global Privacy Control, as the browser announces them. */
export function browserRefusesTracking(): boolean {
  if (typeof navigator === 'undefined') return false;
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean; msDoNotTrack?: string };
  const w = typeof window !== 'undefined' ? (window as Window & { doNotTrack?: string }) : undefined;
  return nav.globalPrivacyControl === true || nav.doNotTrack === '1' || nav.doNotTrack === 'yes' || nav.msDoNotTrack === '1' || w?.doNotTrack === '1';
}
