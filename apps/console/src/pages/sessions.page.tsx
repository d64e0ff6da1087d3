import type { Project, SessionSummary } from '@loupe/contracts';
import { SIGNAL_KINDS, SIGNAL_LABELS } from '@loupe/contracts/signal-kinds';
import { memo, useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { apiRequest, messageOf } from '../api';
import { capitalize, countryName, displayUrl, formatDateTime, formatDuration, plural } from '../format';
import { FrustrationCell } from '../frustration';
import { InstallSnippet } from '../install-snippet';
import { EmptyState, PageHeading, useDocumentTitle } from '../page';
import { prefetch, sessionDetailPath } from '../player/prefetch';
import { useProject } from '../projects';
import { DeviceFilter, ExperimentFilters, TextFilter } from '../filters';
import {
  countryCode,
  fromLocalInput,
  hasFilters,
  listQuery,
  MIN_DURATIONS,
  PAGE_FILTERS,
  RANGE_PRESETS,
  readFilters,
  toLocalInput,
  writeFilters,
  type PageFilter,
  type RangePreset,
  type SessionFilters,
  type SignalFilter,
} from '../session-filters';
import { loadPlayerPage } from './player.route';

interface SessionPage {
  sessions: SessionSummary[];
  nextCursor: string | null;
}

interface ListState {
  phase: 'loading' | 'ready' | 'failed';
  /** The project and filters the sessions shown were loaded for. */
  loadedFor: string;
  sessions: SessionSummary[];
  nextCursor: string | null;
  /** Whether the project has no session at all (not just none matching the filters); null until known. */
  projectEmpty: boolean | null;
  error?: string;
}

const PAGE_SIZE = 50;
const POLL_MS = 5000;
/** How long a session that appeared while the page was open stays highlighted. */
const FRESH_MS = 8000;

export function SessionsPage() {
  const project = useProject();
  useDocumentTitle('Sessions', project.name);
  const [params, setParams] = useSearchParams();
  const key = writeFilters(readFilters(params)).toString();
  const filters = useMemo(() => readFilters(new URLSearchParams(key)), [key]);
  const list = useSessionList(project.id, filters, key);

  useEffect(() => {
    // The player is a separate bundle (rrweb is large); fetching it now makes opening a session instant.
    const idle = setTimeout(() => void loadPlayerPage().catch(() => undefined), 1500);
    return () => clearTimeout(idle);
  }, []);

  const patch = useCallback(
    (change: Partial<SessionFilters>) => setParams((prev) => writeFilters({ ...readFilters(prev), ...change }), { replace: true }),
    [setParams],
  );

  return (
    <>
      <PageHeading description="Every recorded visit to your site, newest first, with its pages, clicks, errors and signs of frustration. Filter them and watch the ones that matter.">
        Sessions
      </PageHeading>
      {list.state.projectEmpty === true ? (
        <NoSessionsYet project={project} />
      ) : list.state.projectEmpty === null ? (
        list.state.phase === 'failed' ? (
          <LoadFailed message={list.state.error} retry={list.retry} />
        ) : (
          <p className="muted" role="status">
            Loading sessions…
          </p>
        )
      ) : (
        <>
          <FiltersBar
            filters={filters}
            patch={patch}
            clear={() => setParams(new URLSearchParams(), { replace: true })}
            withCountry={!!filters.country || list.state.sessions.some((s) => s.country)}
          />
          <SessionResults list={list} projectId={project.id} listSearch={key ? `?${key}` : ''} filtered={hasFilters(filters)} clear={() => setParams(new URLSearchParams(), { replace: true })} />
        </>
      )}
    </>
  );
}

function NoSessionsYet({ project }: { project: Project }) {
  return (
    <EmptyState title="No sessions recorded yet">
      <p>
        Add this snippet to every page of your site, just before <code>&lt;/body&gt;</code>. Visits show up here a few seconds after they start.
      </p>
      <InstallSnippet project={project} />
      <p className="muted small">
        The key in the snippet can only send recordings to <strong>{project.name}</strong>; it cannot read anything back.
      </p>
    </EmptyState>
  );
}

function LoadFailed({ message, retry }: { message?: string; retry(): void }) {
  return (
    <div className="alert alert-actions" role="alert">
      <span>{message ?? 'The sessions could not be loaded.'}</span>
      <button type="button" className="button button-small" onClick={retry}>
        Try again
      </button>
    </div>
  );
}

// --- Loading, paging and live updates -------------------------------------------------------------

interface SessionList {
  state: ListState;
  /** True from the moment the filters change until their sessions are in: what is shown is the old list. */
  refreshing: boolean;
  fresh: ReadonlySet<string>;
  loadingMore: boolean;
  moreError: string | null;
  loadMore(): void;
  retry(): void;
  /** How many sessions arrived at the top while the person was scrolled down. */
  arrivedAbove: number;
}

function useSessionList(projectId: string, filters: SessionFilters, key: string): SessionList {
  const [state, setState] = useState<ListState>({ phase: 'loading', loadedFor: '', sessions: [], nextCursor: null, projectEmpty: null });
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string | null>(null);
  const [arrivedAbove, setArrivedAbove] = useState(0);
  const [attempt, setAttempt] = useState(0);
  const stateRef = useRef(state);
  // Answers to an earlier filter or project are dropped when they arrive late.
  const generation = useRef(0);
  const scrollAnchor = useRef<{ id: string; top: number } | null>(null);

  useEffect(() => {
    stateRef.current = state;
  }, [state]);

  useEffect(() => {
    const gen = ++generation.current;
    const controller = new AbortController();
    const { signal } = controller;
    setState((s) => ({ ...s, phase: 'loading', error: undefined }));
    setMoreError(null);
    setArrivedAbove(0);
    (async () => {
      const q = listQuery(projectId, filters);
      q.set('limit', String(PAGE_SIZE));
      const page = await apiRequest<SessionPage>(`/api/v1/sessions?${q}`, { signal });
      let projectEmpty = false;
      if (page.sessions.length === 0) {
        projectEmpty = !hasFilters(filters) || (await apiRequest<SessionPage>(`/api/v1/sessions?project=${projectId}&limit=1`, { signal })).sessions.length === 0;
      }
      if (gen !== generation.current) return;
      setState({ phase: 'ready', loadedFor: `${projectId}?${key}`, sessions: page.sessions, nextCursor: page.nextCursor, projectEmpty });
    })().catch((err: unknown) => {
      if (!signal.aborted && gen === generation.current) setState((s) => ({ ...s, phase: 'failed', error: messageOf(err) }));
    });
    return () => controller.abort();
    // `filters` is derived from `key`, which stands for it here.
  }, [projectId, key, attempt]);

  useEffect(() => {
    let busy = false;
    const timer = setInterval(() => {
      const s = stateRef.current;
      if (busy || s.phase !== 'ready' || document.hidden) return;
      busy = true;
      const gen = generation.current;
      pollNewer(projectId, filters, s)
        .then((page) => {
          if (gen !== generation.current || !page) return;
          if (s.projectEmpty) {
            // The first visit was recorded: show the list in place of the install snippet.
            if (page.sessions.length > 0) setAttempt((n) => n + 1);
            return;
          }
          const known = new Map(stateRef.current.sessions.map((x) => [x.id, x]));
          const added = page.sessions.filter((x) => !known.has(x.id));
          const changed = page.sessions.filter((x) => known.has(x.id) && JSON.stringify(known.get(x.id)) !== JSON.stringify(x));
          if (added.length === 0 && changed.length === 0) return;
          if (added.length > 0 && window.scrollY > 0) {
            scrollAnchor.current = firstVisibleRow();
            setArrivedAbove((n) => n + added.length);
          }
          const updates = new Map(changed.map((x) => [x.id, x]));
          setState((cur) => ({ ...cur, sessions: [...added, ...cur.sessions.map((x) => updates.get(x.id) ?? x)] }));
          if (added.length > 0) {
            setFresh((f) => new Set([...f, ...added.map((x) => x.id)]));
            setTimeout(() => setFresh((f) => new Set([...f].filter((id) => !added.some((x) => x.id === id)))), FRESH_MS);
          }
        })
        .catch(() => undefined) // The next poll tries again; the list on screen stays valid meanwhile.
        .finally(() => {
          busy = false;
        });
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [projectId, key]);

  useLayoutEffect(() => {
    // New rows went in above what the person is reading: move the page by as much, so nothing under their eyes moves.
    const anchor = scrollAnchor.current;
    if (!anchor) return;
    scrollAnchor.current = null;
    const row = document.querySelector(`[data-session-id="${CSS.escape(anchor.id)}"]`);
    if (row) window.scrollBy(0, row.getBoundingClientRect().top - anchor.top);
  }, [state.sessions]);

  useEffect(() => {
    if (arrivedAbove === 0) return;
    const onScroll = () => window.scrollY === 0 && setArrivedAbove(0);
    window.addEventListener('scroll', onScroll, { passive: true });
    return () => window.removeEventListener('scroll', onScroll);
  }, [arrivedAbove]);

  const loadMore = useCallback(() => {
    const s = stateRef.current;
    if (!s.nextCursor) return;
    const gen = generation.current;
    setLoadingMore(true);
    setMoreError(null);
    const q = listQuery(projectId, filters);
    q.set('limit', String(PAGE_SIZE));
    q.set('cursor', s.nextCursor);
    apiRequest<SessionPage>(`/api/v1/sessions?${q}`)
      .then((page) => {
        if (gen !== generation.current) return;
        setState((cur) => {
          const known = new Set(cur.sessions.map((x) => x.id));
          return { ...cur, sessions: [...cur.sessions, ...page.sessions.filter((x) => !known.has(x.id))], nextCursor: page.nextCursor };
        });
      })
      .catch((err: unknown) => gen === generation.current && setMoreError(messageOf(err)))
      .finally(() => setLoadingMore(false));
  }, [projectId, filters]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  // Compared in the same render as the URL change, so the old list never passes for the new one.
  const refreshing = state.phase === 'loading' || state.loadedFor !== `${projectId}?${key}`;
  return { state, refreshing, fresh, loadingMore, moreError, loadMore, retry, arrivedAbove };
}

/** Sessions that started since the newest one shown (and that one again, to refresh its numbers). */
async function pollNewer(projectId: string, filters: SessionFilters, s: ListState): Promise<SessionPage | null> {
  if (s.projectEmpty) return apiRequest<SessionPage>(`/api/v1/sessions?project=${projectId}&limit=1`);
  const q = listQuery(projectId, filters);
  const newest = s.sessions[0];
  if (newest) {
    const from = q.get('from');
    if (!from || Date.parse(from) < Date.parse(newest.startedAt)) q.set('from', newest.startedAt);
  }
  q.set('limit', String(PAGE_SIZE));
  return apiRequest<SessionPage>(`/api/v1/sessions?${q}`);
}

function firstVisibleRow(): { id: string; top: number } | null {
  const header = document.querySelector('.app-header')?.getBoundingClientRect().bottom ?? 0;
  for (const row of document.querySelectorAll<HTMLElement>('[data-session-id]')) {
    const box = row.getBoundingClientRect();
    if (box.bottom > header) return { id: row.dataset['sessionId'] ?? '', top: box.top };
  }
  return null;
}

// --- Filters ------------------------------------------------------------------------------------

/** `withCountry`: offered once the project's sessions carry one, so that projects without location see no empty filter. */
function FiltersBar({ filters, patch, clear, withCountry }: { filters: SessionFilters; patch(change: Partial<SessionFilters>): void; clear(): void; withCountry: boolean }) {
  const id = useId();
  const setRange = (range: RangePreset) =>
    patch(range === 'custom' ? { range, from: filters.from ?? new Date(Date.now() - 7 * 24 * 3600_000).toISOString(), to: filters.to } : { range, from: undefined, to: undefined });
  return (
    <form className="filters" role="search" aria-label="Filter sessions" onSubmit={(e: FormEvent) => e.preventDefault()}>
      <div className="filter">
        <label htmlFor={`${id}-range`}>Time</label>
        <select id={`${id}-range`} value={filters.range} onChange={(e) => setRange(e.target.value as RangePreset)}>
          {RANGE_PRESETS.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
      </div>
      {filters.range === 'custom' && (
        <>
          <div className="filter">
            <label htmlFor={`${id}-from`}>From</label>
            <input id={`${id}-from`} type="datetime-local" value={toLocalInput(filters.from)} onChange={(e) => patch({ from: fromLocalInput(e.target.value) })} />
          </div>
          <div className="filter">
            <label htmlFor={`${id}-to`}>To</label>
            <input id={`${id}-to`} type="datetime-local" value={toLocalInput(filters.to)} onChange={(e) => patch({ to: fromLocalInput(e.target.value) })} />
          </div>
        </>
      )}
      <TextFilter id={`${id}-url`} label="Page URL contains" placeholder="/checkout" value={filters.url} commit={(url) => patch({ url })} />
      <TextFilter id={`${id}-user`} label="User or visitor ID" placeholder="user-42" value={filters.user} commit={(user) => patch({ user })} />
      <div className="filter">
        <label htmlFor={`${id}-duration`}>Duration</label>
        <select id={`${id}-duration`} value={filters.minDuration ?? 0} onChange={(e) => patch({ minDuration: Number(e.target.value) || undefined })}>
          {MIN_DURATIONS.map((d) => (
            <option key={d.value} value={d.value}>
              {d.label}
            </option>
          ))}
          {filters.minDuration && !MIN_DURATIONS.some((d) => d.value === filters.minDuration) && (
            <option value={filters.minDuration}>{formatDuration(filters.minDuration)} or more</option>
          )}
        </select>
      </div>
      <DeviceFilter id={`${id}-device`} value={filters.device} change={(device) => patch({ device })} />
      {withCountry && <TextFilter id={`${id}-country`} label="Country (two letters)" placeholder="DE" value={filters.country} commit={(c) => patch({ country: countryCode(c) })} />}
      <ExperimentFilters id={id} experiment={filters.experiment} variant={filters.variant} change={patch} />
      <div className="filter">
        <label htmlFor={`${id}-errors`}>Errors</label>
        <select
          id={`${id}-errors`}
          value={filters.hasError === undefined ? '' : String(filters.hasError)}
          onChange={(e) => patch({ hasError: e.target.value === '' ? undefined : e.target.value === 'true' })}
        >
          <option value="">With or without</option>
          <option value="true">With errors</option>
          <option value="false">Without errors</option>
        </select>
      </div>
      <div className="filter">
        <label htmlFor={`${id}-signal`}>Frustration</label>
        <select id={`${id}-signal`} value={filters.signal ?? ''} onChange={(e) => patch({ signal: (e.target.value || undefined) as SignalFilter | undefined })}>
          <option value="">With or without</option>
          <option value="any">Any frustration</option>
          {SIGNAL_KINDS.map((k) => (
            <option key={k} value={k}>
              {SIGNAL_LABELS[k]}
            </option>
          ))}
        </select>
      </div>
      {hasFilters(filters) && (
        <button type="button" className="button button-small filters-clear" onClick={clear}>
          Clear filters
        </button>
      )}
      <PageChips filters={filters} patch={patch} />
    </form>
  );
}

const PAGE_FILTER_LABELS: Record<PageFilter, string> = {
  page: 'Viewed',
  entryPage: 'Entered on',
  exitPage: 'Left from',
  signalPage: 'Frustrated on',
};

/** The page filters the Pages view links with, each removable on its own. */
function PageChips({ filters, patch }: { filters: SessionFilters; patch(change: Partial<SessionFilters>): void }) {
  const chips = PAGE_FILTERS.filter((name) => filters[name]);
  if (chips.length === 0 && filters.bounced === undefined && !filters.minFrustration) return null;
  return (
    <ul className="filter-chips" aria-label="Page filters">
      {chips.map((name) => (
        <li key={name} className="chip">
          <span>
            {PAGE_FILTER_LABELS[name]} <code>{filters[name]}</code>
          </span>
          <button type="button" className="chip-remove" aria-label={`Remove the filter ${PAGE_FILTER_LABELS[name]} ${filters[name]}`} onClick={() => patch({ [name]: undefined })}>
            ×
          </button>
        </li>
      ))}
      {filters.bounced !== undefined && (
        <li className="chip">
          <span>{filters.bounced ? 'Saw one page only' : 'Saw more than one page'}</span>
          <button type="button" className="chip-remove" aria-label="Remove the one-page filter" onClick={() => patch({ bounced: undefined })}>
            ×
          </button>
        </li>
      )}
      {filters.minFrustration ? (
        <li className="chip">
          <span>Frustration {filters.minFrustration} or more</span>
          <button type="button" className="chip-remove" aria-label="Remove the frustration score filter" onClick={() => patch({ minFrustration: undefined })}>
            ×
          </button>
        </li>
      ) : null}
    </ul>
  );
}

// --- Results ------------------------------------------------------------------------------------

function SessionResults({ list, projectId, listSearch, filtered, clear }: { list: SessionList; projectId: string; listSearch: string; filtered: boolean; clear(): void }) {
  const { state, fresh, refreshing } = list;
  if (state.phase === 'failed' && state.sessions.length === 0) return <LoadFailed message={state.error} retry={list.retry} />;
  const loadedQuery = state.loadedFor.slice(state.loadedFor.indexOf('?') + 1);
  // `data-query` says which filters the list on screen answers; tests wait on it.
  if (!refreshing && state.phase === 'ready' && state.sessions.length === 0) {
    return (
      <div className="session-results" data-query={loadedQuery}>
        <EmptyState title="No sessions match these filters">
          <p>{filtered ? 'Try a wider time range or fewer filters.' : 'There are no sessions to show.'}</p>
          {filtered && (
            <button type="button" className="button" onClick={clear}>
              Clear filters
            </button>
          )}
        </EmptyState>
      </div>
    );
  }
  return (
    <section aria-label="Sessions" aria-busy={refreshing} data-query={loadedQuery} className={refreshing ? 'session-results is-refreshing' : 'session-results'}>
      <div className="results-bar">
        <p className="muted small">
          <span className="live-dot" aria-hidden="true" /> New sessions appear here as they are recorded.
        </p>
        <p className="small" role="status">
          {list.arrivedAbove > 0 && (
            <button type="button" className="link-button" onClick={() => window.scrollTo({ top: 0 })}>
              {plural(list.arrivedAbove, 'new session')} above
            </button>
          )}
        </p>
      </div>
      {state.phase === 'failed' && <LoadFailed message={state.error} retry={list.retry} />}
      <div className="table-scroll">
        <table className="sessions-table">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Duration</th>
              <th scope="col">Entry page</th>
              <th scope="col">Device</th>
              <th scope="col" className="num">
                Clicks
              </th>
              <th scope="col">Frustration</th>
              <th scope="col">Errors</th>
            </tr>
          </thead>
          <tbody>
            {state.sessions.map((s) => (
              <SessionRow key={s.id} session={s} projectId={projectId} listSearch={listSearch} fresh={fresh.has(s.id)} />
            ))}
          </tbody>
        </table>
      </div>
      {state.nextCursor && (
        <div className="load-more">
          {list.moreError && (
            <p className="alert" role="alert">
              {list.moreError}
            </p>
          )}
          <button type="button" className="button" onClick={list.loadMore} disabled={list.loadingMore}>
            {list.loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </section>
  );
}

const SessionRow = memo(function SessionRow({ session: s, projectId, listSearch, fresh }: { session: SessionSummary; projectId: string; listSearch: string; fresh: boolean }) {
  const who = s.userId ?? null;
  const href = `/p/${projectId}/sessions/${encodeURIComponent(s.id)}`;
  // The pointer on a row is a good sign it will be opened: its details are on their way by the click.
  const warm = () => prefetch(sessionDetailPath(projectId, s.id));
  return (
    <tr data-session-id={s.id} className={fresh ? 'is-new' : undefined} onPointerEnter={warm} onFocus={warm}>
      <td>
        {/* The link covers the whole row (see .row-link), so any cell opens the player. */}
        <Link className="row-link" to={href} state={{ listSearch }}>
          <time dateTime={s.startedAt}>{formatDateTime(s.startedAt)}</time>
        </Link>
        <div className="muted small cell-sub">{who ? <span title="User">{who}</span> : <span title={`Visitor ${s.visitorId}`}>Anonymous visitor</span>}</div>
      </td>
      <td>
        {formatDuration(s.durationMs)}
        <div className="muted small cell-sub">{formatDuration(s.activeMs)} active</div>
      </td>
      <td className="cell-url">
        <span title={s.entryUrl ?? undefined}>{displayUrl(s.entryUrl) || <span className="muted">Unknown</span>}</span>
        <div className="muted small cell-sub">{plural(s.pageCount, 'page')}</div>
      </td>
      <td>
        {s.device ? capitalize(s.device) : <span className="muted">Unknown</span>}
        <div className="muted small cell-sub">{[s.browser, s.os, s.country && countryName(s.country)].filter(Boolean).join(' · ')}</div>
      </td>
      <td className="num">{s.clickCount.toLocaleString()}</td>
      <td>
        <FrustrationCell session={s} />
      </td>
      <td>
        {s.errorCount > 0 ? <span className="badge badge-danger">{plural(s.errorCount, 'error')}</span> : <span className="muted small">None</span>}
        {!s.processed && <span className="badge badge-muted">Processing</span>}
      </td>
    </tr>
  );
});

