import { PageSettings, type PageKeySettings } from '@loupe/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER = /^\d+$/;
const HASH = /^[0-9a-f]{16,}$/i;
/** Order numbers and opaque ids: eight or more letters and digits, with at least one digit and one letter. */
const CODE = /^(?=.*\d)(?=.*[a-z])[a-z0-9_-]{8,}$/i;
const MAX_KEY = 500;

export const PAGE_KEY_DEFAULTS: PageKeySettings = PageSettings.defaults;

/** Replaces one path segment that is an id with its placeholder; anything else is kept. */
function segmentKey(segment: string): string {
  if (NUMBER.test(segment)) return ':id';
  if (UUID.test(segment)) return ':uuid';
  if (HASH.test(segment)) return ':hash';
  if (CODE.test(segment) && !segment.includes('-')) return ':id';
  return segment;
}

function compile(pattern: string): RegExp {
  const parts = pattern.replace(/\/+$/, '').split('/').slice(1);
  const body = parts.map((p) => (p === '**' ? '(?:/[^/]+)*' : '/' + p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+'))).join('');
  return new RegExp(`^${body || '/?'}/?$`);
}

const compiled = new Map<string, RegExp>();
function matches(pattern: string, path: string): boolean {
  let re = compiled.get(pattern);
  if (!re) {
    re = compile(pattern);
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re.test(path);
}

/**
 * The page a URL is, for grouping: its path with ids replaced, the query parameters that matter,
 * and the host when the project asks for it. Deterministic, so a key computed twice is the same.
 */
export function pageKey(url: string, settings: PageKeySettings = PAGE_KEY_DEFAULTS): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.slice(0, MAX_KEY);
  }
  let path = parsed.pathname;
  const fragment = parsed.hash;
  if (settings.hashRoutes && /^#!?\//.test(fragment)) {
    const route = fragment.replace(/^#!?/, '');
    const [routePath] = route.split('?');
    path = `${path.replace(/\/+$/, '')}${routePath ?? ''}`;
  }
  path = path.replace(/\/{2,}/g, '/');
  if (path.length > 1) path = path.replace(/\/+$/, '');
  if (!path) path = '/';

  let key: string | undefined;
  for (const rule of settings.rules) {
    if (matches(rule.match, path)) {
      key = rule.key;
      break;
    }
  }
  if (key === undefined) key = settings.groupIds ? path.split('/').map((s) => (s ? segmentKey(s) : s)).join('/') : path;

  if (settings.keepQuery.length) {
    const kept = [...new Set(settings.keepQuery)]
      .filter((name) => parsed.searchParams.has(name))
      .sort()
      .map((name) => `${encodeURIComponent(name)}=${encodeURIComponent(parsed.searchParams.get(name) ?? '')}`);
    if (kept.length) key += `?${kept.join('&')}`;
  }
  if (settings.includeHost) key = parsed.host + key;
  return key.slice(0, MAX_KEY);
}
