import { describe, expect, it } from 'vitest';
import type { FunnelStep } from '@loupe/contracts';
import { funnelCounts, funnelProgress, matchesStep, stepDurations, stepHitsOf, stepLabel, type StepEvent } from './funnels';
import { pathGraph, pathTransitionsOf } from './paths';

const page = (ts: number, pageKey: string, url = `https://shop.example${pageKey}`): StepEvent => ({ ts, kind: 'pageview', pageKey, url });
const track = (ts: number, name: string, props: Record<string, unknown> = {}): StepEvent => ({ ts, kind: 'custom', name, props });
const click = (ts: number, selector: string, text: string): StepEvent => ({ ts, kind: 'click', selector, text });

const SHOP: FunnelStep[] = [
  { type: 'page', pageKey: '/' },
  { type: 'page', pageKey: '/product/:id' },
  { type: 'click', selector: '#add-to-cart' },
  { type: 'event', name: 'purchase', props: { currency: 'EUR' } },
];
const HOUR = 3600_000;
const run = (steps: FunnelStep[], events: StepEvent[], order: 'strict' | 'loose' = 'strict', windowMs = HOUR) =>
  funnelProgress(stepHitsOf(steps, events), steps.length, { order, windowMs });

describe('matching steps', () => {
  it('matches pages by key or URL pattern, events by name and properties, clicks by selector or text', () => {
    expect(matchesStep({ type: 'page', pageKey: '/cart' }, page(0, '/cart'))).toBe(true);
    expect(matchesStep({ type: 'page', pageKey: '/cart' }, page(0, '/cart/x'))).toBe(false);
    expect(matchesStep({ type: 'page', urlPattern: '*/checkout*' }, page(0, '/checkout/pay'))).toBe(true);
    expect(matchesStep({ type: 'page', urlPattern: '*/checkout' }, page(0, '/checkout/pay'))).toBe(false);
    expect(matchesStep({ type: 'event', name: 'purchase', props: { currency: 'EUR' } }, track(0, 'purchase', { currency: 'EUR', value: 3 }))).toBe(true);
    expect(matchesStep({ type: 'event', name: 'purchase', props: { currency: 'EUR' } }, track(0, 'purchase', { currency: 'USD' }))).toBe(false);
    expect(matchesStep({ type: 'event', name: 'purchase' }, page(0, '/purchase'))).toBe(false);
    expect(matchesStep({ type: 'click', text: 'add to cart' }, click(0, '#x', ' Add to cart '))).toBe(true);
    expect(matchesStep({ type: 'click', selector: '#add', text: 'Buy' }, click(0, '#add', 'Add'))).toBe(false);
  });

  it('names steps for people', () => {
    expect(SHOP.map(stepLabel)).toEqual(['/', '/product/:id', 'click #add-to-cart', 'purchase (currency=EUR)']);
    expect(stepLabel({ type: 'page', pageKey: '/', label: 'Home' })).toBe('Home');
  });
});

