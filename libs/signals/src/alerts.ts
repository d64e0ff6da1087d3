import type { AlertMetric, AlertThresholds } from '@loupe/contracts';

/** What a page did over a stretch of time. */
export interface PageActivity {
  pageKey: string;
  views: number;
  rageClicks: number;
  errors: number;
}

export interface PageAlert {
  pageKey: string;
  metric: AlertMetric;
  /** Per view, in the recent window. */
  rate: number;
  baselineRate: number;
  views: number;
  count: number;
}

const measure: Record<AlertMetric, (a: PageActivity) => number> = {
  rage_click_rate: (a) => a.rageClicks,
  error_rate: (a) => a.errors,
};

/**
 * Pages whose rage clicks or errors per view in the recent window reached `factor` times their own
 * baseline rate (and `minRate`), with enough views in both to trust the rates. A page too new to
 * have a baseline does not alert: there is nothing to say it is worse than usual.
 */
export function findAlerts(recent: readonly PageActivity[], baseline: readonly PageActivity[], t: Pick<AlertThresholds, 'metrics' | 'factor' | 'minViews' | 'minRate'>): PageAlert[] {
  const before = new Map(baseline.map((b) => [b.pageKey, b]));
  const out: PageAlert[] = [];
  for (const page of recent) {
    const usual = before.get(page.pageKey);
    if (!usual || page.views < t.minViews || usual.views < t.minViews) continue;
    for (const metric of t.metrics) {
      const count = measure[metric](page);
      const rate = count / page.views;
      const baselineRate = measure[metric](usual) / usual.views;
      if (rate >= t.minRate && rate >= t.factor * baselineRate) out.push({ pageKey: page.pageKey, metric, rate, baselineRate, views: page.views, count });
    }
  }
  return out.sort((a, b) => b.rate / Math.max(a.baselineRate, 1e-9) - a.rate / Math.max(b.baselineRate, 1e-9) || a.pageKey.localeCompare(b.pageKey));
}
