import { useCallback, useEffect, useRef, useState } from 'react';
import { apiRequest, messageOf } from './api';
import type { FormMessage } from './settings-form';

/**
 * A list the API answers at `url` (`pick` takes it out of the answer), loaded when the page opens
 * and again on `reload()` after a change; a failed load is said in `message`, which the page also
 * uses for what its actions on the list did.
 */
export function useListing<A, T>(url: string, pick: (answer: A) => T[]) {
  const [items, setItems] = useState<T[] | null>(null);
  const [message, setMessage] = useState<FormMessage>(null);
  // `pick` is a field access written inline, a new function each render: the list is keyed by its URL alone.
  const picked = useRef(pick);
  picked.current = pick;
  const reload = useCallback(
    (signal?: AbortSignal) =>
      apiRequest<A>(url, { signal })
        .then((answer) => setItems(picked.current(answer)))
        .catch((err: unknown) => {
          if (!signal?.aborted) setMessage({ error: true, text: messageOf(err) });
        }),
    [url],
  );
  useEffect(() => {
    const controller = new AbortController();
    void reload(controller.signal);
    return () => controller.abort();
  }, [reload]);
  return { items, setItems, message, setMessage, reload };
}
