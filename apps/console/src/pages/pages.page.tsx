import type { PageRow } from '@loupe/contracts';
import { SIGNAL_KINDS } from '@loupe/contracts/signal-kinds';
import { useEffect, useId, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { apiRequest, messageOf } from '../api';
import { formatDuration } from '../format';
import { signalCount } from '../frustration';
import { EmptyState, PageHeading, useDocumentTitle } from '../page';
import { useProject } from '../projects';

/** The ranges offered, as the Sessions page names them, so links carry the same range across. */
const RANGES = [
  { value: '24h', label: 'Last 24 hours', ms: 24 * 3600_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 24 * 3600_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 24 * 3600_000 },
] as const;
type Range = (typeof RANGES)[number]['value'];

type Sort = 'views' | 'visitors' | 'exits' | 'exitRate' | 'bounceRate' | 'medianTimeOnPageMs' | 'signalsPerView' | 'errorsPerView';

const COLUMNS: Array<{ sort: Sort; label: string; help: string }> = [
  { sort: 'views', label: 'Views', help: 'Page views in the range' },
  { sort: 'visitors', label: 'Visitors', help: 'Different visitors who saw the page' },
  { sort: 'exits', label: 'Exits', help: 'Visits that ended on this page' },
  { sort: 'exitRate', label: 'Exit rate', help: 'Exits per view' },
  { sort: 'bounceRate', label: 'Bounce rate', help: 'Of the visits that started here, those that saw no other page' },
  { sort: 'medianTimeOnPageMs', label: 'Time on page', help: 'Median time before the next page, or the last action on this one' },
  { sort: 'signalsPerView', label: 'Frustration', help: 'Frustration signals per view, by kind' },
  { sort: 'errorsPerView', label: 'Errors', help: 'Uncaught errors per view' },
];

const percent = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(x > 0 && x < 0.1 ? 1 : 0)}%`);

interface Answer {
  from: string;
  to: string;
  pages: PageRow[];
}

/**
 * The drop-off table: for each page (URLs grouped by template), how many people saw it, left the
 * site from it, and struggled on it, each number opening the sessions behind it.
 */
export function PagesPage() {
  const project = useProject();
  useDocumentTitle('Pages', project.name);
  const id = useId();
  const [params, setParams] = useSearchParams();
  const range = (RANGES.find((r) => r.value === params.get('range'))?.value ?? '7d') as Range;
  const sort = (COLUMNS.find((c) => c.sort === params.get('sort'))?.sort ?? 'exits') as Sort;
  const order = params.get('order') === 'asc' ? 'asc' : 'desc';
  const search = params.get('search') ?? '';
  const [state, setState] = useState<{ phase: 'loading' | 'ready' | 'failed'; answer?: Answer; error?: string; query?: string }>({ phase: 'loading' });

  const query = useMemo(() => {
    const q = new URLSearchParams({ project: project.id, sort, order, limit: '200' });
    q.set('from', new Date(Date.now() - (RANGES.find((r) => r.value === range)?.ms ?? 0)).toISOString());
    if (search.trim()) q.set('search', search.trim());
    return q.toString();
  }, [project.id, range, sort, order, search]);

  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, phase: 'loading' }));
    apiRequest<Answer>(`/api/v1/pages?${query}`, { signal: controller.signal })
      .then((answer) => setState({ phase: 'ready', answer, query }))
      .catch((err: unknown) => !controller.signal.aborted && setState({ phase: 'failed', error: messageOf(err) }));
    return () => controller.abort();
  }, [query]);

  const set = (change: Record<string, string | undefined>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(change)) if (v) next.set(k, v);
        else next.delete(k);
        return next;
      },
      { replace: true },
    );

  const sessions = (filter: Record<string, string>) => `/p/${project.id}/sessions?${new URLSearchParams({ range, ...filter })}`;
  const pages = state.answer?.pages ?? [];

  return (
    <>
      <PageHeading description="Where people leave your site and where they struggle, page by page. Pages that differ only by an id count as one; open any number to watch the sessions behind it.">
        Pages
      </PageHeading>
      <form className="filters" role="search" aria-label="Filter pages" onSubmit={(e) => e.preventDefault()}>
        <div className="filter">
          <label htmlFor={`${id}-range`}>Time</label>
          <select id={`${id}-range`} value={range} onChange={(e) => set({ range: e.target.value })}>
            {RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        <div className="filter">
          <label htmlFor={`${id}-search`}>Page contains</label>
          <input id={`${id}-search`} type="search" placeholder="/checkout" defaultValue={search} onKeyDown={(e) => e.key === 'Enter' && set({ search: e.currentTarget.value || undefined })} onBlur={(e) => set({ search: e.currentTarget.value || undefined })} />
        </div>
      </form>
      {state.phase === 'failed' && (
        <p className="alert" role="alert">
          {state.error}
        </p>
      )}
      {state.phase === 'ready' && pages.length === 0 ? (
        <EmptyState title="No page views in this range">
          <p>Pages appear here once visits have been recorded and analysed, a few seconds after they happen.</p>
        </EmptyState>
      ) : (
        <section aria-label="Pages" aria-busy={state.phase === 'loading'} className="pages-results" data-query={state.query ?? ''}>
          <div className="table-scroll">
            <table className="sessions-table pages-table">
              <thead>
                <tr>
                  <th scope="col">Page</th>
                  {COLUMNS.map((c) => (
                    <th key={c.sort} scope="col" className="num" aria-sort={sort === c.sort ? (order === 'asc' ? 'ascending' : 'descending') : 'none'}>
                      <button
                        type="button"
                        className="sort-button"
                        title={c.help}
                        onClick={() => set({ sort: c.sort, order: sort === c.sort && order === 'desc' ? 'asc' : 'desc' })}
                      >
                        {c.label}
                        <span aria-hidden="true">{sort === c.sort ? (order === 'asc' ? ' ↑' : ' ↓') : ''}</span>
                      </button>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {pages.map((p) => (
                  <tr key={p.pageKey} data-page-key={p.pageKey}>
                    <th scope="row" className="cell-url">
                      <code>{p.pageKey}</code>
                      <div className="muted small cell-sub" title={p.exampleUrl}>
                        <a href={p.exampleUrl} target="_blank" rel="noreferrer noopener">
                          Open the page
                        </a>
                      </div>
                    </th>
                    <td className="num">
                      <Link to={sessions({ page: p.pageKey })} aria-label={`Sessions that viewed ${p.pageKey}`}>
                        {p.views.toLocaleString()}
                      </Link>
                    </td>
                    <td className="num">{p.visitors.toLocaleString()}</td>
                    <td className="num">
                      <Link to={sessions({ exitPage: p.pageKey })} aria-label={`Sessions that left from ${p.pageKey}`}>
                        {p.exits.toLocaleString()}
                      </Link>
                    </td>
                    <td className="num">
                      <span className="rate-bar" style={{ '--rate': p.exitRate } as React.CSSProperties}>
                        {percent(p.exitRate)}
                      </span>
                    </td>
                    <td className="num">
                      {p.bounceRate === null ? (
                        <span className="muted">–</span>
                      ) : (
                        <Link to={sessions({ entryPage: p.pageKey, bounced: 'true' })} aria-label={`Sessions that saw only ${p.pageKey}`}>
                          {percent(p.bounceRate)}
                        </Link>
                      )}
                    </td>
                    <td className="num">{p.medianTimeOnPageMs === null ? '–' : formatDuration(p.medianTimeOnPageMs)}</td>
                    <td className="num">
                      {p.signals === 0 ? (
                        <span className="muted">None</span>
                      ) : (
                        <>
                          <Link to={sessions({ signalPage: p.pageKey })} aria-label={`Sessions with frustration on ${p.pageKey}`}>
                            {p.signalsPerView.toFixed(2)} per view
                          </Link>
                          <div className="cell-sub signal-breakdown">
                            {SIGNAL_KINDS.filter((k) => p.signalCounts[k]).map((k) => (
                              <Link key={k} className={`badge badge-signal signal-${k}`} to={sessions({ signalPage: p.pageKey, signal: k })}>
                                {signalCount(k, p.signalCounts[k] ?? 0)}
                              </Link>
                            ))}
                          </div>
                        </>
                      )}
                    </td>
                    <td className="num">{p.errorsPerView > 0 ? p.errorsPerView.toFixed(2) : <span className="muted">None</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {state.phase === 'loading' && !state.answer && (
            <p className="muted" role="status">
              Loading pages…
            </p>
          )}
        </section>
      )}
    </>
  );
}
