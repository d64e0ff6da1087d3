import type { Project, Survey, SurveyStatus } from '@loupe/contracts';
import { DEVICE_CLASSES, SURVEY_DEFAULTS, SURVEY_KINDS, SURVEY_PRESENTATIONS, SURVEY_TRIGGERS, WIDGET_POSITIONS, type DeviceClassName, type FollowUp, type SurveyKind } from '@loupe/contracts/feedback';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { apiRequest, messageOf } from '../api';
import { capitalize } from '../format';
import { EmptyState } from '../page';
import { KIND_LABELS } from './feedback-format';

const STATUS_LABELS: Record<SurveyStatus, string> = { draft: 'Draft', running: 'Running', paused: 'Paused', ended: 'Ended' };
const TRIGGER_LABELS = { load: 'As the page loads', delay: 'After a delay', event: 'After a custom event', exit: 'On exit intent (desktop)', pageviews: 'After some page views' } as const;
const MODE_LABELS = { popover: 'Popover in a corner', button: 'Feedback button, always there', embedded: 'Embedded in an element of the page' } as const;
const KIND_HELP: Record<SurveyKind, string> = {
  nps: 'Net Promoter Score: 0 to 10, "How likely are you to recommend…"',
  csat: 'Customer satisfaction: 1 to 5 or 1 to 7',
  ces: 'Customer effort: 1 to 7, "How easy was it…"',
  comment: 'A free comment, without a score',
};

