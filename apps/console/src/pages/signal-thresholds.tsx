import { SignalSettings, type Project, type SignalThresholds } from '@loupe/contracts';
import { SIGNAL_LABELS, type SignalKind } from '@loupe/contracts/signal-kinds';
import { useId, type FormEvent } from 'react';
import { useSettingsForm } from '../settings-form';

type Group = keyof SignalThresholds;

interface Threshold {
  group: Group;
  field: string;
  label: string;
  unit: string;
  help: string;
  min: number;
  max: number;
  /** Whole numbers only, as the server requires; the others take decimals. */
  integer: boolean;
}

const t = (group: Group, field: string, label: string, unit: string, help: string, min: number, max: number, integer = true): Threshold => ({ group, field, label, unit, help, min, max, integer });

/**
 * Each threshold of the `signals` section, with its bounds as the contract sets them and what it
 * changes in words, grouped by the signal it tunes in the order the console lists signals.
 */
const GROUPS: Array<{ kind: SignalKind; group: Group; thresholds: Threshold[] }> = [
  {
    kind: 'rage_click',
    group: 'rageClick',
    thresholds: [
      t('rageClick', 'minClicks', 'Clicks in a burst', 'clicks', 'How many clicks one burst needs to be a rage click.', 2, 50),
      t('rageClick', 'maxIntervalMs', 'Longest pause between clicks', 'ms', 'A longer pause between two clicks starts a new burst.', 1, 10_000),
      t('rageClick', 'radiusPx', 'Farthest distance between clicks', 'px', 'A click farther than this from the one before it starts a new burst.', 1, 1000, false),
    ],
  },
  {
    kind: 'dead_click',
    group: 'deadClick',
    thresholds: [
      t('deadClick', 'mutationWindowMs', 'Page change window', 'ms', 'A DOM change, navigation, focus change or input this soon after a click means the click did something.', 1, 30_000),
      t('deadClick', 'scrollWindowMs', 'Scroll window', 'ms', "A scroll this soon after a click means the click did something; later scrolling is the visitor's own.", 1, 30_000),
      t('deadClick', 'selectionWindowMs', 'Text selection window', 'ms', 'A change of text selection this soon after a click means the click did something.', 1, 30_000),
    ],
  },
  {
    kind: 'error_click',
    group: 'errorClick',
    thresholds: [t('errorClick', 'windowMs', 'Error window', 'ms', 'An uncaught error this soon after a click makes it an error click.', 1, 30_000)],
  },
  {
    kind: 'u_turn',
    group: 'uTurn',
    thresholds: [t('uTurn', 'maxDwellMs', 'Longest stay', 'ms', 'Going back to the previous page within this long of arriving is a U-turn.', 1, 120_000)],
  },
  {
    kind: 'excessive_scroll',
    group: 'excessiveScroll',
    thresholds: [
      t('excessiveScroll', 'minReversals', 'Changes of direction', 'reversals', 'How many times the scrolling must change direction, with no click or typing in between.', 2, 100),
      t('excessiveScroll', 'windowMs', 'Within', 'ms', 'The time those changes of direction must fit in.', 1, 120_000),
      t('excessiveScroll', 'minDistancePx', 'Shortest swing', 'px', 'A movement shorter than this between two changes of direction is a bounce, not a change of mind.', 0, 100_000, false),
    ],
  },
  {
    kind: 'thrashed_cursor',
    group: 'thrashedCursor',
    thresholds: [
      t('thrashedCursor', 'minReversals', 'Changes of direction', 'reversals', 'How many times the mouse must turn back horizontally.', 2, 100),
      t('thrashedCursor', 'windowMs', 'Within', 'ms', 'The time those turns must fit in.', 1, 30_000),
      t('thrashedCursor', 'minDistancePx', 'Shortest swing', 'px', 'Swings shorter than this do not count.', 0, 10_000, false),
      t('thrashedCursor', 'minSpeedPxPerMs', 'Slowest swing', 'px/ms', 'Swings slower than this on average do not count; 1 px/ms is 1000 px/s.', 0, 100, false),
    ],
  },
];