describe('progress through a funnel', () => {
  const converted = [page(0, '/'), page(1000, '/product/:id'), click(5000, '#add-to-cart', 'Add'), track(9000, 'purchase', { currency: 'EUR' })];

  it('follows the steps in order and times each one', () => {
    expect(run(SHOP, converted)).toEqual({ reached: 4, times: [0, 1000, 5000, 9000] });
    expect(run(SHOP, converted.slice(0, 2))).toEqual({ reached: 2, times: [0, 1000] });
  });

  it('in strict order, does not count a step done before the one it follows', () => {
    const outOfOrder = [page(0, '/product/:id'), page(1000, '/'), click(2000, '#add-to-cart', 'Add')];
    expect(run(SHOP, outOfOrder).reached).toBe(1);
    expect(run(SHOP, outOfOrder, 'loose')).toEqual({ reached: 3, times: [1000, 0, 2000] });
  });

  it('stops at the conversion window, and retries from a later first step', () => {
    const slow = [page(0, '/'), page(1000, '/product/:id'), click(2 * HOUR, '#add-to-cart', 'Add')];
    expect(run(SHOP, slow).reached).toBe(2);
    expect(run(SHOP, slow, 'strict', 3 * HOUR).reached).toBe(3);
    // A second visit of the home page starts a new attempt that fits the window.
    const again = [...slow, page(2 * HOUR + 1000, '/'), page(2 * HOUR + 2000, '/product/:id'), click(2 * HOUR + 3000, '#add-to-cart', 'Add')];
    expect(run(SHOP, again)).toEqual({ reached: 3, times: [2 * HOUR + 1000, 2 * HOUR + 2000, 2 * HOUR + 3000] });
  });

  it('needs a separate event for each repetition of a repeated step', () => {
    const twice: FunnelStep[] = [{ type: 'page', pageKey: '/cart' }, { type: 'page', pageKey: '/cart' }, { type: 'event', name: 'purchase' }];
    expect(run(twice, [page(0, '/cart'), track(10, 'purchase')]).reached).toBe(1);
    expect(run(twice, [page(0, '/cart'), page(5, '/cart'), track(10, 'purchase')])).toEqual({ reached: 3, times: [0, 5, 10] });
    expect(run(twice, [page(0, '/cart'), page(5, '/cart'), track(10, 'purchase')], 'loose').reached).toBe(3);
    expect(run(twice, [page(0, '/cart'), track(10, 'purchase')], 'loose').reached).toBe(1);
  });

  it('counts a visitor across sessions when their hits are merged', () => {
    const first = stepHitsOf(SHOP, [page(0, '/'), page(1000, '/product/:id')], 0);
    const second = stepHitsOf(SHOP, [click(600_000, '#add-to-cart', 'Add'), track(700_000, 'purchase', { currency: 'EUR' })], 2);
    expect(funnelProgress(first, 4, { order: 'strict', windowMs: HOUR }).reached).toBe(2);
    expect(funnelProgress([...first, ...second], 4, { order: 'strict', windowMs: HOUR }).reached).toBe(4);
  });

  it('never gives a negative step time in any order', () => {
    expect(stepDurations([0, 1000, 5000])).toEqual([1000, 4000]);
    expect(stepDurations([1000, 0, 2000])).toEqual([0, 1000]);
  });
});

describe('funnel counts', () => {
  it('gives entered, converted, conversion and times per step', () => {
    const counts = funnelCounts(
      [
        { reached: 3, times: [0, 1000, 3000] },
        { reached: 3, times: [0, 3000, 4000] },
        { reached: 2, times: [0, 2000] },
        { reached: 1, times: [0] },
      ],
      3,
    );
    expect(counts).toEqual([
      { entered: 4, converted: 3, dropped: 1, conversionFromPrevious: null, conversionFromStart: 1, medianMsToConvert: null, p90MsToConvert: null },
      { entered: 3, converted: 2, dropped: 1, conversionFromPrevious: 0.75, conversionFromStart: 0.75, medianMsToConvert: 2000, p90MsToConvert: 3000 },
      { entered: 2, converted: 2, dropped: 0, conversionFromPrevious: 2 / 3, conversionFromStart: 0.5, medianMsToConvert: 1000, p90MsToConvert: 2000 },
    ]);
    expect(funnelCounts([], 2)[1]).toMatchObject({ entered: 0, conversionFromPrevious: null, conversionFromStart: null });
  });
});

describe('paths', () => {
  it('counts next pages level by level, with exits, and groups the rare ones', () => {
    const visits = [
      ['/', '/list', '/product/:id', '/cart'],
      ['/', '/list', '/product/:id'],
      ['/', '/search'],
      ['/help', '/', '/about'],
      ['/', '/blog'],
    ];
    const transitions = visits.flatMap((v) => pathTransitionsOf(v, '/', 3, 'next'));
    const graph = pathGraph('/', 5, transitions, 2);
    const node = (id: string) => graph.nodes.find((n) => n.id === id);
    expect(node('0:/')).toMatchObject({ sessions: 5, exits: 0 });
    expect(node('1:/list')).toMatchObject({ sessions: 2, exits: 0 });
    // Two pages kept: /list, then /about first by name among the pages seen once.
    expect(node('1:/about')?.sessions).toBe(1);
    expect(node('1:(other)')).toMatchObject({ sessions: 2, exits: 2 });
    expect(node('2:/product/:id')).toMatchObject({ sessions: 2, exits: 1 });
    expect(graph.links).toContainEqual({ source: '0:/', target: '1:/list', sessions: 2 });
    expect(graph.links).toContainEqual({ source: '2:/product/:id', target: '3:/cart', sessions: 1 });
  });

  it('walks backwards from the last view of an end page', () => {
    expect(pathTransitionsOf(['/', '/cart', '/checkout', '/cart'], '/cart', 2, 'previous')).toEqual([
      { level: 1, fromKey: '/cart', toKey: '/checkout', sessions: 1 },
      { level: 2, fromKey: '/checkout', toKey: '/cart', sessions: 1 },
    ]);
  });
});
