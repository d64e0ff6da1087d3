import { useCallback, useId, useMemo, type ComponentType, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { CxSection } from '../dashboard/cx-section';
import { EngagementSection } from '../dashboard/engagement-section';
import { DASHBOARD_RANGES, INTERVALS, readDashboardFilters, writeDashboardFilters, type DashboardFilters, type DashboardSectionProps } from '../dashboard/dashboard-filters';
import { PageHeading, useDocumentTitle } from '../page';
import { useProject } from '../projects';
import { DeviceFilter, ExperimentFilters } from '../filters';

/**
 * The sections of the Dashboard, in order. Each is its own component and loads its own data; a new
 * one (funnels, engagement…) is one more entry here.
 */
export const DASHBOARD_SECTIONS: Array<{ id: string; title: string; Component: ComponentType<DashboardSectionProps> }> = [
  { id: 'engagement', title: 'Engagement', Component: EngagementSection },
  { id: 'cx', title: 'Customer experience', Component: CxSection },
];

export default function DashboardPage() {
  const project = useProject();
  useDocumentTitle('Dashboard', project.name);
  const [params, setParams] = useSearchParams();
  const key = writeDashboardFilters(readDashboardFilters(params)).toString();
  const filters = useMemo(() => readDashboardFilters(new URLSearchParams(key)), [key]);
  const patch = useCallback(
    (change: Partial<DashboardFilters>) => setParams((prev) => writeDashboardFilters({ ...readDashboardFilters(prev), ...change }, prev), { replace: true }),
    [setParams],
  );
  return (
    <div className="dashboard">
      <PageHeading description="Your site at a glance: what visitors say and what they do, over time, for every visitor or one device, experiment or variant.">Dashboard</PageHeading>
      <DashboardFiltersBar filters={filters} patch={patch} />
      {DASHBOARD_SECTIONS.map(({ id, title, Component }) => (
        <section key={id} className="dashboard-section" aria-labelledby={`dashboard-${id}`}>
          <h2 id={`dashboard-${id}`}>{title}</h2>
          <Component project={project} filters={filters} />
        </section>
      ))}
    </div>
  );
}

function DashboardFiltersBar({ filters, patch }: { filters: DashboardFilters; patch(c: Partial<DashboardFilters>): void }) {
  const id = useId();
  return (
    <form className="filters" role="search" aria-label="Dashboard range and visitors" onSubmit={(e: FormEvent) => e.preventDefault()}>
      <div className="filter">
        <label htmlFor={`${id}-range`}>Time</label>
        <select id={`${id}-range`} value={filters.range} onChange={(e) => patch({ range: e.target.value as DashboardFilters['range'] })}>
          {DASHBOARD_RANGES.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
      </div>
      <div className="filter">
        <label htmlFor={`${id}-interval`}>Trend</label>
        <select id={`${id}-interval`} value={filters.interval} onChange={(e) => patch({ interval: e.target.value as DashboardFilters['interval'] })}>
          {INTERVALS.map((i) => (
            <option key={i.value} value={i.value}>
              {i.label}
            </option>
          ))}
        </select>
      </div>
      <DeviceFilter id={`${id}-device`} value={filters.device} change={(device) => patch({ device })} />
      <ExperimentFilters id={id} experiment={filters.experiment} variant={filters.variant} change={patch} />
    </form>
  );
}
