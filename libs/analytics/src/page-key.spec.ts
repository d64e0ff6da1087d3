import { describe, expect, it } from 'vitest';
import { pageKey, PAGE_KEY_DEFAULTS } from './page-key';

const withRules = (rules: Array<{ match: string; key: string }>) => ({ ...PAGE_KEY_DEFAULTS, rules });

describe('page keys', () => {
  it('groups pages that differ only by an id', () => {
    expect(pageKey('https://shop.example.com/product/123')).toBe('/product/:id');
    expect(pageKey('https://shop.example.com/product/456?utm_source=mail#reviews')).toBe('/product/:id');
    expect(pageKey('https://shop.example.com/orders/3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e/items')).toBe('/orders/:uuid/items');
    expect(pageKey('https://shop.example.com/assets/9e107d9d372bb6826bd81d3542a419d6')).toBe('/assets/:hash');
    expect(pageKey('https://shop.example.com/track/ORD12345X')).toBe('/track/:id');
  });

  it('keeps words, slugs and the root as they are, without a trailing slash', () => {
    expect(pageKey('https://shop.example.com/')).toBe('/');
    expect(pageKey('https://shop.example.com')).toBe('/');
    expect(pageKey('https://shop.example.com/blog/summer-sale-2024/')).toBe('/blog/summer-sale-2024');
    expect(pageKey('https://shop.example.com//cart//')).toBe('/cart');
    expect(pageKey('https://shop.example.com/v2/checkout')).toBe('/v2/checkout');
  });

  it('keeps only the query parameters listed, in a fixed order', () => {
    const settings = { ...PAGE_KEY_DEFAULTS, keepQuery: ['tab', 'step'] };
    expect(pageKey('https://s.example/account?utm=x&tab=orders&step=2', settings)).toBe('/account?step=2&tab=orders');
    expect(pageKey('https://s.example/account?utm=x', settings)).toBe('/account');
  });

  it('reads routes kept in the fragment, unless told not to', () => {
    expect(pageKey('https://app.example.com/#/settings/42')).toBe('/settings/:id');
    expect(pageKey('https://app.example.com/app/#!/inbox')).toBe('/app/inbox');
    expect(pageKey('https://app.example.com/#/settings/42', { ...PAGE_KEY_DEFAULTS, hashRoutes: false })).toBe('/');
    expect(pageKey('https://app.example.com/docs#install')).toBe('/docs');
  });

  it('applies the first matching rule before grouping ids', () => {
    const settings = withRules([
      { match: '/product/*', key: '/product/:slug' },
      { match: '/help/**', key: '/help' },
    ]);
    expect(pageKey('https://s.example/product/blue-shirt', settings)).toBe('/product/:slug');
    expect(pageKey('https://s.example/product/blue-shirt/reviews', settings)).toBe('/product/blue-shirt/reviews');
    expect(pageKey('https://s.example/help/a/b/c', settings)).toBe('/help');
    expect(pageKey('https://s.example/help', settings)).toBe('/help');
  });

  it('can keep ids, or the host', () => {
    expect(pageKey('https://s.example/product/123', { ...PAGE_KEY_DEFAULTS, groupIds: false })).toBe('/product/123');
    expect(pageKey('https://shop.example.com:8443/cart', { ...PAGE_KEY_DEFAULTS, includeHost: true })).toBe('shop.example.com:8443/cart');
  });

  it('never fails on what is not a URL', () => {
    expect(pageKey('not a url')).toBe('not a url');
    expect(pageKey('x'.repeat(5000))).toHaveLength(500);
  });
});
