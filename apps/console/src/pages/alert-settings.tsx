import type { Project, ProjectSettings } from '@loupe/contracts';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { apiRequest, messageOf } from '../api';

type Alerts = ProjectSettings['alerts'];

const METRICS: Array<[Alerts['metrics'][number], string]> = [
  ['rage_click_rate', 'Rage clicks per page view'],
  ['error_rate', 'JavaScript errors per page view'],
];

/**
 * When a page's frustration rises well above its own recent level, a message goes to a chat
 * webhook. Admins set where, on what, and how sensitive; everyone else sees the settings.
 */
export function AlertSettings({ project, canAdmin }: { project: Project; canAdmin: boolean }) {
  const id = useId();
  const [saved, setSaved] = useState<Alerts | null>(null);
  const [form, setForm] = useState({ webhookUrl: '', metrics: [] as Alerts['metrics'], factor: '3', windowMinutes: '60', baselineDays: '7', minViews: '30', cooldownMinutes: '360' });
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  function show(a: Alerts) {
    setSaved(a);
    setForm({
      webhookUrl: a.webhookUrl,
      metrics: a.metrics,
      factor: String(a.factor),
      windowMinutes: String(a.windowMinutes),
      baselineDays: String(a.baselineDays),
      minViews: String(a.minViews),
      cooldownMinutes: String(a.cooldownMinutes),
    });
  }

  useEffect(() => {
    apiRequest<{ settings: ProjectSettings }>(`/api/v1/projects/${project.id}/settings`)
      .then(({ settings }) => show(settings.alerts))
      .catch((err: unknown) => setMessage({ error: true, text: messageOf(err) }));
  }, [project.id]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const { settings } = await apiRequest<{ settings: ProjectSettings }>(`/api/v1/projects/${project.id}/settings`, {
        method: 'PATCH',
        body: {
          alerts: {
            webhookUrl: form.webhookUrl.trim(),
            metrics: form.metrics,
            factor: Number(form.factor),
            windowMinutes: Number(form.windowMinutes),
            baselineDays: Number(form.baselineDays),
            minViews: Number(form.minViews),
            cooldownMinutes: Number(form.cooldownMinutes),
          },
        },
      });
      show(settings.alerts);
      setMessage({ error: false, text: settings.alerts.webhookUrl ? 'Saved. Pages are checked every 5 minutes.' : 'Saved. Alerts are off until a webhook URL is set.' });
    } catch (err) {
      setMessage({ error: true, text: messageOf(err) });
    } finally {
      setBusy(false);
    }
  }

  const off = !canAdmin || !saved;
  const number = (key: 'factor' | 'windowMinutes' | 'baselineDays' | 'minViews' | 'cooldownMinutes', label: string, help: string, attrs: { min: number; max: number; step: number }) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input id={`${id}-${key}`} type="number" {...attrs} value={form[key]} disabled={off} onChange={(e) => setForm({ ...form, [key]: e.target.value })} aria-describedby={`${id}-${key}-help`} />
      <p className="field-help" id={`${id}-${key}-help`}>
        {help}
      </p>
    </div>
  );

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Frustration alerts</h2>
      <p className="muted">
        Every 5 minutes each page&apos;s rates over the last window are compared with the same page&apos;s rates over the days before. A page well above its own normal sends a Slack-compatible message with links to
        its sessions.
      </p>
      {!canAdmin && <p className="muted small">Only admins and owners of the organization can change this.</p>}
      <form className="form" onSubmit={submit} noValidate>
        {message && (
          <p className={message.error ? 'alert' : 'muted'} role={message.error ? 'alert' : 'status'}>
            {message.text}
          </p>
        )}
        <div className="field">
          <label htmlFor={`${id}-url`}>Alert webhook URL</label>
          <input
            id={`${id}-url`}
            type="url"
            value={form.webhookUrl}
            disabled={off}
            placeholder="https://hooks.slack.com/services/…"
            onChange={(e) => setForm({ ...form, webhookUrl: e.target.value })}
            aria-describedby={`${id}-url-help`}
          />
          <p className="field-help" id={`${id}-url-help`}>
            Empty turns alerts off. Addresses on a private network are refused unless the installation allows them.
          </p>
        </div>
        <fieldset className="field">
          <legend>Watch</legend>
          {METRICS.map(([metric, label]) => (
            <label key={metric} className="checkbox">
              <input
                type="checkbox"
                checked={form.metrics.includes(metric)}
                disabled={off}
                onChange={(e) => setForm({ ...form, metrics: e.target.checked ? [...form.metrics, metric] : form.metrics.filter((m) => m !== metric) })}
              />{' '}
              {label}
            </label>
          ))}
        </fieldset>
        {number('factor', 'Alert at this many times the usual rate', 'From 1.1 to 1000.', { min: 1.1, max: 1000, step: 0.1 })}
        {number('windowMinutes', 'Recent window (minutes)', 'The stretch compared with what is usual: 15 minutes to a day.', { min: 15, max: 1440, step: 1 })}
        {number('baselineDays', 'Usual level over (days)', 'The days before the window that say what is normal for the page.', { min: 1, max: 90, step: 1 })}
        {number('minViews', 'Page views needed', 'A page with fewer views in the window or the baseline is not judged.', { min: 1, max: 1_000_000, step: 1 })}
        {number('cooldownMinutes', 'Quiet after an alert (minutes)', 'The same page and rate stay quiet this long after alerting.', { min: 5, max: 10080, step: 1 })}
        {canAdmin && (
          <div>
            <button type="submit" className="button button-primary" disabled={busy || !saved}>
              Save alerts
            </button>
          </div>
        )}
      </form>
    </section>
  );
}
