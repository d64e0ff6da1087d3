import type { PublicSurvey } from '@loupe/contracts/feedback';
import { describe, expect, it } from 'vitest';
import { deviceClass, holdBack, pageMatches, samplePoint, textOn, urlMatches } from './targeting';

const DAY = 86_400_000;

const survey = (targeting: Partial<PublicSurvey['targeting']> = {}): PublicSurvey => ({
  id: 'c0ffee00-0000-4000-8000-000000000001',
  kind: 'nps',
  scale: { min: 0, max: 10 },
  question: 'How likely…?',
  labels: { low: 'No', high: 'Yes' },
  followUps: [],
  commentLabel: 'Anything else?',
  thankYou: 'Thanks',
  presentation: { mode: 'popover', position: 'bottom-right', color: '#3b5bdb', buttonLabel: 'Feedback' },
  targeting: { urls: [], excludeUrls: [], devices: [], trigger: { type: 'load' }, sampleRate: 100, showAgainAfterDays: 30, afterDismissDays: 90, ...targeting },
});

describe('URL patterns', () => {
  it.each([
    ['/checkout', 'https://shop.example.com/checkout', true],
    ['/checkout', 'https://shop.example.com/checkout/pay', false],
    ['/checkout*', 'https://shop.example.com/checkout/pay?step=2', true],
    ['/checkout*', 'https://shop.example.com/cart', false],
    ['/*/reviews', 'https://shop.example.com/lamp/reviews', true],
    ['/*/reviews', 'https://shop.example.com/lamp/reviews/2', false],
    ['/search?q=*', 'https://shop.example.com/search?q=lamp', true],
    ['https://shop.example.com/*', 'https://shop.example.com/', true],
    ['https://shop.example.com/*', 'https://blog.example.com/', false],
    ['*thanks*', 'https://shop.example.com/order/thanks?id=1', true],
    ['/a*a', 'https://x.example/a', false],
    ['/a*a', 'https://x.example/aa', true],
    ['/(.*)', 'https://x.example/anything', false],
  ])('%s against %s: %s', (pattern, url, expected) => {
    expect(urlMatches(pattern, url)).toBe(expected);
  });

  it('excludes before it includes, and takes every page without patterns', () => {
    expect(pageMatches({ urls: [], excludeUrls: [] }, 'https://x.example/anything')).toBe(true);
    expect(pageMatches({ urls: ['/shop*'], excludeUrls: ['/shop/admin*'] }, 'https://x.example/shop/admin/users')).toBe(false);
    expect(pageMatches({ urls: ['/shop*'], excludeUrls: ['/shop/admin*'] }, 'https://x.example/shop/lamp')).toBe(true);
  });
});

describe('device class', () => {
  const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1';
  const ipad = 'Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1';
  const androidTablet = 'Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
  const desktop = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
  it.each([
    [iphone, 390, true, 'mobile'],
    [ipad, 820, true, 'tablet'],
    [androidTablet, 800, true, 'tablet'],
    [desktop, 500, false, 'desktop'],
    [desktop, 400, true, 'mobile'],
    ['', 1280, false, 'desktop'],
  ] as const)('%s at %i px (coarse %s) is %s', (userAgent, width, coarsePointer, expected) => {
    expect(deviceClass({ userAgent, width, coarsePointer })).toBe(expected);
  });
});

describe('who is offered a survey', () => {
  const ctx = { url: 'https://shop.example.com/checkout', device: 'desktop' as const, visitorId: 'visitor-0001', memory: {}, now: Date.UTC(2026, 11, 2) };

  it('offers it on a matching page and device, and not elsewhere', () => {
    expect(holdBack(survey({ urls: ['/checkout*'] }), ctx)).toBeNull();
    expect(holdBack(survey({ urls: ['/cart'] }), ctx)).toBe('page');
    expect(holdBack(survey({ devices: ['mobile', 'tablet'] }), ctx)).toBe('device');
  });

  it('keeps a stable share of visitors in a sample', () => {
    const inSample = Array.from({ length: 2000 }, (_, i) => samplePoint(`visitor-${i}`, 'survey-1') < 25).filter(Boolean).length;
    expect(inSample).toBeGreaterThan(400);
    expect(inSample).toBeLessThan(600);
    expect(samplePoint('visitor-7', 'survey-1')).toBe(samplePoint('visitor-7', 'survey-1'));
    expect(holdBack(survey({ sampleRate: 0 }), ctx)).toBe('sample');
  });

  it('shows it at most once per period, and not again soon after a dismissal', () => {
    const s = survey({ showAgainAfterDays: 30, afterDismissDays: 90 });
    expect(holdBack(s, { ...ctx, memory: { shown: ctx.now - 29 * DAY } })).toBe('shown recently');
    expect(holdBack(s, { ...ctx, memory: { shown: ctx.now - 31 * DAY } })).toBeNull();
    expect(holdBack(s, { ...ctx, memory: { shown: ctx.now - 60 * DAY, dismissed: ctx.now - 60 * DAY } })).toBe('dismissed recently');
    expect(holdBack(s, { ...ctx, memory: { shown: ctx.now - 91 * DAY, dismissed: ctx.now - 91 * DAY } })).toBeNull();
  });
});

describe('text colour on the theme colour', () => {
  it('picks white on dark and black on light', () => {
    expect(textOn('#3b5bdb')).toBe('#ffffff');
    expect(textOn('#000000')).toBe('#ffffff');
    expect(textOn('#ffd43b')).toBe('#000000');
    expect(textOn('#ffffff')).toBe('#000000');
  });
});
