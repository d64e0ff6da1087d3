import { describe, expect, it } from 'vitest';
import { pageKey } from './page-key';
import { pageViewsOf } from './page-views';

const key = (u: string) => pageKey(u);

describe('page views of a session', () => {
  it('times each view until the next one, and the last until the tab last did something', () => {
    const views = pageViewsOf([{ pages: [{ ts: 0, url: 'https://s.example/' }, { ts: 5000, url: 'https://s.example/product/1' }], lastTs: 12_000 }], key);
    expect(views.map((v) => [v.pageKey, v.durationMs, v.isEntry, v.isExit])).toEqual([
      ['/', 5000, true, false],
      ['/product/:id', 7000, false, true],
    ]);
  });

  it('puts signals and errors on the view open in their tab at the time', () => {
    const views = pageViewsOf(
      [
        { windowId: 'a', pages: [{ ts: 0, url: 'https://s.example/' }, { ts: 10_000, url: 'https://s.example/cart' }], lastTs: 20_000 },
        { windowId: 'b', pages: [{ ts: 3000, url: 'https://s.example/help' }], lastTs: 25_000 },
      ],
      key,
      [
        { kind: 'rage_click', ts: 1000, windowId: 'a' },
        { kind: 'dead_click', ts: 12_000, windowId: 'a' },
        { kind: 'dead_click', ts: 12_500, windowId: 'a' },
        { kind: 'u_turn', ts: 11_000, windowId: 'b' },
      ],
      [{ ts: 15_000, windowId: 'a' }],
    );
    expect(views.map((v) => [v.windowId, v.pageKey, v.signals, v.errors, v.isEntry, v.isExit])).toEqual([
      ['a', '/', { rage_click: 1 }, 0, true, false],
      ['b', '/help', { u_turn: 1 }, 0, false, false],
      ['a', '/cart', { dead_click: 2 }, 1, false, true],
    ]);
  });

  it('has nothing to say about a session without pages', () => {
    expect(pageViewsOf([{ pages: [], lastTs: 10 }], key)).toEqual([]);
  });
});
