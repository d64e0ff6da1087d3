import { LOUPE_TAGS, RRWEB, type RecordedEvent } from '@loupe/contracts/recording';
import { describe, expect, it } from 'vitest';
import { TYPED_EVENT_LIMITS } from './bounds';
import { click, consoleLog, fullSnapshot, input, loupe, meta, mouse, mutation, pageview, scroll, T0 } from './test-events';
import { extractTypedEvents, hasLoupeEvents } from './typed-events';

const kinds = (events: { kind: string }[]) => events.map((e) => e.kind);

describe('extractTypedEvents: pages and URLs', () => {
  it('makes a page view of each Meta whose URL changes, and tags every event with the page it happened on', () => {
    const events = [
      meta(T0, 'https://shop.test/'),
      fullSnapshot(T0 + 1),
      click(T0 + 1000, 10, 5, 6),
      meta(T0 + 2000, 'https://shop.test/'), // a checkout: same page, no new view
      fullSnapshot(T0 + 2001),
      meta(T0 + 3000, 'https://shop.test/cart'),
      fullSnapshot(T0 + 3001),
      click(T0 + 4000, 11, 7, 8),
    ];
    const { events: typed, lastUrl, loupe: fromSdk } = extractTypedEvents(events, {});
    expect(fromSdk).toBe(false);
    expect(lastUrl).toBe('https://shop.test/cart');
    expect(typed).toEqual([
      { ts: T0, kind: 'pageview', url: 'https://shop.test/', props: { navigation: 'load', viewport: { width: 1280, height: 720 } } },
      { ts: T0 + 1000, kind: 'click', url: 'https://shop.test/', x: 5, y: 6, nodeId: 10, props: { coords: 'viewport' } },
      { ts: T0 + 3000, kind: 'pageview', url: 'https://shop.test/cart', props: { navigation: 'load', viewport: { width: 1280, height: 720 } } },
      { ts: T0 + 4000, kind: 'click', url: 'https://shop.test/cart', x: 7, y: 8, nodeId: 11, props: { coords: 'viewport' } },
    ]);
  });

  it('starts from the context URL: a chunk continuing on the same page makes no page view', () => {
    const chunk = [click(T0, 1, 1, 1), meta(T0 + 10, 'https://a.test/x'), fullSnapshot(T0 + 11), click(T0 + 20, 1, 1, 1)];
    const continued = extractTypedEvents(chunk, { url: 'https://a.test/x' });
    expect(kinds(continued.events)).toEqual(['click', 'click']);
    expect(continued.events.every((e) => e.url === 'https://a.test/x')).toBe(true);

    const unknown = extractTypedEvents(chunk, {});
    expect(kinds(unknown.events)).toEqual(['click', 'pageview', 'click']);
    expect(unknown.events[0]).not.toHaveProperty('url');
  });

  it('follows single-page navigations announced by loupe.pageview, and Meta events without double counting', () => {
    const events = [
      meta(T0, 'https://app.test/'),
      fullSnapshot(T0 + 1),
      pageview(T0 + 2, 'https://app.test/'),
      loupe(T0 + 500, LOUPE_TAGS.track, { name: 'signup_started', props: { plan: 'pro' } }),
      pageview(T0 + 1000, 'https://app.test/settings', 'history'),
      loupe(T0 + 1500, LOUPE_TAGS.track, { name: 'saved', props: {} }),
      meta(T0 + 2000, 'https://app.test/billing'), // a full load whose page view the SDK sends next
      fullSnapshot(T0 + 2001),
      loupe(T0 + 2100, LOUPE_TAGS.track, { name: 'between', props: {} }),
      pageview(T0 + 2200, 'https://app.test/billing'),
    ];
    const { events: typed, lastUrl, loupe: fromSdk } = extractTypedEvents(events, {});
    expect(fromSdk).toBe(true);
    expect(lastUrl).toBe('https://app.test/billing');
    expect(typed.map((e) => [e.kind, e.name ?? '', e.url])).toEqual([
      ['pageview', '', 'https://app.test/'],
      ['custom', 'signup_started', 'https://app.test/'],
      ['pageview', '', 'https://app.test/settings'],
      ['custom', 'saved', 'https://app.test/settings'],
      ['custom', 'between', 'https://app.test/billing'],
      ['pageview', '', 'https://app.test/billing'],
    ]);
    expect(typed[2]!.props).toEqual({ navigation: 'history', title: 'Title', viewport: { width: 1280, height: 720 } });
  });

  it('keeps the URL of the last page when a chunk names none, and none when nothing is known', () => {
    expect(extractTypedEvents([mutation(T0)], { url: 'https://a.test/' }).lastUrl).toBe('https://a.test/');
    expect(extractTypedEvents([mutation(T0)], {})).toEqual({ events: [], loupe: false });
  });
});

