import type { Project } from '@loupe/contracts';
import { useId, type FormEvent } from 'react';
import { useSettingsForm } from '../settings-form';

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** How long recordings are kept and what the SDK hides, for the project; admins change them. */
export function PrivacySettings({ project, canAdmin }: { project: Project; canAdmin: boolean }) {
  const id = useId();
  const { form, setForm, busy, message, save } = useSettingsForm(project.id, null, (s) => ({
    days: String(s.retention.days),
    maskAllText: s.privacy.maskAllText,
    maskSelectors: s.privacy.maskSelectors.join('\n'),
    blockSelectors: s.privacy.blockSelectors.join('\n'),
    honorDoNotTrack: s.privacy.honorDoNotTrack,
    coarseLocation: s.privacy.coarseLocation,
  }));
  const loaded = form !== null;
  const { days, maskAllText, maskSelectors, blockSelectors, honorDoNotTrack, coarseLocation } = form ?? {
    days: '90',
    maskAllText: false,
    maskSelectors: '',
    blockSelectors: '',
    honorDoNotTrack: false,
    coarseLocation: false,
  };
  const change = (c: Partial<NonNullable<typeof form>>) => form && setForm({ ...form, ...c });

  async function submit(e: FormEvent) {
    e.preventDefault();
    await save(
      {
        retention: { days: Number(days) },
        privacy: { maskAllText, maskSelectors: lines(maskSelectors), blockSelectors: lines(blockSelectors), honorDoNotTrack, coarseLocation },
      },
      'Saved. Pages pick the change up within a few minutes.',
    );
  }

  const off = !canAdmin || !loaded;
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Privacy and retention</h2>
      <p className="muted">
        Inputs are always masked in the browser, and passwords again on the server. What is set here adds to the masking of each page&apos;s own <code>Loupe.init</code>. See docs/privacy.md.
      </p>
      {!canAdmin && <p className="muted small">Only admins and owners of the organization can change this.</p>}
      <form className="form" onSubmit={submit} noValidate>
        {message && (
          <p className={message.error ? 'alert' : 'muted'} role={message.error ? 'alert' : 'status'}>
            {message.text}
          </p>
        )}
        <div className="field">
          <label htmlFor={`${id}-days`}>Keep recordings for (days)</label>
          <input id={`${id}-days`} type="number" min={1} max={3650} step={1} value={days} disabled={off} onChange={(e) => change({ days: e.target.value })} aria-describedby={`${id}-days-help`} />
          <p className="field-help" id={`${id}-days-help`}>
            Sessions, their events, signals, page views and survey answers older than this are deleted every night.
          </p>
        </div>
        <div className="field">
          <label className="checkbox">
            <input type="checkbox" checked={maskAllText} disabled={off} onChange={(e) => change({ maskAllText: e.target.checked })} /> Mask all text of every page
          </label>
        </div>
        <div className="field">
          <label htmlFor={`${id}-mask`}>More elements to mask (CSS selectors, one per line)</label>
          <textarea id={`${id}-mask`} rows={3} value={maskSelectors} disabled={off} onChange={(e) => change({ maskSelectors: e.target.value })} placeholder=".customer-name" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-block`}>Elements never recorded (CSS selectors, one per line)</label>
          <textarea id={`${id}-block`} rows={3} value={blockSelectors} disabled={off} onChange={(e) => change({ blockSelectors: e.target.value })} placeholder="#chat" />
        </div>
        <div className="field">
          <label className="checkbox">
            <input type="checkbox" checked={honorDoNotTrack} disabled={off} onChange={(e) => change({ honorDoNotTrack: e.target.checked })} /> Do not record browsers that send Do Not Track or Global Privacy Control
          </label>
        </div>
        <div className="field">
          <label className="checkbox">
            <input type="checkbox" checked={coarseLocation} disabled={off} onChange={(e) => change({ coarseLocation: e.target.checked })} aria-describedby={`${id}-location-help`} /> Keep each visit&apos;s country
          </label>
          <p className="field-help" id={`${id}-location-help`}>
            Two letters, as named by the proxy or CDN in front of Loupe when the installation reads its country header. Never the address, never a city.
          </p>
        </div>
        {canAdmin && (
          <div>
            <button type="submit" className="button button-primary" disabled={busy || !loaded}>
              Save
            </button>
          </div>
        )}
      </form>
    </section>
  );
}
