import { pageKey } from '@loupe/analytics';
import type { PageKeySettings, Project } from '@loupe/contracts';
import { useId, useMemo, useState, type FormEvent } from 'react';
import { useSettingsForm } from '../settings-form';

interface Rule {
  /** Only for React to tell rows apart while they are added and removed. */
  row: number;
  match: string;
  key: string;
}

interface Form {
  groupIds: boolean;
  keepQuery: string;
  hashRoutes: boolean;
  includeHost: boolean;
  rules: Rule[];
}

let nextRow = 0;
const rule = (match = '', key = ''): Rule => ({ row: nextRow++, match, key });

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

function toForm(s: PageKeySettings): Form {
  return { groupIds: s.groupIds, keepQuery: s.keepQuery.join('\n'), hashRoutes: s.hashRoutes, includeHost: s.includeHost, rules: s.rules.map((r) => rule(r.match, r.key)) };
}

/** A row left wholly empty is no rule; a half-filled one is sent, for the server to name what it lacks. */
const sentRules = (f: Form) => f.rules.filter((r) => r.match.trim() || r.key.trim());

function fromForm(f: Form): PageKeySettings {
  return {
    groupIds: f.groupIds,
    keepQuery: lines(f.keepQuery),
    hashRoutes: f.hashRoutes,
    includeHost: f.includeHost,
    rules: sentRules(f).map((r) => ({ match: r.match.trim(), key: r.key.trim() })),
  };
}

/**
 * How URLs are grouped into pages for the pages table, funnels and heatmaps. The preview runs the
 * server's own function on what the form holds, so an admin sees a rule's effect before saving it.
 */
