import { describe, expect, it } from 'vitest';
import { inboxQuery, readInboxFilters, writeInboxFilters } from './inbox-filters';

describe('the inbox filters in the URL', () => {
  it('reads what it writes, and only what differs from the defaults', () => {
    const f = readInboxFilters(new URLSearchParams('range=7d&kind=nps&minScore=0&maxScore=6&experiment=checkout&variant=b&q=coupon&status=open'));
    expect(f).toEqual({ range: '7d', kind: 'nps', minScore: 0, maxScore: 6, experiment: 'checkout', variant: 'b', q: 'coupon', status: 'open' });
    expect(writeInboxFilters(f).toString()).toBe('range=7d&minScore=0&maxScore=6&kind=nps&experiment=checkout&variant=b&q=coupon&status=open');
    expect(writeInboxFilters(readInboxFilters(new URLSearchParams())).toString()).toBe('');
  });

  it('drops what the API would refuse: a score off the scales, a variant without its experiment', () => {
    expect(readInboxFilters(new URLSearchParams('minScore=11&maxScore=-1&variant=b&range=custom'))).toEqual({ range: 'any' });
  });

  it('turns a relative range into a date for the API', () => {
    const q = inboxQuery('p1', { range: '24h', kind: 'ces' }, Date.UTC(2026, 11, 2, 12));
    expect(Object.fromEntries(q)).toEqual({ project: 'p1', kind: 'ces', from: '2026-12-01T12:00:00.000Z' });
  });
});