/** The surveys of a project: what each asks, where and to whom, and how often it was shown and answered. */
export function Surveys({ project, surveys, canWrite, reload }: { project: Project; surveys: Survey[]; canWrite: boolean; reload(): void }) {
  const [editing, setEditing] = useState<Survey | 'new' | null>(null);
  const [error, setError] = useState<string | null>(null);

  const setStatus = async (s: Survey, status: SurveyStatus) => {
    setError(null);
    try {
      await apiRequest(`/api/v1/surveys/${s.id}?project=${project.id}`, { method: 'PATCH', body: { status } });
      reload();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const remove = async (s: Survey) => {
    if (!window.confirm(`Delete "${s.name}"? This cannot be undone.`)) return;
    setError(null);
    try {
      await apiRequest(`/api/v1/surveys/${s.id}?project=${project.id}`, { method: 'DELETE' });
      reload();
    } catch (err) {
      setError(messageOf(err));
    }
  };

  if (editing) {
    return (
      <SurveyEditor
        project={project}
        survey={editing === 'new' ? null : editing}
        done={(saved) => {
          setEditing(null);
          if (saved) reload();
        }}
      />
    );
  }
  return (
    <section aria-label="Surveys">
      {error && (
        <p className="alert" role="alert">
          {error}
        </p>
      )}
      {canWrite && (
        <p>
          <button type="button" className="button button-primary" onClick={() => setEditing('new')}>
            New survey
          </button>
        </p>
      )}
      {surveys.length === 0 ? (
        <EmptyState title="No surveys yet">
          <p>Create a survey, set it running, and it appears on your site to the visitors it targets.</p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="surveys-table">
            <thead>
              <tr>
                <th scope="col">Survey</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Shown
                </th>
                <th scope="col" className="num">
                  Answers
                </th>
                <th scope="col" className="num">
                  Response rate
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {surveys.map((s) => (
                <tr key={s.id} data-survey-id={s.id}>
                  <td>
                    <strong>{s.name}</strong>
                    <div className="muted small">
                      {KIND_LABELS[s.kind]}
                      {s.scale && ` ${s.scale.min}–${s.scale.max}`} · {MODE_LABELS[s.presentation.mode]}
                    </div>
                    <div className="muted small">
                      <code>Loupe.feedback.open('{s.id}')</code>
                    </div>
                  </td>
                  <td>
                    <span className={`badge badge-status-${s.status}`}>{STATUS_LABELS[s.status]}</span>
                  </td>
                  <td className="num">{s.shown.toLocaleString()}</td>
                  <td className="num">{s.answers.toLocaleString()}</td>
                  <td className="num">{s.shown > 0 ? `${Math.round((s.answers / s.shown) * 100)}%` : '—'}</td>
                  <td className="row-actions">
                    {canWrite && (
                      <>
                        <button type="button" className="button button-small" onClick={() => setEditing(s)}>
                          Edit<span className="visually-hidden"> {s.name}</span>
                        </button>
                        {s.status !== 'running' && (
                          <button type="button" className="button button-small" onClick={() => void setStatus(s, 'running')}>
                            {s.status === 'draft' ? 'Start' : 'Resume'}
                            <span className="visually-hidden"> {s.name}</span>
                          </button>
                        )}
                        {s.status === 'running' && (
                          <button type="button" className="button button-small" onClick={() => void setStatus(s, 'paused')}>
                            Pause<span className="visually-hidden"> {s.name}</span>
                          </button>
                        )}
                        {s.answers === 0 ? (
                          <button type="button" className="button button-small" onClick={() => void remove(s)}>
                            Delete<span className="visually-hidden"> {s.name}</span>
                          </button>
                        ) : (
                          s.status !== 'ended' && (
                            <button type="button" className="button button-small" onClick={() => void setStatus(s, 'ended')}>
                              End<span className="visually-hidden"> {s.name}</span>
                            </button>
                          )
                        )}
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

// --- The editor ---------------------------------------------------------------------------------

interface Draft {
  name: string;
  kind: SurveyKind;
  points: 5 | 7;
  status: SurveyStatus;
  question: string;
  low: string;
  high: string;
  followUps: FollowUp[];
  commentLabel: string;
  thankYou: string;
  mode: (typeof SURVEY_PRESENTATIONS)[number];
  position: (typeof WIDGET_POSITIONS)[number];
  color: string;
  buttonLabel: string;
  selector: string;
  urls: string;
  excludeUrls: string;
  devices: DeviceClassName[];
  trigger: (typeof SURVEY_TRIGGERS)[number];
  delaySeconds: number;
  event: string;
  pageviews: number;
  sampleRate: number;
  showAgainAfterDays: number;
  afterDismissDays: number;
}

function draftOf(s: Survey | null, kind: SurveyKind = 'nps'): Draft {
  const d = SURVEY_DEFAULTS[s?.kind ?? kind];
  return {
    name: s?.name ?? '',
    kind: s?.kind ?? kind,
    points: s?.points === 7 ? 7 : 5,
    status: s?.status ?? 'draft',
    question: s?.question ?? d.question,
    low: s?.labels.low ?? d.labels.low,
    high: s?.labels.high ?? d.labels.high,
    followUps: s?.followUps ?? d.followUps,
    commentLabel: s?.commentLabel ?? d.commentLabel,
    thankYou: s?.thankYou ?? 'Thank you for your feedback!',
    mode: s?.presentation.mode ?? 'popover',
    position: s?.presentation.position ?? 'bottom-right',
    color: s?.presentation.color ?? '#3b5bdb',
    buttonLabel: s?.presentation.buttonLabel ?? 'Feedback',
    selector: s?.presentation.selector ?? '',
    urls: (s?.targeting.urls ?? []).join('\n'),
    excludeUrls: (s?.targeting.excludeUrls ?? []).join('\n'),
    devices: s?.targeting.devices ?? [],
    trigger: s?.targeting.trigger.type ?? 'load',
    delaySeconds: s?.targeting.trigger.delaySeconds ?? 10,
    event: s?.targeting.trigger.event ?? '',
    pageviews: s?.targeting.trigger.pageviews ?? 3,
    sampleRate: s?.targeting.sampleRate ?? 100,
    showAgainAfterDays: s?.targeting.showAgainAfterDays ?? 30,
    afterDismissDays: s?.targeting.afterDismissDays ?? 90,
  };
}

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);

/** The request body for a draft: what the API's survey contract takes. */
function bodyOf(d: Draft, creating: boolean): Record<string, unknown> {
  const trigger = { type: d.trigger, ...(d.trigger === 'delay' ? { delaySeconds: d.delaySeconds } : d.trigger === 'event' ? { event: d.event } : d.trigger === 'pageviews' ? { pageviews: d.pageviews } : {}) };
  return {
    name: d.name,
    ...(creating ? { kind: d.kind, ...(d.kind === 'csat' ? { points: d.points } : {}) } : {}),
    status: d.status,
    question: d.question,
    labels: { low: d.low, high: d.high },
    followUps: d.kind === 'comment' ? [] : d.followUps,
    commentLabel: d.commentLabel,
    thankYou: d.thankYou,
    presentation: { mode: d.mode, position: d.position, color: d.color, buttonLabel: d.buttonLabel, ...(d.selector.trim() ? { selector: d.selector.trim() } : {}) },
    targeting: {
      urls: lines(d.urls),
      excludeUrls: lines(d.excludeUrls),
      devices: d.devices,
      trigger,
      sampleRate: d.sampleRate,
      showAgainAfterDays: d.showAgainAfterDays,
      afterDismissDays: d.afterDismissDays,
    },
  };
}

function SurveyEditor({ project, survey, done }: { project: Project; survey: Survey | null; done(saved: boolean): void }) {
  const id = useId();
  const [d, setD] = useState<Draft>(() => draftOf(survey));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((cur) => ({ ...cur, [k]: v }));
  const scaleMax = d.kind === 'nps' ? 10 : d.kind === 'csat' ? d.points : 7;
  const scaleMin = d.kind === 'nps' ? 0 : 1;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const path = survey ? `/api/v1/surveys/${survey.id}?project=${project.id}` : `/api/v1/surveys?project=${project.id}`;
      await apiRequest(path, { method: survey ? 'PATCH' : 'POST', body: bodyOf(d, !survey) });
      done(true);
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  }

  const field = (name: string, label: string, input: ReactNode, help?: string) => (
    <div className="field">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      {input}
      {help && (
        <p className="field-help" id={`${id}-${name}-help`}>
          {help}
        </p>
      )}
    </div>
  );
  const text = (name: keyof Draft, label: string, o: { max?: number; help?: string; required?: boolean } = {}) =>
    field(
      name,
      label,
      <input id={`${id}-${name}`} value={String(d[name])} maxLength={o.max} required={o.required} onChange={(e) => set(name, e.target.value as never)} aria-describedby={o.help ? `${id}-${name}-help` : undefined} />,
      o.help,
    );
  const number = (name: keyof Draft, label: string, min: number, max: number, help?: string) =>
    field(
      name,
      label,
      <input id={`${id}-${name}`} type="number" min={min} max={max} value={Number(d[name])} onChange={(e) => set(name, Number(e.target.value) as never)} aria-describedby={help ? `${id}-${name}-help` : undefined} />,
      help,
    );

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{survey ? `Edit "${survey.name}"` : 'New survey'}</h2>
      <form className="form survey-form" onSubmit={submit}>
        {error && (
          <p className="alert" role="alert">
            {error}
          </p>
        )}
        {text('name', 'Name (for your team)', { max: 120, required: true })}
        <fieldset className="fieldset">
          <legend>What it asks</legend>
          {field(
            'kind',
            'Kind',
            <select id={`${id}-kind`} value={d.kind} disabled={!!survey} onChange={(e) => setD({ ...draftOf(null, e.target.value as SurveyKind), name: d.name })} aria-describedby={`${id}-kind-help`}>
              {SURVEY_KINDS.map((k) => (
                <option key={k} value={k}>
                  {KIND_LABELS[k]}
                </option>
              ))}
            </select>,
            survey ? `${KIND_HELP[d.kind]}. The kind and scale stay as created, so that every answer means the same.` : KIND_HELP[d.kind],
          )}
          {d.kind === 'csat' &&
            field(
              'points',
              'Scale',
              <select id={`${id}-points`} value={d.points} disabled={!!survey} onChange={(e) => set('points', Number(e.target.value) === 7 ? 7 : 5)}>
                <option value={5}>1 to 5</option>
                <option value={7}>1 to 7</option>
              </select>,
            )}
          {text('question', 'Question', { max: 300, required: true })}
          {d.kind !== 'comment' && (
            <div className="field-row">
              {text('low', `Label of ${scaleMin}`, { max: 60 })}
              {text('high', `Label of ${scaleMax}`, { max: 60 })}
            </div>
          )}
          {d.kind !== 'comment' &&
            d.followUps.map((f, i) => (
              <div className="field" key={i}>
                <label htmlFor={`${id}-fu-${i}`}>
                  Follow-up for scores {f.from} to {f.to}
                </label>
                <input
                  id={`${id}-fu-${i}`}
                  value={f.question}
                  maxLength={300}
                  onChange={(e) => set('followUps', d.followUps.map((x, j) => (j === i ? { ...x, question: e.target.value } : x)))}
                />
              </div>
            ))}
          {text('commentLabel', d.kind === 'comment' ? 'Label of the comment box' : 'Question for other scores', { max: 200 })}
          {text('thankYou', 'Thank-you message', { max: 200 })}
        </fieldset>

        <fieldset className="fieldset">
          <legend>How it appears</legend>
          {field(
            'mode',
            'Presentation',
            <select id={`${id}-mode`} value={d.mode} onChange={(e) => set('mode', e.target.value as Draft['mode'])}>
              {SURVEY_PRESENTATIONS.map((m) => (
                <option key={m} value={m}>
                  {MODE_LABELS[m]}
                </option>
              ))}
            </select>,
          )}
          {d.mode === 'embedded' && text('selector', 'Element to place it in (CSS selector)', { max: 200, help: 'For example #feedback or .order-summary', required: true })}
          {d.mode !== 'embedded' &&
            field(
              'position',
              'Corner',
              <select id={`${id}-position`} value={d.position} onChange={(e) => set('position', e.target.value as Draft['position'])}>
                {WIDGET_POSITIONS.map((p) => (
                  <option key={p} value={p}>
                    {capitalize(p.replace('-', ' '))}
                  </option>
                ))}
              </select>,
            )}
          {d.mode === 'button' && text('buttonLabel', 'Button label', { max: 40 })}
          {field('color', 'Colour', <input id={`${id}-color`} type="color" value={d.color} onChange={(e) => set('color', e.target.value)} />)}
        </fieldset>

        <fieldset className="fieldset">
          <legend>Who sees it, and when</legend>
          {field(
            'urls',
            'Pages',
            <textarea id={`${id}-urls`} rows={2} value={d.urls} placeholder="/checkout*" onChange={(e) => set('urls', e.target.value)} aria-describedby={`${id}-urls-help`} />,
            'One pattern per line; empty means every page. A pattern starting with / is matched against the path and query, any other against the whole URL; * stands for anything.',
          )}
          {field('excludeUrls', 'Never on these pages', <textarea id={`${id}-excludeUrls`} rows={2} value={d.excludeUrls} placeholder="/admin*" onChange={(e) => set('excludeUrls', e.target.value)} />)}
          <fieldset className="checkboxes">
            <legend>Devices (none checked: all)</legend>
            {DEVICE_CLASSES.map((dev) => (
              <label key={dev} className="checkbox">
                <input type="checkbox" checked={d.devices.includes(dev)} onChange={(e) => set('devices', e.target.checked ? [...d.devices, dev] : d.devices.filter((x) => x !== dev))} />
                {capitalize(dev)}
              </label>
            ))}
          </fieldset>
          {d.mode !== 'button' &&
            field(
              'trigger',
              'Appears',
              <select id={`${id}-trigger`} value={d.trigger} onChange={(e) => set('trigger', e.target.value as Draft['trigger'])}>
                {SURVEY_TRIGGERS.map((t) => (
                  <option key={t} value={t}>
                    {TRIGGER_LABELS[t]}
                  </option>
                ))}
              </select>,
            )}
          {d.mode !== 'button' && d.trigger === 'delay' && number('delaySeconds', 'Seconds after the page loads', 0, 3600)}
          {d.mode !== 'button' && d.trigger === 'event' && text('event', 'Event name (as given to Loupe.track)', { max: 200, required: true })}
          {d.mode !== 'button' && d.trigger === 'pageviews' && number('pageviews', 'Page views in the visit', 1, 100)}
          {d.mode !== 'button' && number('sampleRate', 'Share of visitors (%)', 0, 100)}
          {d.mode !== 'button' && number('showAgainAfterDays', 'Show a visitor at most once every (days)', 0, 3650)}
          {d.mode !== 'button' && number('afterDismissDays', 'After a visitor closes it, wait (days)', 0, 3650)}
        </fieldset>

        {field(
          'status',
          'Status',
          <select id={`${id}-status`} value={d.status} onChange={(e) => set('status', e.target.value as SurveyStatus)}>
            {Object.entries(STATUS_LABELS).map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>,
        )}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {survey ? 'Save survey' : 'Create survey'}
          </button>
          <button type="button" className="button" onClick={() => done(false)} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