export function PageKeysPanel({ project, canAdmin }: { project: Project; canAdmin: boolean }) {
  const id = useId();
  const { form, setForm, busy, message, invalid, save } = useSettingsForm(project.id, 'pages', (s) => toForm(s.pages));
  const [sample, setSample] = useState('');

  const preview = useMemo(() => {
    const url = sample.trim();
    if (!url || !form) return '';
    try {
      new URL(url);
    } catch {
      return 'Type a whole URL, starting with https://';
    }
    return pageKey(url, fromForm(form));
  }, [sample, form]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (form) await save({ pages: fromForm(form) }, 'Saved. Sessions analysed from now on get these page keys; page views stored before keep theirs.');
  }

  const off = !canAdmin || !form;
  const set = (change: Partial<Form>) => form && setForm({ ...form, ...change });
  const setRule = (row: number, change: Partial<Rule>) => form && setForm({ ...form, rules: form.rules.map((r) => (r.row === row ? { ...r, ...change } : r)) });
  // The server names a rule by its place among those sent, and rows left empty are not sent.
  const sentIndex = (row: number) => (form ? sentRules(form).findIndex((r) => r.row === row) : -1);
  const isInvalid = (path: string) => invalid.some((p) => p === path || p.startsWith(`${path}.`));

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Page keys</h2>
      <p className="muted">
        A page key names a page whatever its ids, so that <code>/product/123</code> and <code>/product/456</code> count as one page in Pages, funnels, heatmaps and alerts. Rules are tried first; a URL no rule
        matches has its ids replaced and its query string dropped, except the parameters kept.
      </p>
      {!canAdmin && <p className="muted small">Only admins and owners of the organization can change how pages are named.</p>}
      <form className="form page-key-form" onSubmit={submit} noValidate>
        {message && (
          <p className={message.error ? 'alert' : 'muted'} role={message.error ? 'alert' : 'status'}>
            {message.text}
          </p>
        )}
        <div className="field">
          <label className="checkbox">
            <input type="checkbox" checked={form?.groupIds ?? false} disabled={off} onChange={(e) => set({ groupIds: e.target.checked })} aria-describedby={`${id}-ids-help`} /> Replace ids in paths
          </label>
          <p className="field-help" id={`${id}-ids-help`}>
            Numbers become <code>:id</code>, UUIDs <code>:uuid</code>, long hex hashes <code>:hash</code>, and codes of 8 or more letters and digits <code>:id</code>; slugs with dashes are kept. Default on.
          </p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-query`}>Query parameters to keep (one per line)</label>
          <textarea
            id={`${id}-query`}
            rows={3}
            value={form?.keepQuery ?? ''}
            disabled={off}
            placeholder="tab"
            aria-invalid={isInvalid('keepQuery') || undefined}
            aria-describedby={`${id}-query-help`}
            onChange={(e) => set({ keepQuery: e.target.value })}
          />
          <p className="field-help" id={`${id}-query-help`}>
            Parameters that make a different page, such as <code>tab</code> for <code>?tab=reviews</code>; every other is dropped. Default none.
          </p>
        </div>
        <div className="field">
          <label className="checkbox">
            <input type="checkbox" checked={form?.hashRoutes ?? false} disabled={off} onChange={(e) => set({ hashRoutes: e.target.checked })} aria-describedby={`${id}-hash-help`} /> Read <code>#/path</code>{' '}
            routes as the path
          </label>
          <p className="field-help" id={`${id}-hash-help`}>
            For single-page apps that route in the fragment (<code>#/path</code> or <code>#!/path</code>). Default on.
          </p>
        </div>
        <div className="field">
          <label className="checkbox">
            <input type="checkbox" checked={form?.includeHost ?? false} disabled={off} onChange={(e) => set({ includeHost: e.target.checked })} aria-describedby={`${id}-host-help`} /> Include the host
          </label>
          <p className="field-help" id={`${id}-host-help`}>
            For projects that record several sites, so that <code>/</code> of one is not <code>/</code> of another. Default off.
          </p>
        </div>
        <fieldset className="field">
          <legend>Rules</legend>
          <p className="field-help" id={`${id}-rules-help`}>
            URLs whose path matches a pattern get its page name; the first rule that matches wins. In a pattern <code>*</code> stands for one path segment and <code>**</code> for any number of them:{' '}
            <code>/blog/*</code> matches <code>/blog/hello</code>, <code>/docs/**</code> matches <code>/docs/a/b/c</code>.
          </p>
          {form?.rules.length === 0 && <p className="muted small">No rules: ids are replaced as set above.</p>}
          <ol className="page-rules">
            {form?.rules.map((r, i) => {
              const sent = sentIndex(r.row);
              return (
                <li key={r.row} className="page-rule">
                  <input
                    aria-label={`URL pattern of rule ${i + 1}`}
                    value={r.match}
                    placeholder="/product/*"
                    disabled={off}
                    maxLength={300}
                    aria-invalid={isInvalid(`rules.${sent}.match`) || undefined}
                    onChange={(e) => setRule(r.row, { match: e.target.value })}
                  />
                  <span aria-hidden="true">→</span>
                  <input
                    aria-label={`Page name of rule ${i + 1}`}
                    value={r.key}
                    placeholder="/product/:slug"
                    disabled={off}
                    maxLength={300}
                    aria-invalid={isInvalid(`rules.${sent}.key`) || undefined}
                    onChange={(e) => setRule(r.row, { key: e.target.value })}
                  />
                  {canAdmin && (
                    <button type="button" className="button button-small" disabled={off} onClick={() => form && setForm({ ...form, rules: form.rules.filter((x) => x.row !== r.row) })}>
                      Remove<span className="visually-hidden"> rule {i + 1}</span>
                    </button>
                  )}
                </li>
              );
            })}
          </ol>
          {canAdmin && (
            <div>
              <button type="button" className="button button-small" disabled={off || form.rules.length >= 200} onClick={() => form && setForm({ ...form, rules: [...form.rules, rule()] })}>
                Add rule
              </button>
            </div>
          )}
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-sample`}>Try a URL</label>
          <input id={`${id}-sample`} type="url" value={sample} placeholder="https://shop.example.com/product/123?tab=reviews" onChange={(e) => setSample(e.target.value)} aria-describedby={`${id}-sample-help`} />
          <p className="field-help" id={`${id}-sample-help`}>
            With the settings above as they are in this form, saved or not.
          </p>
          <p>
            Page key: <output aria-label="Page key" htmlFor={`${id}-sample`}>{preview || '—'}</output>
          </p>
        </div>
        {canAdmin && (
          <div>
            <button type="submit" className="button button-primary" disabled={busy || !form}>
              Save
            </button>
          </div>
        )}
      </form>
    </section>
  );
}

