import { describe, expect, it } from 'vitest';
import { resolveOptions, type ResolvedOptions } from './options';

describe('resolveOptions', () => {
  it('fills in private-by-default settings', () => {
    const o = resolveOptions({ key: 'pk_1', endpoint: 'https://loupe.example.com/' }) as ResolvedOptions;
    expect(o).toMatchObject({
      endpoint: 'https://loupe.example.com',
      ingestUrl: 'https://loupe.example.com/v1/ingest?key=pk_1',
      maskAllInputs: true,
      maskAllText: false,
      maskTextSelector: '[data-loupe-mask]',
      blockSelector: '[data-loupe-block]',
      ignoreSelector: '[data-loupe-ignore],[data-loupe-ignore] *',
      console: ['error', 'warn'],
      checkoutEveryNms: 180_000,
      flushIntervalMs: 5000,
      maxBatchBytes: 200_000,
      maxBatchEvents: 1000,
      maxStoredBytes: 2_000_000,
      retry: { baseDelayMs: 1000, maxDelayMs: 60_000, attempts: 8 },
    });
  });

  it('adds selectors to the built-in ones rather than replacing them', () => {
    const o = resolveOptions({ key: 'k', endpoint: '', maskTextSelector: '.pii', blockSelector: 'iframe', ignoreSelector: '#search' }) as ResolvedOptions;
    expect(o.maskTextSelector).toBe('[data-loupe-mask],.pii');
    expect(o.blockSelector).toBe('[data-loupe-block],iframe');
    expect(o.ignoreSelector).toBe('[data-loupe-ignore],[data-loupe-ignore] *,#search');
  });

  it('takes the endpoint the script came from when none is given, and the page’s own server for ""', () => {
    expect((resolveOptions({ key: 'k' }, 'https://cdn.loupe.test') as ResolvedOptions).ingestUrl).toBe('https://cdn.loupe.test/v1/ingest?key=k');
    expect((resolveOptions({ key: 'a b', endpoint: '' }) as ResolvedOptions).ingestUrl).toBe('/v1/ingest?key=a%20b');
  });

  it('explains what is missing or wrong', () => {
    expect(resolveOptions(undefined)).toMatch(/options object/);
    expect(resolveOptions({ endpoint: 'https://x' })).toMatch(/project key/);
    expect(resolveOptions({ key: 'k' })).toMatch(/needs the endpoint/);
    expect(resolveOptions({ key: 'k', endpoint: 'loupe.example.com' })).toMatch(/http\(s\) URL/);
  });

  it('keeps numbers within what the server and the browser allow', () => {
    const o = resolveOptions({ key: 'k', endpoint: '', maxBatchBytes: 50_000_000, maxBatchEvents: 0, flushIntervalMs: 1, console: false, retry: { attempts: 0 } }) as ResolvedOptions;
    expect(o.maxBatchBytes).toBeLessThanOrEqual(512 * 1024);
    expect(o.maxBatchEvents).toBe(1);
    expect(o.flushIntervalMs).toBe(250);
    expect(o.console).toEqual([]);
    expect(o.retry.attempts).toBe(1);
  });
});
