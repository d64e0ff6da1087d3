import type { PathsResult } from '@loupe/contracts';
import { useEffect, useId, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { ResponsiveContainer, Sankey, Tooltip } from 'recharts';
import { apiRequest, messageOf } from '../api';
import { plural } from '../format';
import { EmptyState, PageHeading, useDocumentTitle } from '../page';
import { useProject } from '../projects';

const RANGES = [
  { value: '24h', label: 'Last 24 hours', ms: 24 * 3600_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 24 * 3600_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 24 * 3600_000 },
] as const;

/**
 * Journeys: from one page, where people went next, level by level (or, backwards, how they got
 * there), as a Sankey chart and as a list of the same numbers.
 */
export default function JourneysPage() {
  const project = useProject();
  useDocumentTitle('Journeys', project.name);
  const id = useId();
  const [params, setParams] = useSearchParams();
  const page = params.get('page') ?? '/';
  const direction = params.get('direction') === 'previous' ? 'previous' : 'next';
  const range = RANGES.find((r) => r.value === params.get('range'))?.value ?? '7d';
  const [pages, setPages] = useState<string[]>([]);
  const [result, setResult] = useState<PathsResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const set = (k: string, v: string) => setParams((prev) => new URLSearchParams({ ...Object.fromEntries(prev), [k]: v }), { replace: true });

  useEffect(() => {
    apiRequest<{ suggestions: Array<{ value: string }> }>(`/api/v1/funnels/suggestions?project=${project.id}&type=page&limit=50`)
      .then((r) => setPages(r.suggestions.map((s) => s.value)))
      .catch(() => undefined);
  }, [project.id]);

  useEffect(() => {
    const controller = new AbortController();
    const q = new URLSearchParams({ project: project.id, [direction === 'next' ? 'start' : 'end']: page, depth: '3', width: '5' });
    q.set('from', new Date(Date.now() - (RANGES.find((r) => r.value === range)?.ms ?? 0)).toISOString());
    setError(null);
    apiRequest<PathsResult>(`/api/v1/paths?${q}`, { signal: controller.signal })
      .then(setResult)
      .catch((err: unknown) => !controller.signal.aborted && setError(messageOf(err)));
    return () => controller.abort();
  }, [project.id, page, direction, range]);

  const data = useMemo(() => {
    if (!result) return null;
    const index = new Map(result.nodes.map((n, i) => [n.id, i]));
    const links = result.links.flatMap((l) => {
      const source = index.get(l.source);
      const target = index.get(l.target);
      return source === undefined || target === undefined ? [] : [{ source, target, value: l.sessions }];
    });
    return { nodes: result.nodes.map((n) => ({ name: `${n.pageKey} (${n.sessions})` })), links };
  }, [result]);

  return (
    <>
      <PageHeading description="Where people go after a page, or how they reach it: the most common pages a few steps away, and how many leave at each.">Journeys</PageHeading>
      <form className="filters" role="search" aria-label="Journey" onSubmit={(e) => e.preventDefault()}>
        <div className="filter">
          <label htmlFor={`${id}-direction`}>Show</label>
          <select id={`${id}-direction`} value={direction} onChange={(e) => set('direction', e.target.value)}>
            <option value="next">Pages after</option>
            <option value="previous">Pages before</option>
          </select>
        </div>
        <div className="filter">
          <label htmlFor={`${id}-page`}>Page</label>
          <input id={`${id}-page`} list={`${id}-pages`} defaultValue={page} onKeyDown={(e) => e.key === 'Enter' && set('page', e.currentTarget.value || '/')} onBlur={(e) => set('page', e.currentTarget.value || '/')} />
          <datalist id={`${id}-pages`}>
            {pages.map((p) => (
              <option key={p} value={p} />
            ))}
          </datalist>
        </div>
        <div className="filter">
          <label htmlFor={`${id}-range`}>Time</label>
          <select id={`${id}-range`} value={range} onChange={(e) => set('range', e.target.value)}>
            {RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
      </form>
      {error && (
        <p className="alert" role="alert">
          {error}
        </p>
      )}
      {result && data && data.links.length === 0 ? (
        <EmptyState title="No journeys through this page in this range">
          <p>Pick another page: the field suggests the pages recorded lately.</p>
        </EmptyState>
      ) : (
        data && (
          <section aria-label="Journeys chart">
            <div className="journeys-chart">
              <ResponsiveContainer width="100%" height={420}>
                <Sankey data={data} nodePadding={24} margin={{ top: 10, right: 160, bottom: 10, left: 10 }} link={{ stroke: '#3b5bdb' }} node={{ fill: '#3b5bdb' } as never}>
                  <Tooltip />
                </Sankey>
              </ResponsiveContainer>
            </div>
            <table className="sessions-table journeys-table">
              <thead>
                <tr>
                  <th scope="col">Step</th>
                  <th scope="col">Page</th>
                  <th scope="col">Sessions</th>
                  <th scope="col">{direction === 'next' ? 'Left the site here' : 'Started here'}</th>
                </tr>
              </thead>
              <tbody>
                {result?.nodes.map((n) => (
                  <tr key={n.id}>
                    <td>{n.level === 0 ? 'Start' : direction === 'next' ? `+${n.level}` : `−${n.level}`}</td>
                    <td>{n.pageKey}</td>
                    <td>{plural(n.sessions, 'session')}</td>
                    <td>{n.exits.toLocaleString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )
      )}
    </>
  );
}