describe('extractTypedEvents: clicks', () => {
  it('takes only Click from rrweb mouse interactions', () => {
    const events = [0, 1, 2, 3, 4, 5, 6, 7, 9].map((type, i) => mouse(T0 + i, type, 3, 10, 20));
    const typed = extractTypedEvents(events, { url: 'https://a.test/' }).events;
    expect(typed).toEqual([{ ts: T0 + 2, kind: 'click', url: 'https://a.test/', x: 10, y: 20, nodeId: 3, props: { coords: 'viewport' } }]);
  });

  it('prefers loupe.click, with selector, text, page coordinates and boxes, over the rrweb click it describes', () => {
    const payload = {
      url: 'https://a.test/p',
      selector: '#buy',
      tag: 'button',
      text: 'Buy now',
      x: 100.4,
      y: 2000.6,
      box: { x: 90, y: 1990, width: 40, height: 20 },
      viewport: { width: 390, height: 844 },
      document: { width: 390, height: 5000 },
      nodeId: 42,
    };
    const events = [click(T0, 42, 100, 300), loupe(T0 + 1, LOUPE_TAGS.click, payload)];
    const typed = extractTypedEvents(events, { url: 'https://a.test/p' }).events;
    expect(typed).toEqual([
      {
        ts: T0 + 1,
        kind: 'click',
        url: 'https://a.test/p',
        selector: '#buy',
        text: 'Buy now',
        x: 100,
        y: 2001,
        nodeId: 42,
        props: {
          coords: 'page',
          tag: 'button',
          box: { x: 90, y: 1990, width: 40, height: 20 },
          viewport: { width: 390, height: 844 },
          document: { width: 390, height: 5000 },
        },
      },
    ]);
  });

  it('lets the worker say a session is Loupe-recorded when a chunk holds no Loupe event', () => {
    const events = [click(T0, 1, 1, 1), meta(T0 + 1, 'https://a.test/next')];
    expect(extractTypedEvents(events, { url: 'https://a.test/', loupe: true }).events).toEqual([]);
    expect(kinds(extractTypedEvents(events, { url: 'https://a.test/', loupe: false }).events)).toEqual(['click', 'pageview']);
  });

  it('survives malformed Loupe payloads', () => {
    const events: RecordedEvent[] = [
      loupe(T0, LOUPE_TAGS.click, null),
      loupe(T0 + 1, LOUPE_TAGS.click, { x: 'a', y: Infinity, selector: 7, box: { x: 1 } }),
      loupe(T0 + 2, LOUPE_TAGS.track, { props: { a: 1 } }), // no name: nothing to report
      loupe(T0 + 3, LOUPE_TAGS.identify, { traits: {} }),
      loupe(T0 + 4, LOUPE_TAGS.exposure, { experiment: 'x' }),
      loupe(T0 + 5, 'loupe.unknown', {}),
      loupe(T0 + 6, LOUPE_TAGS.pageview, 'not an object'),
      { type: RRWEB.Custom, timestamp: T0 + 7, data: 'x' },
      { type: RRWEB.Custom, timestamp: T0 + 8 },
      { type: RRWEB.Meta, timestamp: Number.NaN, data: { href: 'https://nan.test/' } },
      null as unknown as RecordedEvent,
    ];
    const typed = extractTypedEvents(events, { url: 'https://a.test/' }).events;
    expect(typed).toEqual([
      { ts: T0, kind: 'click', url: 'https://a.test/', props: { coords: 'page' } },
      { ts: T0 + 1, kind: 'click', url: 'https://a.test/', props: { coords: 'page' } },
      { ts: T0 + 6, kind: 'pageview', url: 'https://a.test/', props: { navigation: 'load' } },
    ]);
  });
});

