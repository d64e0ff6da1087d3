import type { MetricsResult } from '@loupe/contracts';
import { useEffect, useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { apiRequest, messageOf } from '../api';
import { formatDuration } from '../format';
import { rangeOf, type DashboardSectionProps } from './dashboard-filters';

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const ms = (x: number | null) => (x === null ? '—' : formatDuration(x));

function bucketLabel(iso: string, interval: MetricsResult['interval']): string {
  const d = new Date(iso);
  if (interval === 'month') return d.toLocaleDateString(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });
  if (interval === 'hour') return d.toLocaleTimeString(undefined, { hour: '2-digit', timeZone: 'UTC' });
  return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/**
 * The engagement part of the Dashboard: traffic, how long and how deep visits go, where they end,
 * and which features people use, for the range and device chosen above.
 */
export function EngagementSection({ project, filters }: DashboardSectionProps) {
  const [metrics, setMetrics] = useState<MetricsResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { from, to } = rangeOf(filters);
  const query = useMemo(() => {
    const q = new URLSearchParams({ project: project.id, from, to, interval: filters.interval });
    if (filters.device) q.set('device', filters.device);
    return q.toString();
  }, [project.id, from, to, filters.interval, filters.device]);

  useEffect(() => {
    const controller = new AbortController();
    setError(null);
    apiRequest<MetricsResult>(`/api/v1/metrics?${query}`, { signal: controller.signal })
      .then(setMetrics)
      .catch((err: unknown) => !controller.signal.aborted && setError(messageOf(err)));
    return () => controller.abort();
  }, [query]);

  if (error)
    return (
      <p className="alert" role="alert">
        {error}
      </p>
    );
  if (!metrics) return <p className="muted">Loading engagement…</p>;
  const t = metrics.totals;
  const cards: Array<[string, string, string]> = [
    ['Sessions', t.sessions.toLocaleString(), 'Visits started in the range'],
    ['Page views', t.pageViews.toLocaleString(), 'Pages seen in those visits'],
    ['Unique visitors', t.uniqueVisitors.toLocaleString(), `${t.newVisitors.toLocaleString()} new, ${t.returningVisitors.toLocaleString()} returning`],
    ['Pages per session', t.pagesPerSession === null ? '—' : t.pagesPerSession.toFixed(2), 'Page views per visit'],
    ['Session duration', ms(t.avgSessionMs), `Average; median ${ms(t.medianSessionMs)}`],
    ['Active time', ms(t.avgActiveMs), `Average; median ${ms(t.medianActiveMs)}`],
    ['Bounce rate', pct(t.bounceRate), 'Visits that saw one page only'],
    ['Logins', t.logins.toLocaleString(), 'Visits where the site identified the user'],
  ];
  const series = metrics.series.map((p) => ({ ...p, label: bucketLabel(p.start, metrics.interval) }));
  return (
    <div className="engagement" aria-label="Engagement">
      <dl className="kpis">
        {cards.map(([label, value, help]) => (
          <div className="kpi" key={label} data-metric={label}>
            <dt>{label}</dt>
            <dd className="kpi-value">{value}</dd>
            <dd className="muted small">{help}</dd>
          </div>
        ))}
      </dl>
      <div className="dashboard-chart" role="img" aria-label="Sessions, page views and visitors over time">
        <ResponsiveContainer width="100%" height={260}>
          <LineChart data={series} margin={{ top: 10, right: 10, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" tick={{ fontSize: 12 }} />
            <YAxis allowDecimals={false} />
            <Tooltip />
            <Legend />
            <Line dataKey="sessions" name="Sessions" stroke="#3b5bdb" dot={false} isAnimationActive={false} />
            <Line dataKey="pageViews" name="Page views" stroke="#12b76a" dot={false} isAnimationActive={false} />
            <Line dataKey="uniqueVisitors" name="Visitors" stroke="#f79009" dot={false} isAnimationActive={false} />
            <Line dataKey="newVisitors" name="New visitors" stroke="#98a2b3" dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <div className="engagement-tables">
        <table className="sessions-table">
          <caption>Time on page</caption>
          <thead>
            <tr>
              <th scope="col">Page</th>
              <th scope="col">Views</th>
              <th scope="col">Median</th>
              <th scope="col">Average</th>
              <th scope="col">Scrolled (median)</th>
            </tr>
          </thead>
          <tbody>
            {metrics.timeOnPage.map((p) => (
              <tr key={p.pageKey}>
                <td>{p.pageKey}</td>
                <td>{p.views.toLocaleString()}</td>
                <td>{formatDuration(p.medianMs)}</td>
                <td>{formatDuration(p.avgMs)}</td>
                <td>{pct(p.medianScrollDepth)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table className="sessions-table">
          <caption>Exit pages</caption>
          <thead>
            <tr>
              <th scope="col">Page</th>
              <th scope="col">Exits</th>
              <th scope="col">Exit rate</th>
            </tr>
          </thead>
          <tbody>
            {metrics.exitPages.map((p) => (
              <tr key={p.pageKey}>
                <td>{p.pageKey}</td>
                <td>{p.exits.toLocaleString()}</td>
                <td>{pct(p.exitRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table className="sessions-table">
          <caption>Feature usage (custom events)</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Count</th>
              <th scope="col">Sessions</th>
            </tr>
          </thead>
          <tbody>
            {metrics.featureUsage.map((f) => (
              <tr key={f.name}>
                <td>{f.name}</td>
                <td>{f.count.toLocaleString()}</td>
                <td>{f.sessions.toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
