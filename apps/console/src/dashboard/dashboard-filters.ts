import type { Project } from '@loupe/contracts';
import { DEVICES, type Device } from '../session-filters';

/**
 * What every section of the Dashboard shows its figures for: a time range ending now, the interval
 * of its trends, and the visitors it counts. Kept in the URL, so a view can be shared.
 */
export interface DashboardFilters {
  range: DashboardRange;
  interval: 'day' | 'week' | 'month';
  device?: Device;
  experiment?: string;
  variant?: string;
}

export const DASHBOARD_RANGES = [
  { value: '7d', label: 'Last 7 days', days: 7 },
  { value: '30d', label: 'Last 30 days', days: 30 },
  { value: '90d', label: 'Last 90 days', days: 90 },
  { value: '365d', label: 'Last 12 months', days: 365 },
] as const;
export type DashboardRange = (typeof DASHBOARD_RANGES)[number]['value'];

export const INTERVALS = [
  { value: 'day', label: 'By day' },
  { value: 'week', label: 'By week' },
  { value: 'month', label: 'By month' },
] as const;

export const DEFAULT_FILTERS: DashboardFilters = { range: '90d', interval: 'week' };

export function readDashboardFilters(p: URLSearchParams): DashboardFilters {
  const range = DASHBOARD_RANGES.find((r) => r.value === p.get('range'))?.value ?? DEFAULT_FILTERS.range;
  const interval = INTERVALS.find((i) => i.value === p.get('interval'))?.value ?? DEFAULT_FILTERS.interval;
  const device = DEVICES.find((d) => d === p.get('device'));
  const experiment = p.get('experiment')?.trim() || undefined;
  const variant = experiment ? p.get('variant')?.trim() || undefined : undefined;
  return { range, interval, ...(device ? { device } : {}), ...(experiment ? { experiment } : {}), ...(variant ? { variant } : {}) };
}

export function writeDashboardFilters(f: DashboardFilters, keep: URLSearchParams = new URLSearchParams()): URLSearchParams {
  const out = new URLSearchParams(keep);
  for (const k of ['range', 'interval', 'device', 'experiment', 'variant']) out.delete(k);
  if (f.range !== DEFAULT_FILTERS.range) out.set('range', f.range);
  if (f.interval !== DEFAULT_FILTERS.interval) out.set('interval', f.interval);
  if (f.device) out.set('device', f.device);
  if (f.experiment) out.set('experiment', f.experiment);
  if (f.experiment && f.variant) out.set('variant', f.variant);
  return out;
}

/** The dates of the range, `to` rounded up to the next minute so that a re-render asks the same question. */
export function rangeOf(f: DashboardFilters, now = Date.now()): { from: string; to: string } {
  const days = DASHBOARD_RANGES.find((r) => r.value === f.range)?.days ?? 90;
  const to = Math.ceil(now / 60_000) * 60_000;
  return { from: new Date(to - days * 86_400_000).toISOString(), to: new Date(to).toISOString() };
}

/** What a Dashboard section is given: the project, and the range and visitors every section shows. */
export interface DashboardSectionProps {
  project: Project;
  filters: DashboardFilters;
}
