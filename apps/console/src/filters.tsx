import { useEffect, useRef, useState } from 'react';
import { capitalize } from './format';
import { DEVICES, type Device } from './session-filters';

/** Filter fields the pages share (Sessions, the feedback inbox, the Dashboard), in the `.filters` bar. */

/** A text field that filters as the person types, once they pause, without losing what they type. */
export function TextFilter({ id, label, placeholder, value, commit }: { id: string; label: string; placeholder: string; value?: string; commit(v: string | undefined): void }) {
  const [draft, setDraft] = useState(value ?? '');
  const sent = useRef(value ?? '');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    // The URL changed from elsewhere (back button, "Clear filters"): show what it says.
    if ((value ?? '') !== sent.current) {
      sent.current = value ?? '';
      setDraft(value ?? '');
    }
  }, [value]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const send = (v: string) => {
    clearTimeout(timer.current);
    if (v.trim() === sent.current) return;
    sent.current = v.trim();
    commit(v.trim() || undefined);
  };

  return (
    <div className="filter">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="search"
        placeholder={placeholder}
        value={draft}
        onChange={(e) => {
          const v = e.target.value;
          setDraft(v);
          clearTimeout(timer.current);
          timer.current = setTimeout(() => send(v), 400);
        }}
        onKeyDown={(e) => e.key === 'Enter' && send(draft)}
        onBlur={() => send(draft)}
      />
    </div>
  );
}

/** Any device, or one device class. */
export function DeviceFilter({ id, value, change }: { id: string; value?: Device; change(device: Device | undefined): void }) {
  return (
    <div className="filter">
      <label htmlFor={id}>Device</label>
      <select id={id} value={value ?? ''} onChange={(e) => change((e.target.value || undefined) as Device | undefined)}>
        <option value="">Any device</option>
        {DEVICES.map((d) => (
          <option key={d} value={d}>
            {capitalize(d)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** An experiment's key, then one of its variants: a variant is always of one experiment, so it is asked for only once there is one. */
export function ExperimentFilters({ id, experiment, variant, change }: { id: string; experiment?: string; variant?: string; change(c: { experiment?: string; variant?: string }): void }) {
  return (
    <>
      <TextFilter id={`${id}-experiment`} label="Experiment" placeholder="checkout-button" value={experiment} commit={(e) => change(e ? { experiment: e } : { experiment: undefined, variant: undefined })} />
      {experiment && <TextFilter id={`${id}-variant`} label="Variant" placeholder="b" value={variant} commit={(v) => change({ variant: v })} />}
    </>
  );
}
