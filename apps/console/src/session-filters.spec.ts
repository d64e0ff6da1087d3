import { describe, expect, it } from 'vitest';
import { hasFilters, listQuery, readFilters, writeFilters } from './session-filters';

const PROJECT = '6a1f3c2e-8d4b-4f6a-9c1e-2b3d4e5f6a7b';

describe('session filters in the page URL', () => {
  it('round-trips every filter and leaves defaults out of the URL', () => {
    const query = 'range=custom&from=2026-11-01T00%3A00%3A00.000Z&to=2026-11-02T00%3A00%3A00.000Z&url=%2Fcheckout&user=u-42&minDuration=30000&device=mobile&hasError=true';
    const filters = readFilters(new URLSearchParams(query));
    expect(filters).toEqual({
      range: 'custom',
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-02T00:00:00.000Z',
      url: '/checkout',
      user: 'u-42',
      minDuration: 30000,
      device: 'mobile',
      hasError: true,
    });
    expect(writeFilters(filters).toString()).toBe(query);
    expect(writeFilters(readFilters(new URLSearchParams())).toString()).toBe('');
    expect(hasFilters(readFilters(new URLSearchParams()))).toBe(false);
  });

  it('carries the frustration and page filters the Pages view links with', () => {
    const query = 'signal=rage_click&minFrustration=50&bounced=true&page=%2Fproduct%2F%3Aid&exitPage=%2Fcart&signalPage=%2Fcheckout';
    const filters = readFilters(new URLSearchParams(query));
    expect(filters).toMatchObject({ signal: 'rage_click', minFrustration: 50, bounced: true, page: '/product/:id', exitPage: '/cart', signalPage: '/checkout' });
    expect(writeFilters(filters).toString()).toBe(query);
    expect(Object.fromEntries(listQuery(PROJECT, filters))).toMatchObject({ signal: 'rage_click', exitPage: '/cart', page: '/product/:id' });
    expect(readFilters(new URLSearchParams('signal=angry&minFrustration=400')).signal).toBeUndefined();
  });

  it("carries an experiment's variant, the link of \"watch replays of this variant\", and drops a variant without its experiment", () => {
    const query = 'experiment=checkout-v2&variant=b';
    const filters = readFilters(new URLSearchParams(query));
    expect(filters).toMatchObject({ experiment: 'checkout-v2', variant: 'b' });
    expect(writeFilters(filters).toString()).toBe(query);
    expect(Object.fromEntries(listQuery(PROJECT, filters))).toMatchObject({ experiment: 'checkout-v2', variant: 'b' });
    expect(readFilters(new URLSearchParams('variant=b')).variant).toBeUndefined();
  });

  it('carries a country as two capital letters, and drops anything else rather than have the API refuse the page', () => {
    const filters = readFilters(new URLSearchParams('country=de'));
    expect(filters.country).toBe('DE');
    expect(writeFilters(filters).toString()).toBe('country=DE');
    expect(listQuery(PROJECT, filters).get('country')).toBe('DE');
    expect(readFilters(new URLSearchParams('country=Germany')).country).toBeUndefined();
  });

  it('ignores what it cannot use instead of failing the page', () => {
    const filters = readFilters(new URLSearchParams('range=forever&from=yesterday&minDuration=-5&device=fridge&hasError=maybe&url=%20%20&signal=angry&bounced=maybe'));
    expect(filters).toEqual({
      range: 'any',
      from: undefined,
      to: undefined,
      url: undefined,
      user: undefined,
      minDuration: undefined,
      device: undefined,
      hasError: undefined,
      signal: undefined,
      minFrustration: undefined,
      bounced: undefined,
      page: undefined,
      entryPage: undefined,
      exitPage: undefined,
      signalPage: undefined,
    });
  });

  it('turns a preset into dates only when asking the API, so a shared link stays relative', () => {
    const filters = readFilters(new URLSearchParams('range=24h&hasError=false'));
    expect(writeFilters(filters).toString()).toBe('range=24h&hasError=false');
    const now = Date.parse('2026-11-22T12:00:00.000Z');
    expect(Object.fromEntries(listQuery(PROJECT, filters, now))).toEqual({ project: PROJECT, from: '2026-11-21T12:00:00.000Z', hasError: 'false' });
  });

  it('keeps dates that came without a preset as a custom range', () => {
    const filters = readFilters(new URLSearchParams('from=2026-11-01T08:00:00%2B02:00'));
    expect(filters.range).toBe('custom');
    expect(listQuery(PROJECT, filters).get('from')).toBe('2026-11-01T06:00:00.000Z');
  });
});
