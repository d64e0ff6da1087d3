import { useEffect, useRef, useState } from 'react';

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
