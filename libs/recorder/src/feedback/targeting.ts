import type { DeviceClassName, PublicSurvey } from '@loupe/contracts/feedback';

const DAY = 86_400_000;

/**
 * Whether `url` matches a targeting pattern: one starting with `/` is compared with the path and
 * query, any other with the whole URL; `*` stands for any run of characters, and the rest must
 * match exactly. Patterns are plain text, never regular expressions, so a page cannot be made slow
 * by one.
 */
export function urlMatches(pattern: string, url: string): boolean {
  let target = url;
  if (pattern.startsWith('/')) {
    try {
      const u = new URL(url);
      target = u.pathname + u.search;
    } catch {
      return false;
    }
  }
  const parts = pattern.split('*');
  const first = parts[0] ?? '';
  if (parts.length === 1) return target === pattern;
  if (!target.startsWith(first)) return false;
  let at = first.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i] ?? '';
    const found = target.indexOf(part, at);
    if (found < 0) return false;
    at = found + part.length;
  }
  const last = parts[parts.length - 1] ?? '';
  return target.length - last.length >= at && target.endsWith(last);
}

export function pageMatches(t: Pick<PublicSurvey['targeting'], 'urls' | 'excludeUrls'>, url: string): boolean {
  if (t.excludeUrls.some((p) => urlMatches(p, url))) return false;
  return t.urls.length === 0 || t.urls.some((p) => urlMatches(p, url));
}

/**
 * The device class, as the server tells it from the user agent: tablets and phones by name, then a
 * narrow touch screen as a phone. A narrow desktop window stays a desktop.
 */
export function deviceClass(d: { userAgent: string; width: number; coarsePointer: boolean }): DeviceClassName {
  const ua = d.userAgent;
  if (/iPad|Tablet|PlayBook|Silk/i.test(ua) || (/Android/i.test(ua) && !/Mobile/i.test(ua)) || (/Macintosh/i.test(ua) && d.coarsePointer)) return 'tablet';
  if (/Mobi|iPhone|iPod|Android|Windows Phone/i.test(ua)) return 'mobile';
  if (d.coarsePointer && d.width > 0 && d.width < 768) return 'mobile';
  return 'desktop';
}

/** A stable number in [0, 100) for a visitor and a survey (FNV-1a): the same visitor is always in or out of a sample. */
export function samplePoint(visitorId: string, surveyId: string): number {
  let h = 0x811c9dc5;
  const s = `${visitorId}:${surveyId}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h / 0x1_0000_0000) * 100;
}

/** What this browser remembers of one survey (epoch ms). */
export interface SurveyMemory {
  shown?: number;
  dismissed?: number;
  answered?: number;
}

/** Why a survey is not offered to this visitor now, or null when it may be. */
export function holdBack(survey: PublicSurvey, ctx: { url: string; device: DeviceClassName; visitorId: string; memory: SurveyMemory; now: number }): string | null {
  const t = survey.targeting;
  if (!pageMatches(t, ctx.url)) return 'page';
  if (t.devices.length > 0 && !t.devices.includes(ctx.device)) return 'device';
  if (samplePoint(ctx.visitorId, survey.id) >= t.sampleRate) return 'sample';
  const { shown, dismissed } = ctx.memory;
  if (shown !== undefined && ctx.now - shown < t.showAgainAfterDays * DAY) return 'shown recently';
  if (dismissed !== undefined && ctx.now - dismissed < t.afterDismissDays * DAY) return 'dismissed recently';
  return null;
}

/** Black or white, whichever reads better on `hex` (WCAG relative luminance). */
export function textOn(hex: string): '#000000' | '#ffffff' {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return '#ffffff';
  const [r, g, b] = [m[1], m[2], m[3]].map((c) => {
    const v = parseInt(c ?? '0', 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // Contrast with white (1.05 / (l + 0.05)) against contrast with black ((l + 0.05) / 0.05).
  return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? '#ffffff' : '#000000';
}
