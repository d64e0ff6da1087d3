import { describe, expect, it } from 'vitest';
import { cleanProps, describe as describeValue, envelopeJson, splitBySize } from './batch';

describe('splitBySize', () => {
  it('keeps every batch within the byte and event bounds, in order, losing nothing', () => {
    const sizes = Array.from({ length: 1000 }, (_, i) => 50 + ((i * 37) % 400));
    const ranges = splitBySize(sizes, 10_000, 60);
    expect(ranges[0]![0]).toBe(0);
    expect(ranges.at(-1)![1]).toBe(sizes.length);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1]);
    for (const [a, b] of ranges) {
      expect(b - a).toBeLessThanOrEqual(60);
      expect(sizes.slice(a, b).reduce((s, n) => s + n + 1, 0)).toBeLessThanOrEqual(10_000);
    }
  });

  it('sends an event larger than the bound alone rather than dropping it', () => {
    expect(splitBySize([10, 5000, 10, 10], 100, 10)).toEqual([
      [0, 1],
      [1, 2],
      [2, 4],
    ]);
  });

  it('makes no batch of nothing', () => {
    expect(splitBySize([], 100, 10)).toEqual([]);
  });
});

describe('envelopeJson', () => {
  it('builds the batch JSON around events serialized beforehand', () => {
    const head = { v: 1 as const, sessionId: 's'.repeat(22), visitorId: 'v'.repeat(22), windowId: 'w'.repeat(22), seq: 3, batchId: 'b'.repeat(22), sentAt: 1 };
    const events = [{ type: 4, timestamp: 1, data: { href: 'x' } }, { type: 5, timestamp: 2, data: { tag: 't', payload: { a: '"quoted"' } } }];
    expect(JSON.parse(envelopeJson(head, events.map((e) => JSON.stringify(e))))).toEqual({ ...head, events });
  });
});

describe('cleanProps', () => {
  it('keeps strings, finite numbers, booleans and null, and bounds them', () => {
    const props = cleanProps({ a: 'x', n: 2, b: false, z: null, nan: NaN, f: () => 1, o: { deep: 1 }, u: undefined, long: 'y'.repeat(5000) });
    expect(props).toEqual({ a: 'x', n: 2, b: false, z: null, long: 'y'.repeat(1000) });
    expect(Object.keys(cleanProps(Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, i]))))).toHaveLength(50);
  });
  it('takes anything without throwing', () => {
    expect(cleanProps(undefined)).toEqual({});
    expect(cleanProps('text')).toEqual({});
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(cleanProps(cyclic)).toEqual({ a: 1 });
  });
});

describe('describe', () => {
  it('gives a line for any rejected value', () => {
    expect(describeValue(new TypeError('bad'))).toBe('TypeError: bad');
    expect(describeValue({ code: 42 })).toBe('{"code":42}');
    expect(describeValue(undefined)).toBe('undefined');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).toBe('[object Object]');
    expect(describeValue('x'.repeat(5000))).toHaveLength(1000);
  });
});
