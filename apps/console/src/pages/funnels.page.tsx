import type { Funnel, FunnelInput, FunnelResults, FunnelStep } from '@loupe/contracts';
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { apiRequest, messageOf } from '../api';
import { formatDateTime, formatDuration, plural } from '../format';
import { EmptyState, PageHeading, useDocumentTitle } from '../page';
import { useProject } from '../projects';
import { useProjectRights } from './feedback.page';

const RANGES = [
  { value: '24h', label: 'Last 24 hours', ms: 24 * 3600_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 24 * 3600_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 24 * 3600_000 },
] as const;

const percent = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(x > 0 && x < 0.1 ? 1 : 0)}%`);

type StepType = FunnelStep['type'];
interface DraftStep {
  type: StepType;
  /** Page key (or a URL pattern when it holds `*`), event name, or selector. */
  value: string;
  /** A click's text; an event's property filter as `name=value`. */
  extra: string;
}

const PLACEHOLDERS: Record<StepType, [string, string]> = {
  page: ['/product/:id or */checkout*', ''],
  event: ['add_to_cart', 'property=value (optional)'],
  click: ['#add-to-cart', 'or the text on it'],
};

function toStep(d: DraftStep): FunnelStep {
  const value = d.value.trim();
  const extra = d.extra.trim();
  if (d.type === 'page') return value.includes('*') ? { type: 'page', urlPattern: value } : { type: 'page', pageKey: value };
  if (d.type === 'event') {
    const [k, ...rest] = extra.split('=');
    const v = rest.join('=').trim();
    return k?.trim() && v ? { type: 'event', name: value, props: { [k.trim()]: /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v } } : { type: 'event', name: value };
  }
  return { type: 'click', ...(value ? { selector: value } : {}), ...(extra ? { text: extra } : {}) };
}

function fromStep(s: FunnelStep): DraftStep {
  if (s.type === 'page') return { type: 'page', value: s.pageKey ?? s.urlPattern ?? '', extra: '' };
  if (s.type === 'event') {
    const [entry] = Object.entries(s.props ?? {});
    return { type: 'event', value: s.name, extra: entry ? `${entry[0]}=${String(entry[1])}` : '' };
  }
  return { type: 'click', value: s.selector ?? '', extra: s.text ?? '' };
}

const EMPTY_DRAFT = { name: '', steps: [{ type: 'page', value: '', extra: '' }, { type: 'page', value: '', extra: '' }] as DraftStep[], windowMinutes: 60, order: 'strict' as const, countBy: 'session' as const };
type Draft = Omit<typeof EMPTY_DRAFT, 'order' | 'countBy'> & { order: 'strict' | 'loose'; countBy: 'session' | 'visitor' };

/**
 * Funnels: the steps people are expected to take, how many give up at each, where they went and
 * what they hit, and the sessions themselves, opened in the player at the step where they stopped.
 */
export default function FunnelsPage() {
  const project = useProject();
  const { canWrite } = useProjectRights(project);
  useDocumentTitle('Funnels', project.name);
  const [params, setParams] = useSearchParams();
  const [funnels, setFunnels] = useState<Funnel[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ id?: string; draft: Draft } | null>(null);
  const selectedId = params.get('funnel') ?? funnels?.[0]?.id;
  const selected = funnels?.find((f) => f.id === selectedId) ?? null;

  const reload = useCallback(
    () =>
      apiRequest<{ funnels: Funnel[] }>(`/api/v1/funnels?project=${project.id}`)
        .then((r) => setFunnels(r.funnels))
        .catch((err: unknown) => setError(messageOf(err))),
    [project.id],
  );
  useEffect(() => void reload(), [reload]);

  const select = (id: string) => setParams((prev) => new URLSearchParams({ ...Object.fromEntries(prev), funnel: id }), { replace: true });

  return (
    <>
      <PageHeading description="The steps you expect people to take, such as product, cart and checkout, and how many give up at each one, with the sessions behind every drop-off.">Funnels</PageHeading>
      {error && (
        <p className="alert" role="alert">
          {error}
        </p>
      )}
      <div className="funnel-bar">
        {funnels && funnels.length > 0 && (
          <label>
            Funnel{' '}
            <select aria-label="Funnel" value={selected?.id ?? ''} onChange={(e) => select(e.target.value)}>
              {funnels.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.name}
                </option>
              ))}
            </select>
          </label>
        )}
        {canWrite && (
          <button type="button" className="button button-small" onClick={() => setEditing({ draft: { ...EMPTY_DRAFT, steps: EMPTY_DRAFT.steps.map((s) => ({ ...s })) } })}>
            New funnel
          </button>
        )}
        {canWrite && selected && (
          <button
            type="button"
            className="button button-small"
            onClick={() => setEditing({ id: selected.id, draft: { name: selected.name, steps: selected.steps.map(fromStep), windowMinutes: selected.windowMs / 60_000, order: selected.order, countBy: selected.countBy } })}
          >
            Edit
          </button>
        )}
      </div>
      {editing && (
        <FunnelEditor
          projectId={project.id}
          initial={editing.draft}
          {...(editing.id ? { id: editing.id } : {})}
          onCancel={() => setEditing(null)}
          onSaved={(f) => {
            setEditing(null);
            void reload().then(() => select(f.id));
          }}
        />
      )}
      {funnels && funnels.length === 0 && !editing && (
        <EmptyState title="No funnel yet">
          {canWrite ? (
            <p>Create one from the pages, events and clicks of recorded visits: the step editor suggests what it has seen.</p>
          ) : (
            <p>Members, admins and owners of the organization can create funnels.</p>
          )}
        </EmptyState>
      )}
      {selected && !editing && <FunnelView key={`${selected.id}.${selected.updatedAt}`} projectId={project.id} funnel={selected} canWrite={canWrite} onChanged={reload} />}
    </>
  );
}

function FunnelEditor({ projectId, id, initial, onCancel, onSaved }: { projectId: string; id?: string; initial: Draft; onCancel(): void; onSaved(f: Funnel): void }) {
  const formId = useId();
  const [draft, setDraft] = useState<Draft>(initial);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const setStep = (i: number, change: Partial<DraftStep>) => setDraft((d) => ({ ...d, steps: d.steps.map((s, j) => (j === i ? { ...s, ...change } : s)) }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    const body: FunnelInput = { name: draft.name, steps: draft.steps.map(toStep), windowMs: Math.round(draft.windowMinutes * 60_000), order: draft.order, countBy: draft.countBy };
    apiRequest<{ funnel: Funnel }>(id ? `/api/v1/funnels/${id}?project=${projectId}` : `/api/v1/funnels?project=${projectId}`, { method: id ? 'PUT' : 'POST', body })
      .then((r) => onSaved(r.funnel))
      .catch((err: unknown) => setError(messageOf(err)))
      .finally(() => setSaving(false));
  };

  return (
    <form className="form funnel-editor" aria-label={id ? 'Edit funnel' : 'New funnel'} onSubmit={submit}>
      <div className="field">
        <label htmlFor={`${formId}-name`}>Name</label>
        <input id={`${formId}-name`} value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} placeholder="Checkout" />
      </div>
      <ol className="funnel-steps">
        {draft.steps.map((s, i) => (
          <li key={i} className="funnel-step-edit">
            <select aria-label={`Step ${i + 1} kind`} value={s.type} onChange={(e) => setStep(i, { type: e.target.value as StepType, value: '', extra: '' })}>
              <option value="page">Page</option>
              <option value="event">Custom event</option>
              <option value="click">Click</option>
            </select>
            <SuggestingInput projectId={projectId} type={s.type} label={`Step ${i + 1}`} value={s.value} placeholder={PLACEHOLDERS[s.type][0]} onChange={(value) => setStep(i, { value })} />
            {s.type !== 'page' && <input aria-label={`Step ${i + 1} ${s.type === 'click' ? 'text' : 'property'}`} value={s.extra} placeholder={PLACEHOLDERS[s.type][1]} onChange={(e) => setStep(i, { extra: e.target.value })} />}
            {draft.steps.length > 2 && (
              <button type="button" className="link-button" aria-label={`Remove step ${i + 1}`} onClick={() => setDraft({ ...draft, steps: draft.steps.filter((_, j) => j !== i) })}>
                Remove
              </button>
            )}
          </li>
        ))}
      </ol>
      <p>
        <button type="button" className="button button-small" onClick={() => setDraft({ ...draft, steps: [...draft.steps, { type: 'page', value: '', extra: '' }] })} disabled={draft.steps.length >= 20}>
          Add a step
        </button>
      </p>
      <div className="filters">
        <div className="filter">
          <label htmlFor={`${formId}-window`}>Conversion window (minutes)</label>
          <input id={`${formId}-window`} type="number" min={1} value={draft.windowMinutes} onChange={(e) => setDraft({ ...draft, windowMinutes: Number(e.target.value) })} />
        </div>
        <div className="filter">
          <label htmlFor={`${formId}-order`}>Order</label>
          <select id={`${formId}-order`} value={draft.order} onChange={(e) => setDraft({ ...draft, order: e.target.value as Draft['order'] })}>
            <option value="strict">Steps in this order</option>
            <option value="loose">Steps in any order</option>
          </select>
        </div>
        <div className="filter">
          <label htmlFor={`${formId}-count`}>Count</label>
          <select id={`${formId}-count`} value={draft.countBy} onChange={(e) => setDraft({ ...draft, countBy: e.target.value as Draft['countBy'] })}>
            <option value="session">Sessions</option>
            <option value="visitor">Visitors (across sessions)</option>
          </select>
        </div>
      </div>
      {error && (
        <p className="alert" role="alert">
          {error}
        </p>
      )}
      <p className="alert-actions">
        <button type="submit" className="button button-primary" disabled={saving}>
          {id ? 'Save funnel' : 'Create funnel'}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </p>
    </form>
  );
}

/** A text input whose suggestions are the pages, events or elements recorded lately. */
function SuggestingInput({ projectId, type, label, value, placeholder, onChange }: { projectId: string; type: StepType; label: string; value: string; placeholder: string; onChange(value: string): void }) {
  const listId = useId();
  const [options, setOptions] = useState<Array<{ value: string; text?: string; count: number }>>([]);
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      const q = new URLSearchParams({ project: projectId, type, limit: '20' });
      if (value.trim()) q.set('q', value.trim());
      apiRequest<{ suggestions: typeof options }>(`/api/v1/funnels/suggestions?${q}`, { signal: controller.signal })
        .then((r) => setOptions(r.suggestions))
        .catch(() => undefined);
    }, 150);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [projectId, type, value]);
  return (
    <>
      <input aria-label={label} list={listId} value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} />
      <datalist id={listId} data-testid={`${label} suggestions`}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.text ? `${o.text} · ` : ''}
            {plural(o.count, 'time')}
          </option>
        ))}
      </datalist>
    </>
  );
}

function FunnelView({ projectId, funnel, canWrite, onChanged }: { projectId: string; funnel: Funnel; canWrite: boolean; onChanged(): void }) {
  const [params, setParams] = useSearchParams();
  const id = useId();
  const range = RANGES.find((r) => r.value === params.get('range'))?.value ?? '7d';
  const [results, setResults] = useState<FunnelResults | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [openDrop, setOpenDrop] = useState<number | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      const from = new Date(Date.now() - (RANGES.find((r) => r.value === range)?.ms ?? 0)).toISOString();
      apiRequest<FunnelResults>(`/api/v1/funnels/${funnel.id}/results?project=${projectId}&from=${from}&sessions=50`, { signal: controller.signal })
        .then((r) => {
          setResults(r);
          // Stored sessions are still being matched: look again shortly.
          if (!r.funnel.ready) timer = setTimeout(load, 1000);
          else if (!funnel.ready) onChanged();
        })
        .catch((err: unknown) => !controller.signal.aborted && setError(messageOf(err)));
    };
    load();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [projectId, funnel.id, funnel.ready, range, onChanged]);

  const remove = () => {
    if (!window.confirm(`Delete the funnel “${funnel.name}”?`)) return;
    apiRequest(`/api/v1/funnels/${funnel.id}?project=${projectId}`, { method: 'DELETE' })
      .then(() => {
        setParams((prev) => {
          const next = new URLSearchParams(prev);
          next.delete('funnel');
          return next;
        });
        onChanged();
      })
      .catch((err: unknown) => setError(messageOf(err)));
  };

  const chart = results?.steps.map((s) => ({ label: `${s.step + 1}. ${s.label}`, converted: s.converted, dropped: s.dropped })) ?? [];
  const drop = openDrop === null ? null : results?.dropOffs.find((d) => d.step === openDrop);

  return (
    <section aria-label={`Funnel ${funnel.name}`} aria-busy={!results} className="funnel-view">
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <div className="filter">
          <label htmlFor={`${id}-range`}>Time</label>
          <select id={`${id}-range`} value={range} onChange={(e) => setParams((prev) => new URLSearchParams({ ...Object.fromEntries(prev), range: e.target.value }), { replace: true })}>
            {RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        <p className="muted small">
          {funnel.order === 'strict' ? 'Steps in order' : 'Steps in any order'}, within {formatDuration(funnel.windowMs)}, counted per {funnel.countBy}.
          {canWrite && (
            <>
              {' '}
              <button type="button" className="link-button" onClick={remove}>
                Delete this funnel
              </button>
            </>
          )}
        </p>
      </form>
      {error && (
        <p className="alert" role="alert">
          {error}
        </p>
      )}
      {results && !results.funnel.ready && <p className="muted">Matching the stored sessions against this funnel…</p>}
      {results && (
        <>
          <div className="funnel-chart" role="img" aria-label={`Bar chart: ${results.steps.map((s) => `${s.label} ${s.entered}`).join(', ')}`}>
            <ResponsiveContainer width="100%" height={280}>
              <BarChart data={chart} margin={{ top: 10, right: 10, bottom: 10, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="label" tick={{ fontSize: 12 }} />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Legend />
                <Bar dataKey="converted" name="Went on" stackId="s" fill="#3b5bdb" isAnimationActive={false} />
                <Bar dataKey="dropped" name="Dropped" stackId="s" fill="#f04438" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <div className="table-scroll">
            <table className="sessions-table funnel-table">
              <thead>
                <tr>
                  <th scope="col">Step</th>
                  <th scope="col">Entered</th>
                  <th scope="col">From previous</th>
                  <th scope="col">From start</th>
                  <th scope="col">Median time</th>
                  <th scope="col">90th percentile</th>
                  <th scope="col">Dropped</th>
                </tr>
              </thead>
              <tbody>
                {results.steps.map((s) => (
                  <tr key={s.step} data-step={s.step}>
                    <th scope="row">
                      {s.step + 1}. {s.label}
                    </th>
                    <td className="step-entered">{s.entered.toLocaleString()}</td>
                    <td>{percent(s.conversionFromPrevious)}</td>
                    <td>{percent(s.conversionFromStart)}</td>
                    <td>{s.medianMsToConvert === null ? '–' : formatDuration(s.medianMsToConvert)}</td>
                    <td>{s.p90MsToConvert === null ? '–' : formatDuration(s.p90MsToConvert)}</td>
                    <td>
                      {s.step < results.steps.length - 1 && s.dropped > 0 ? (
                        <button type="button" className="link-button step-dropped" aria-expanded={openDrop === s.step} onClick={() => setOpenDrop(openDrop === s.step ? null : s.step)}>
                          {plural(s.dropped, 'drop-off')}
                        </button>
                      ) : (
                        '–'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {drop && (
            <section className="drop-off" aria-label={`Dropped after step ${drop.step + 1}`}>
              <h2>Dropped after “{results.steps[drop.step]?.label}”</h2>
              <div className="drop-off-facts">
                <div>
                  <h3>Where they went next</h3>
                  <ul className="plain-list">
                    {drop.nextPages.map((p) => (
                      <li key={p.pageKey}>
                        {p.pageKey === '(exit)' ? 'Left the site' : p.pageKey} · {plural(p.sessions, 'session')}
                      </li>
                    ))}
                  </ul>
                </div>
                <div>
                  <h3>What they hit on that page</h3>
                  {drop.signals.length ? (
                    <ul className="plain-list">
                      {drop.signals.map((g) => (
                        <li key={g.kind}>
                          {g.kind.replace('_', ' ')} · {plural(g.count, 'time')} in {plural(g.sessions, 'session')}
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <p className="muted">No frustration signals.</p>
                  )}
                </div>
              </div>
              <h3>Sessions</h3>
              <ul className="plain-list drop-off-sessions">
                {drop.sessions.map((s) => (
                  <li key={s.sessionId}>
                    <Link to={`/p/${projectId}/sessions/${encodeURIComponent(s.sessionId)}?t=${s.offsetMs}`} data-session={s.sessionId}>
                      {formatDateTime(s.startedAt)}
                    </Link>{' '}
                    <span className="muted">stopped {formatDuration(s.offsetMs)} into the visit</span>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </section>
  );
}