type Form = Record<string, string>;
const keyOf = (th: Threshold) => `${th.group}.${th.field}`;
const valueOf = (s: SignalThresholds, th: Threshold) => (s[th.group] as Record<string, number>)[th.field];

function toForm(s: SignalThresholds): Form {
  return Object.fromEntries(GROUPS.flatMap((g) => g.thresholds.map((th) => [keyOf(th), String(valueOf(s, th))])));
}

/** The section as the form holds it; an empty box is sent as null so the server names the field. */
function fromForm(form: Form): Record<string, Record<string, number | null>> {
  const out: Record<string, Record<string, number | null>> = {};
  for (const g of GROUPS) {
    out[g.group] = Object.fromEntries(g.thresholds.map((th) => [th.field, form[keyOf(th)]?.trim() ? Number(form[keyOf(th)]) : null]));
  }
  return out;
}

/**
 * When each frustration signal is raised. Admins tune the thresholds; everyone else sees them.
 * Signals already found are kept: only sessions analysed after a change use the new values.
 */
export function SignalThresholdsPanel({ project, canAdmin }: { project: Project; canAdmin: boolean }) {
  const id = useId();
  const { form, setForm, busy, message, setMessage, invalid, setInvalid, save } = useSettingsForm(project.id, 'signals', (s) => toForm(s.signals));

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (form) await save({ signals: fromForm(form) }, 'Saved. Sessions analysed from now on use these thresholds; signals found before keep theirs.');
  }

  function reset() {
    setForm(toForm(SignalSettings.defaults));
    setInvalid([]);
    setMessage({ error: false, text: 'The defaults are filled in. Save to use them.' });
  }

  const off = !canAdmin || !form;
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Frustration signals</h2>
      <p className="muted">
        When a recording counts as a rage click, a dead click and the other signals. The defaults follow established replay tools and were checked on real recordings; see docs/signals.md.
      </p>
      {!canAdmin && <p className="muted small">Only admins and owners of the organization can change these thresholds.</p>}
      <form className="form signal-form" onSubmit={submit} noValidate>
        {message && (
          <p className={message.error ? 'alert' : 'muted'} role={message.error ? 'alert' : 'status'}>
            {message.text}
          </p>
        )}
        {GROUPS.map((g) => (
          <fieldset key={g.group} className="field signal-group">
            <legend>{SIGNAL_LABELS[g.kind]}</legend>
            <div className="signal-thresholds">
              {g.thresholds.map((th) => {
                const key = keyOf(th);
                const inputId = `${id}-${g.group}-${th.field}`;
                return (
                  <div className="field" key={key}>
                    <label htmlFor={inputId}>
                      {th.label} ({th.unit})
                    </label>
                    <input
                      id={inputId}
                      type="number"
                      min={th.min}
                      max={th.max}
                      step={th.integer ? 1 : 'any'}
                      value={form?.[key] ?? ''}
                      disabled={off}
                      aria-invalid={invalid.includes(key) || undefined}
                      aria-describedby={`${inputId}-help`}
                      onChange={(e) => form && setForm({ ...form, [key]: e.target.value })}
                    />
                    <p className="field-help" id={`${inputId}-help`}>
                      {th.help} Default {valueOf(SignalSettings.defaults, th)} {th.unit}.
                    </p>
                  </div>
                );
              })}
            </div>
          </fieldset>
        ))}
        {canAdmin && (
          <div className="button-row">
            <button type="submit" className="button button-primary" disabled={busy || !form}>
              Save
            </button>
            <button type="button" className="button" disabled={busy || !form} onClick={reset}>
              Reset to defaults
            </button>
          </div>
        )}
      </form>
    </section>
  );
}
