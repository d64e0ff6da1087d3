import { AlertSettings } from '@loupe/contracts';
import { describe, expect, it } from 'vitest';
import { findAlerts, type PageActivity } from './alerts';

const t = AlertSettings.defaults;
const page = (pageKey: string, views: number, rageClicks: number, errors = 0): PageActivity => ({ pageKey, views, rageClicks, errors });

describe('alerts on a rise above the usual', () => {
  it('alerts when a page reaches three times its usual rate, and names both rates', () => {
    const alerts = findAlerts([page('/checkout', 40, 8)], [page('/checkout', 2000, 40)], t);
    expect(alerts).toEqual([{ pageKey: '/checkout', metric: 'rage_click_rate', rate: 0.2, baselineRate: 0.02, views: 40, count: 8 }]);
  });

  it('stays quiet below the factor, below the floor, with too few views, or without a baseline', () => {
    expect(findAlerts([page('/a', 100, 5)], [page('/a', 1000, 20)], t)).toEqual([]); // 0.05 vs 0.02: 2.5×
    expect(findAlerts([page('/a', 100, 4)], [page('/a', 1000, 0)], t)).toEqual([]); // 0.04 < 0.05
    expect(findAlerts([page('/a', 10, 9)], [page('/a', 1000, 1)], t)).toEqual([]); // 10 views < 30
    expect(findAlerts([page('/a', 100, 50)], [page('/a', 10, 0)], t)).toEqual([]); // baseline too thin
    expect(findAlerts([page('/new', 100, 50)], [], t)).toEqual([]);
  });

  it('watches errors too, and only the metrics asked for', () => {
    const recent = [page('/cart', 50, 0, 20)];
    const usual = [page('/cart', 500, 0, 5)];
    expect(findAlerts(recent, usual, t).map((a) => a.metric)).toEqual(['error_rate']);
    expect(findAlerts(recent, usual, { ...t, metrics: ['rage_click_rate'] })).toEqual([]);
  });
});
