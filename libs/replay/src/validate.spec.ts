import { INGEST_LIMITS } from '@loupe/contracts/recording';
import { describe, expect, it } from 'vitest';
import { checkEventOrder, formatSpan } from './validate';

const NOW = Date.UTC(2025, 0, 6, 12, 0, 0);
const DAY = 86_400_000;
const SKEW = INGEST_LIMITS.maxClockSkewMs;
const ev = (timestamp: unknown, type: unknown = 3): unknown => ({ type, timestamp, data: {} });

describe('checkEventOrder', () => {
  it('accepts ordered events within the skew, equal times included', () => {
    expect(checkEventOrder([ev(NOW - 1000), ev(NOW - 1000), ev(NOW), ev(NOW + 5000)], NOW, SKEW)).toBeNull();
    expect(checkEventOrder([], NOW, SKEW)).toBeNull();
    expect(checkEventOrder([ev(NOW - SKEW), ev(NOW + SKEW)], NOW, SKEW)).toBeNull();
  });

  it('names the first event that goes back in time', () => {
    const events = Array.from({ length: 20 }, (_, i) => ev(NOW - 60_000 + i * 100));
    events[12] = ev(NOW - 60_000 + 10 * 100);
    expect(checkEventOrder(events, NOW, SKEW)).toBe('event 12 is older than event 11; events must be in time order');
  });

  it('says how far from the server clock a timestamp is', () => {
    expect(checkEventOrder([ev(NOW + 9 * DAY)], NOW, SKEW)).toBe(
      "event 0 has a timestamp 9 days from now, more than 7 days off the server's clock; check the device's clock",
    );
    expect(checkEventOrder([ev(NOW - 60_000), ev(NOW - 30 * DAY)], NOW, SKEW)).toMatch(/^event 1 is older than event 0/);
    expect(checkEventOrder([ev(NOW - 7.5 * DAY)], NOW, SKEW)).toBe(
      "event 0 has a timestamp 7.5 days ago, more than 7 days off the server's clock; check the device's clock",
    );
    expect(checkEventOrder([ev(NOW + 2 * 3_600_000)], NOW, 3_600_000)).toMatch(/^event 0 has a timestamp 2 hours from now, more than 1 hour off/);
    expect(checkEventOrder([ev(Math.floor(NOW / 1000))], NOW, SKEW)).toMatch(/it looks like seconds: send milliseconds since 1970$/);
  });

  it('rejects events that are not rrweb events', () => {
    expect(checkEventOrder({ length: 1 }, NOW, SKEW)).toBe('events must be an array of rrweb events');
    expect(checkEventOrder([ev(NOW), null], NOW, SKEW)).toBe('event 1 is not an object');
    expect(checkEventOrder([[1, 2]], NOW, SKEW)).toBe('event 0 is not an object');
    expect(checkEventOrder([ev(NOW, 11)], NOW, SKEW)).toBe('event 0 has type 11; an rrweb event type is an integer from 0 to 10');
    expect(checkEventOrder([ev(NOW, 2.5)], NOW, SKEW)).toMatch(/^event 0 has type 2.5;/);
    expect(checkEventOrder([ev(NOW, '3')], NOW, SKEW)).toMatch(/^event 0 has type "3";/);
    expect(checkEventOrder([{ timestamp: NOW }], NOW, SKEW)).toMatch(/^event 0 has type missing;/);
    expect(checkEventOrder([ev(NOW), ev('1736164800000')], NOW, SKEW)).toBe(
      'event 1 has timestamp "1736164800000"; it must be a finite number of milliseconds since 1970',
    );
    expect(checkEventOrder([ev(Number.NaN)], NOW, SKEW)).toMatch(/^event 0 has timestamp NaN;/);
    expect(checkEventOrder([ev(Infinity)], NOW, SKEW)).toMatch(/^event 0 has timestamp Infinity;/);
    expect(checkEventOrder([ev({})], NOW, SKEW)).toMatch(/^event 0 has timestamp of type object;/);
  });

  it('uses the ingest limit when no skew is given', () => {
    expect(checkEventOrder([ev(NOW + 6 * DAY)], NOW)).toBeNull();
    expect(checkEventOrder([ev(NOW + 8 * DAY)], NOW)).not.toBeNull();
  });
});

describe('formatSpan', () => {
  it('uses the largest unit that reads as at least one', () => {
    expect(formatSpan(250)).toBe('250 ms');
    expect(formatSpan(1000)).toBe('1 second');
    expect(formatSpan(90_000)).toBe('1.5 minutes');
    expect(formatSpan(DAY)).toBe('1 day');
  });
});
