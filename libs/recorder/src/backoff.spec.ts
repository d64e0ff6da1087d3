import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyStatus, parseRetryAfter } from './backoff';

describe('classifyStatus', () => {
  it.each([
    [202, 'ok'],
    [200, 'ok'],
    [408, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
    [400, 'drop'],
    [401, 'drop'],
    [413, 'drop'],
    [422, 'drop'],
    [0, 'retry'],
  ] as const)('%i means %s', (status, outcome) => {
    expect(classifyStatus(status)).toBe(outcome);
  });
});

describe('backoffDelay', () => {
  it('doubles from the base up to the cap, with half of each delay random', () => {
    const low = () => 0;
    const high = () => 1;
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 1000, 60_000, high))).toEqual([1000, 2000, 4000, 8000]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 1000, 60_000, low))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelay(30, 1000, 60_000, high)).toBe(60_000);
    expect(backoffDelay(1000, 1000, 60_000, low)).toBe(30_000);
  });

  it('spreads retries between half and all of the ceiling', () => {
    const delays = Array.from({ length: 200 }, () => backoffDelay(3, 1000, 60_000));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(4000);
    expect(new Set(delays).size).toBeGreaterThan(50);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});