describe('extractTypedEvents: scrolls and inputs', () => {
  it('keeps one scroll per node and second, at the position the node reached last in that second', () => {
    const base = Math.ceil(T0 / 1000) * 1000;
    const events = [
      scroll(base + 0, 1, 100),
      scroll(base + 100, 2, 5),
      scroll(base + 400, 1, 300),
      click(base + 500, 9, 1, 1),
      scroll(base + 999, 1, 450),
      scroll(base + 1000, 1, 460),
      scroll(base + 2500, 1, 0),
    ];
    const typed = extractTypedEvents(events, { url: 'https://a.test/' }).events;
    expect(typed.map((e) => [e.kind, e.ts - base, e.nodeId, e.y])).toEqual([
      ['scroll', 100, 2, 5],
      ['click', 500, 9, 1],
      ['scroll', 999, 1, 450],
      ['scroll', 1000, 1, 460],
      ['scroll', 2500, 1, 0],
    ]);
  });

  it('records that a field was typed in, never what was typed', () => {
    const base = Math.ceil(T0 / 1000) * 1000;
    const secret = 'hunter2-secret';
    const events = [
      input(base, 7, 'h'),
      input(base + 100, 7, secret),
      input(base + 200, 8, '********', { isChecked: true }),
      input(base + 1200, 7, secret),
      input(base + 1300, 9, 'set by script', { userTriggered: false }),
    ];
    const typed = extractTypedEvents(events, { url: 'https://a.test/' }).events;
    expect(typed).toEqual([
      { ts: base, kind: 'input', url: 'https://a.test/', nodeId: 7 },
      { ts: base + 200, kind: 'input', url: 'https://a.test/', nodeId: 8 },
      { ts: base + 1200, kind: 'input', url: 'https://a.test/', nodeId: 7 },
    ]);
    const serialized = JSON.stringify(typed);
    expect(serialized).not.toContain('hunter2');
    expect(serialized).not.toContain('*');
    expect(serialized).not.toContain('script');
  });
});

