import type { ProjectSettings } from '@loupe/contracts';
import { useEffect, useRef, useState } from 'react';
import { apiRequest, ApiRequestError, messageOf } from './api';

export type FormMessage = { error: boolean; text: string } | null;

/**
 * One panel of a project's settings: the settings are loaded and turned into the panel's form, a
 * save sends the panel's part with PATCH and shows what the server kept, and a refusal says why and
 * which fields (`invalid`, paths inside the section) so the panel can mark them.
 */
export function useSettingsForm<F>(projectId: string, section: keyof ProjectSettings | null, toForm: (settings: ProjectSettings) => F) {
  const [form, setForm] = useState<F | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<FormMessage>(null);
  const [invalid, setInvalid] = useState<string[]>([]);
  // The panel's mapping may be a new function on each render; the load should not run again for it.
  const mapping = useRef(toForm);
  mapping.current = toForm;

  useEffect(() => {
    apiRequest<{ settings: ProjectSettings }>(`/api/v1/projects/${projectId}/settings`)
      .then(({ settings }) => setForm(mapping.current(settings)))
      .catch((err: unknown) => setMessage({ error: true, text: messageOf(err) }));
  }, [projectId]);

  /** Sends `patch`; on success the form shows what was stored and `saved` (its text, or made from the stored settings). */
  async function save(patch: Record<string, unknown>, saved: string | ((settings: ProjectSettings) => string)): Promise<void> {
    setBusy(true);
    setMessage(null);
    setInvalid([]);
    try {
      const { settings } = await apiRequest<{ settings: ProjectSettings }>(`/api/v1/projects/${projectId}/settings`, { method: 'PATCH', body: patch });
      setForm(mapping.current(settings));
      setMessage({ error: false, text: typeof saved === 'string' ? saved : saved(settings) });
    } catch (err) {
      setMessage({ error: true, text: messageOf(err) });
      if (err instanceof ApiRequestError) setInvalid((err.issues ?? []).map((i) => (section && i.path.startsWith(`${section}.`) ? i.path.slice(section.length + 1) : i.path)));
    } finally {
      setBusy(false);
    }
  }

  return { form, setForm, busy, message, setMessage, invalid, setInvalid, save };
}
