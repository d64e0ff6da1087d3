import { describe, expect, it } from 'vitest';
import { isCrossSiteRequest } from './cross-origin';

const none = new Set<string>();

describe('isCrossSiteRequest', () => {
  it('believes Sec-Fetch-Site first', () => {
    expect(isCrossSiteRequest({ secFetchSite: 'same-origin', origin: 'https://elsewhere.example', host: 'loupe.test' }, none)).toBe(false);
    expect(isCrossSiteRequest({ secFetchSite: 'none', host: 'loupe.test' }, none)).toBe(false);
    expect(isCrossSiteRequest({ secFetchSite: 'same-site', origin: 'https://a.loupe.test', host: 'loupe.test' }, none)).toBe(true);
    expect(isCrossSiteRequest({ secFetchSite: 'cross-site', host: 'loupe.test' }, none)).toBe(true);
  });

  it('compares Origin with the host when the browser sends no fetch metadata', () => {
    expect(isCrossSiteRequest({ origin: 'http://loupe.test:8080', host: 'loupe.test:8080' }, none)).toBe(false);
    expect(isCrossSiteRequest({ origin: 'http://loupe.test:8081', host: 'loupe.test:8080' }, none)).toBe(true);
    expect(isCrossSiteRequest({ origin: 'https://loupe.test', host: 'loupe.test' }, none)).toBe(false);
    expect(isCrossSiteRequest({ origin: 'null', host: 'loupe.test' }, none)).toBe(true);
    expect(isCrossSiteRequest({ origin: 'not a url', host: 'loupe.test' }, none)).toBe(true);
  });

  it('lets through programs that send neither header, and trusted origins', () => {
    expect(isCrossSiteRequest({ host: 'loupe.test' }, none)).toBe(false);
    expect(isCrossSiteRequest({ secFetchSite: 'cross-site', origin: 'https://loupe.example.com', host: 'api:8080' }, new Set(['https://loupe.example.com']))).toBe(false);
  });
});