describe('extractTypedEvents: errors, custom events, identify, exposure', () => {
  it('reports loupe.error and console errors, not other console levels', () => {
    const events = [
      loupe(T0, LOUPE_TAGS.error, {
        kind: 'unhandledrejection',
        message: 'boom',
        stack: 'Error: boom\n at x',
        source: 'https://a.test/app.js',
        line: 3,
        column: 9,
        url: 'https://a.test/err',
      }),
      consoleLog(T0 + 1, 'log', ['"hello"']),
      consoleLog(T0 + 2, 'warn', ['"careful"']),
      consoleLog(T0 + 3, 'error', ['"failed to load"', '{"status":500}']),
    ];
    const typed = extractTypedEvents(events, { url: 'https://a.test/' }).events;
    expect(typed).toEqual([
      {
        ts: T0,
        kind: 'error',
        url: 'https://a.test/err',
        name: 'unhandledrejection',
        text: 'boom',
        props: { stack: 'Error: boom\n at x', source: 'https://a.test/app.js', line: 3, column: 9 },
      },
      {
        ts: T0 + 3,
        kind: 'error',
        url: 'https://a.test/',
        name: 'console',
        text: '"failed to load" {"status":500}',
        props: { stack: 'at f (app.js:1:2)\nat g (app.js:3:4)' },
      },
    ]);
  });

  it('carries track, identify and exposure with bounded properties', () => {
    const manyProps = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, i]));
    const events = [
      loupe(T0, LOUPE_TAGS.track, { name: 'x'.repeat(1000), props: { ...manyProps } }),
      loupe(T0 + 1, LOUPE_TAGS.track, {
        name: 'mixed',
        props: JSON.parse('{"__proto__":{"polluted":true},"s":"ok","n":1,"b":false,"z":null,"o":{"deep":1},"a":[1],"nan":null}'),
      }),
      loupe(T0 + 2, LOUPE_TAGS.identify, { userId: 'user-17', traits: { plan: 'pro', long: 'y'.repeat(2000) } }),
      loupe(T0 + 3, LOUPE_TAGS.exposure, { experiment: 'checkout-v2', variant: 'b' }),
    ];
    const typed = extractTypedEvents(events, { url: 'https://a.test/' }).events;
    expect(kinds(typed)).toEqual(['custom', 'custom', 'identify', 'exposure']);
    expect(typed[0]!.name).toHaveLength(TYPED_EVENT_LIMITS.name);
    expect(Object.keys(typed[0]!.props!)).toHaveLength(TYPED_EVENT_LIMITS.propKeys);
    expect(typed[1]!.props).toEqual({ s: 'ok', n: 1, b: false, z: null, nan: null });
    expect(Object.getPrototypeOf(typed[1]!.props)).toBe(Object.prototype);
    expect(typed[2]).toMatchObject({ kind: 'identify', name: 'user-17', props: { plan: 'pro' } });
    expect((typed[2]!.props!['long'] as string).length).toBe(TYPED_EVENT_LIMITS.propString);
    expect(typed[3]).toEqual({ ts: T0 + 3, kind: 'exposure', url: 'https://a.test/', name: 'checkout-v2', props: { variant: 'b' } });
  });

  it('bounds every string a browser can make long', () => {
    const huge = 'https://a.test/' + 'p'.repeat(10_000);
    const events = [
      meta(T0, huge),
      loupe(T0 + 1, LOUPE_TAGS.click, { selector: 's'.repeat(5000), text: 't'.repeat(5000), x: 1, y: 1 }),
      loupe(T0 + 2, LOUPE_TAGS.error, { message: 'm'.repeat(50_000), stack: 'x'.repeat(50_000) }),
      consoleLog(T0 + 3, 'error', Array.from({ length: 10_000 }, () => 'word')),
    ];
    const { events: typed, lastUrl } = extractTypedEvents(events, {});
    expect(lastUrl).toHaveLength(TYPED_EVENT_LIMITS.url);
    for (const event of typed) {
      expect(event.url!.length).toBeLessThanOrEqual(TYPED_EVENT_LIMITS.url);
      expect((event.selector ?? '').length).toBeLessThanOrEqual(TYPED_EVENT_LIMITS.selector);
      expect((event.text ?? '').length).toBeLessThanOrEqual(TYPED_EVENT_LIMITS.text);
      expect(JSON.stringify(event.props ?? {}).length).toBeLessThan(TYPED_EVENT_LIMITS.stack + 100);
    }
  });

  it('does not cut a character in half', () => {
    const text = 'a'.repeat(TYPED_EVENT_LIMITS.text - 1) + '😀';
    const typed = extractTypedEvents([loupe(T0, LOUPE_TAGS.click, { text, x: 0, y: 0 })], {}).events;
    expect(typed[0]!.text).toBe('a'.repeat(TYPED_EVENT_LIMITS.text - 1));
  });
});

describe('extractTypedEvents: repeatability', () => {
  it('gives the same rows for the same chunk and leaves its input untouched', () => {
    const base = Math.ceil(T0 / 1000) * 1000;
    const events = [meta(base, 'https://a.test/'), scroll(base + 1, 1, 10), click(base + 2, 1, 1, 1), scroll(base + 3, 1, 20), input(base + 4, 3, 'x')];
    const before = JSON.stringify(events);
    const first = extractTypedEvents(events, {});
    const second = extractTypedEvents(events, {});
    expect(second).toEqual(first);
    expect(JSON.stringify(events)).toBe(before);
    expect(first.events.map((e) => e.ts)).toEqual([...first.events.map((e) => e.ts)].sort((a, b) => a - b));
  });

  it('detects Loupe recordings by their tags', () => {
    expect(hasLoupeEvents([meta(T0, 'https://a.test/')])).toBe(false);
    expect(hasLoupeEvents([loupe(T0, 'other.tag', {}), loupe(T0, LOUPE_TAGS.track, { name: 'x', props: {} })])).toBe(true);
  });
});
