import type { Assignee, FeedbackItem, FeedbackNote, FeedbackStatus, Project, Survey } from '@loupe/contracts';
import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { apiRequest, messageOf } from '../api';
import { capitalize, displayUrl, formatDateTime, formatDuration } from '../format';
import { EmptyState } from '../page';
import { RANGE_PRESETS, type Device, type RangePreset } from '../session-filters';
import { DeviceFilter, ExperimentFilters, TextFilter } from '../filters';
import { KIND_LABELS, replayLabel, ScoreBadge, sentimentLabel, STATUS_LABELS } from './feedback-format';
import { inboxQuery, readInboxFilters, writeInboxFilters, type InboxFilters } from './inbox-filters';

const PAGE_SIZE = 50;

interface Page {
  feedback: FeedbackItem[];
  nextCursor: string | null;
}

type Detail = { feedback: FeedbackItem; notes: FeedbackNote[] };

/** The feedback inbox: answers newest first, filtered by the URL, each with its replay and its triage. */
export function Inbox({ project, surveys, canWrite }: { project: Project; surveys: Survey[]; canWrite: boolean }) {
  const [params, setParams] = useSearchParams();
  const key = writeInboxFilters(readInboxFilters(params)).toString();
  const filters = useMemo(() => readInboxFilters(new URLSearchParams(key)), [key]);
  const single = params.get('answer');
  const [assignees, setAssignees] = useState<Assignee[]>([]);
  const list = useAnswers(project.id, filters, key);

  useEffect(() => {
    apiRequest<{ assignees: Assignee[] }>(`/api/v1/feedback/assignees?project=${project.id}`)
      .then((r) => setAssignees(r.assignees))
      .catch(() => setAssignees([])); // Triage still works without names to pick from.
  }, [project.id]);

  const patch = useCallback(
    (change: Partial<InboxFilters>) =>
      setParams(
        (prev) => {
          const next = writeInboxFilters({ ...readInboxFilters(prev), ...change });
          if (prev.get('tab')) next.set('tab', prev.get('tab') ?? '');
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  const clear = () => setParams(new URLSearchParams(), { replace: true });

  if (single) return <SingleAnswer project={project} id={single} assignees={assignees} canWrite={canWrite} />;
  return (
    <>
      <InboxFiltersBar filters={filters} surveys={surveys} assignees={assignees} patch={patch} clear={clear} />
      <section className="inbox-results" aria-label="Answers" aria-busy={list.loading} data-query={list.loadedFor}>
        {list.error && (
          <p className="alert" role="alert">
            {list.error}
          </p>
        )}
        {!list.loading && list.items.length === 0 && !list.error && (
          <EmptyState title={key ? 'No answers match these filters' : 'No answers yet'}>
            <p>{key ? 'Try fewer filters or a wider time range.' : 'Answers appear here as soon as visitors respond to a running survey.'}</p>
          </EmptyState>
        )}
        <ol className="answers">
          {list.items.map((item) => (
            <li key={item.id}>
              <AnswerCard project={project} item={item} assignees={assignees} canWrite={canWrite} onChange={list.replace} />
            </li>
          ))}
        </ol>
        {list.nextCursor && (
          <div className="load-more">
            <button type="button" className="button" onClick={list.loadMore} disabled={list.loadingMore}>
              {list.loadingMore ? 'Loading…' : 'Load more'}
            </button>
          </div>
        )}
      </section>
    </>
  );
}

function useAnswers(projectId: string, filters: InboxFilters, key: string) {
  const [items, setItems] = useState<FeedbackItem[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [loadedFor, setLoadedFor] = useState<string | null>(null);
  const generation = useRef(0);

  useEffect(() => {
    const gen = ++generation.current;
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    const q = inboxQuery(projectId, filters);
    q.set('limit', String(PAGE_SIZE));
    apiRequest<Page>(`/api/v1/feedback?${q}`, { signal: controller.signal })
      .then((page) => {
        if (gen !== generation.current) return;
        setItems(page.feedback);
        setNextCursor(page.nextCursor);
        setLoadedFor(key);
      })
      .catch((err: unknown) => !controller.signal.aborted && gen === generation.current && setError(messageOf(err)))
      .finally(() => gen === generation.current && setLoading(false));
    return () => controller.abort();
    // `filters` is derived from `key`, which stands for it here.
  }, [projectId, key]);

  const loadMore = useCallback(() => {
    if (!nextCursor) return;
    const gen = generation.current;
    const q = inboxQuery(projectId, filters);
    q.set('limit', String(PAGE_SIZE));
    q.set('cursor', nextCursor);
    setLoadingMore(true);
    apiRequest<Page>(`/api/v1/feedback?${q}`)
      .then((page) => {
        if (gen !== generation.current) return;
        setItems((cur) => [...cur, ...page.feedback.filter((f) => !cur.some((c) => c.id === f.id))]);
        setNextCursor(page.nextCursor);
      })
      .catch((err: unknown) => setError(messageOf(err)))
      .finally(() => setLoadingMore(false));
  }, [projectId, filters, nextCursor]);

  const replace = useCallback((item: FeedbackItem) => setItems((cur) => cur.map((c) => (c.id === item.id ? item : c))), []);
  return { items, nextCursor, loading, loadingMore, error, loadedFor, loadMore, replace };
}

// --- Filters ------------------------------------------------------------------------------------

const SCORES = Array.from({ length: 11 }, (_, i) => i);

function InboxFiltersBar({ filters, surveys, assignees, patch, clear }: { filters: InboxFilters; surveys: Survey[]; assignees: Assignee[]; patch(c: Partial<InboxFilters>): void; clear(): void }) {
  const id = useId();
  const select = (name: keyof InboxFilters, label: string, options: Array<[string, string]>, anyLabel: string) => (
    <div className="filter">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <select id={`${id}-${name}`} value={String(filters[name] ?? '')} onChange={(e) => patch({ [name]: e.target.value || undefined })}>
        <option value="">{anyLabel}</option>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </div>
  );
  const scoreSelect = (name: 'minScore' | 'maxScore', label: string, anyLabel: string) => (
    <div className="filter filter-narrow">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <select id={`${id}-${name}`} value={filters[name] ?? ''} onChange={(e) => patch({ [name]: e.target.value === '' ? undefined : Number(e.target.value) })}>
        <option value="">{anyLabel}</option>
        {SCORES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <form className="filters" role="search" aria-label="Filter answers" onSubmit={(e: FormEvent) => e.preventDefault()}>
      <div className="filter">
        <label htmlFor={`${id}-range`}>Time</label>
        <select id={`${id}-range`} value={filters.range} onChange={(e) => patch({ range: e.target.value as RangePreset })}>
          {RANGE_PRESETS.filter((p) => p.value !== 'custom').map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
      </div>
      {select('survey', 'Survey', surveys.map((s) => [s.id, s.name]), 'Any survey')}
      {select('kind', 'Kind', Object.entries(KIND_LABELS), 'Any kind')}
      {scoreSelect('minScore', 'Score from', 'Lowest')}
      {scoreSelect('maxScore', 'to', 'Highest')}
      {select('status', 'Status', Object.entries(STATUS_LABELS), 'Any status')}
      {select('assignee', 'Assignee', [['none', 'Nobody'], ...assignees.map((a): [string, string] => [a.id, a.name || a.email])], 'Anyone')}
      <DeviceFilter id={`${id}-device`} value={filters.device as Device | undefined} change={(device) => patch({ device })} />
      <TextFilter id={`${id}-q`} label="Comment contains" placeholder="coupon" value={filters.q} commit={(q) => patch({ q })} />
      <TextFilter id={`${id}-url`} label="Page URL contains" placeholder="/checkout" value={filters.url} commit={(url) => patch({ url })} />
      <ExperimentFilters id={id} experiment={filters.experiment} variant={filters.variant} change={patch} />
      <TextFilter id={`${id}-tag`} label="Tag" placeholder="billing" value={filters.tag} commit={(tag) => patch({ tag })} />
      {writeInboxFilters(filters).size > 0 && (
        <button type="button" className="button button-small filters-clear" onClick={clear}>
          Clear filters
        </button>
      )}
    </form>
  );
}

// --- One answer ---------------------------------------------------------------------------------

function AnswerCard({ project, item, assignees, canWrite, onChange, startOpen = false }: { project: Project; item: FeedbackItem; assignees: Assignee[]; canWrite: boolean; onChange(i: FeedbackItem): void; startOpen?: boolean }) {
  const [open, setOpen] = useState(startOpen);
  const id = useId();
  const variants = Object.entries(item.variants);
  return (
    <article className={`answer answer-${item.sentiment ?? 'none'}`} aria-labelledby={`${id}-title`} data-feedback-id={item.id}>
      <header className="answer-head">
        <ScoreBadge item={item} />
        <div className="answer-title">
          <h3 id={`${id}-title`}>
            {item.survey.name}
            {item.sentiment && <span className="muted"> · {sentimentLabel(item)}</span>}
          </h3>
          <p className="muted small">
            <time dateTime={item.createdAt}>{formatDateTime(item.createdAt)}</time> · {STATUS_LABELS[item.status]}
            {item.assignee && <> · {item.assignee.name || item.assignee.email}</>}
            {item.tags.map((t) => (
              <span key={t} className="tag">
                {t}
              </span>
            ))}
          </p>
        </div>
      </header>
      {item.comment ? (
        <blockquote className="answer-comment">
          {item.commentQuestion && <p className="muted small answer-question">{item.commentQuestion}</p>}
          {/* Rendered as text, never as markup: a comment is whatever a visitor typed. */}
          <p>{item.comment}</p>
        </blockquote>
      ) : (
        <p className="muted small">No comment.</p>
      )}
      <dl className="answer-facts">
        <div>
          <dt>Page</dt>
          <dd title={item.url}>{displayUrl(item.url)}</dd>
        </div>
        <div>
          <dt>Device</dt>
          <dd>{item.device ? capitalize(item.device) : 'Unknown'}</dd>
        </div>
        <div>
          <dt>{item.userId ? 'User' : 'Visitor'}</dt>
          <dd>{item.userId ?? item.visitorId}</dd>
        </div>
        {variants.length > 0 && (
          <div>
            <dt>Variants</dt>
            <dd>
              {variants.map(([e, v]) => (
                <span key={e} className="tag" data-variant={`${e}=${v}`}>
                  {e}: {v}
                </span>
              ))}
            </dd>
          </div>
        )}
        {item.ttrMs !== null && (
          <div>
            <dt>Resolved in</dt>
            <dd>{formatDuration(item.ttrMs)}</dd>
          </div>
        )}
      </dl>
      <div className="answer-actions">
        <Link className="button button-small" to={item.replay.path}>
          {replayLabel(item)}
        </Link>
        <button type="button" className="button button-small" aria-expanded={open} aria-controls={`${id}-triage`} onClick={() => setOpen((o) => !o)}>
          {canWrite ? 'Triage' : 'Details'}
          {item.noteCount > 0 && ` (${item.noteCount} ${item.noteCount === 1 ? 'note' : 'notes'})`}
        </button>
      </div>
      {open && (
        <div id={`${id}-triage`}>
          <Triage project={project} item={item} assignees={assignees} canWrite={canWrite} onChange={onChange} />
        </div>
      )}
    </article>
  );
}

function Triage({ project, item, assignees, canWrite, onChange }: { project: Project; item: FeedbackItem; assignees: Assignee[]; canWrite: boolean; onChange(i: FeedbackItem): void }) {
  const id = useId();
  const path = `/api/v1/feedback/${item.id}?project=${project.id}`;
  const [notes, setNotes] = useState<FeedbackNote[] | null>(null);
  const [tags, setTags] = useState(item.tags.join(', '));
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    apiRequest<Detail>(path)
      .then((d) => setNotes(d.notes))
      .catch((err: unknown) => setError(messageOf(err)));
  }, [path]);

  const send = async (request: () => Promise<Detail>) => {
    setBusy(true);
    setError(null);
    try {
      const d = await request();
      onChange(d.feedback);
      setNotes(d.notes);
      return true;
    } catch (err) {
      setError(messageOf(err));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const change = (body: Record<string, unknown>) => send(() => apiRequest<Detail>(path, { method: 'PATCH', body }));

  return (
    <section className="triage" aria-label="Triage">
      {error && (
        <p className="alert" role="alert">
          {error}
        </p>
      )}
      <div className="triage-fields">
        <div className="field">
          <label htmlFor={`${id}-status`}>Status</label>
          <select id={`${id}-status`} value={item.status} disabled={!canWrite || busy} onChange={(e) => void change({ status: e.target.value as FeedbackStatus })}>
            {Object.entries(STATUS_LABELS).map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-assignee`}>Assignee</label>
          <select id={`${id}-assignee`} value={item.assignee?.id ?? ''} disabled={!canWrite || busy} onChange={(e) => void change({ assigneeId: e.target.value || null })}>
            <option value="">Nobody</option>
            {assignees.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name || a.email}
              </option>
            ))}
          </select>
        </div>
        <form
          className="field triage-tags"
          onSubmit={(e) => {
            e.preventDefault();
            void change({ tags: tags.split(',').map((t) => t.trim()).filter(Boolean) });
          }}
        >
          <label htmlFor={`${id}-tags`}>Tags</label>
          <div className="inline-form">
            <input id={`${id}-tags`} value={tags} disabled={!canWrite || busy} placeholder="billing, coupon" onChange={(e) => setTags(e.target.value)} aria-describedby={`${id}-tags-help`} />
            <button type="submit" className="button button-small" disabled={!canWrite || busy}>
              Save tags
            </button>
          </div>
          <p className="field-help" id={`${id}-tags-help`}>
            Separated by commas.
          </p>
        </form>
      </div>
      <h4>Internal notes</h4>
      {notes === null ? (
        <p className="muted small">Loading notes…</p>
      ) : notes.length === 0 ? (
        <p className="muted small">No notes yet. Notes are for your team; the visitor never sees them.</p>
      ) : (
        <ol className="notes">
          {notes.map((n) => (
            <li key={n.id}>
              <p>{n.body}</p>
              <p className="muted small">
                {n.author?.name ?? 'Someone'} · <time dateTime={n.createdAt}>{formatDateTime(n.createdAt)}</time>
              </p>
            </li>
          ))}
        </ol>
      )}
      {canWrite && (
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            void send(() => apiRequest<Detail>(`/api/v1/feedback/${item.id}/notes?project=${project.id}`, { body: { body: note } })).then((ok) => ok && setNote(''));
          }}
        >
          <div className="field">
            <label htmlFor={`${id}-note`}>Add a note</label>
            <textarea id={`${id}-note`} rows={2} value={note} maxLength={5000} onChange={(e) => setNote(e.target.value)} />
          </div>
          <div>
            <button type="submit" className="button button-small" disabled={busy || !note.trim()}>
              Add note
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** One answer on its own (the link a webhook message carries), triage open. */
function SingleAnswer({ project, id, assignees, canWrite }: { project: Project; id: string; assignees: Assignee[]; canWrite: boolean }) {
  const [item, setItem] = useState<FeedbackItem | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    apiRequest<Detail>(`/api/v1/feedback/${encodeURIComponent(id)}?project=${project.id}`)
      .then((d) => setItem(d.feedback))
      .catch((err: unknown) => setError(messageOf(err)));
  }, [id, project.id]);
  return (
    <>
      <p className="back-link">
        <Link to={`/p/${project.id}/feedback`}>← All answers</Link>
      </p>
      {error && (
        <p className="alert" role="alert">
          {error}
        </p>
      )}
      {item && <AnswerCard project={project} item={item} assignees={assignees} canWrite={canWrite} onChange={setItem} startOpen />}
    </>
  );
}
