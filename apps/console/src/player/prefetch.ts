import { apiRequest } from '../api';

/** Answers requested before the page that reads them exists, so that they travel in parallel with the app's start. */
const early = new Map<string, { at: number; answer: Promise<unknown> }>();
const FRESH_MS = 30_000;

export function prefetch(path: string): void {
  const now = Date.now();
  for (const [key, entry] of early) if (now - entry.at > FRESH_MS) early.delete(key);
  if (early.has(path)) return;
  const answer = apiRequest<unknown>(path);
  answer.catch(() => undefined); // Whoever takes it sees the failure and asks again.
  early.set(path, { at: now, answer });
}

/** The prefetched answer for `path` when there is a recent one, else a new request. */
export function takePrefetched<T>(path: string, signal: AbortSignal): Promise<T> {
  const entry = early.get(path);
  early.delete(path);
  const fresh = () => apiRequest<T>(path, { signal });
  if (!entry || Date.now() - entry.at > FRESH_MS) return fresh();
  return (entry.answer as Promise<T>).catch(fresh);
}

export const sessionDetailPath = (projectId: string, sessionId: string) => `/api/v1/sessions/${encodeURIComponent(sessionId)}?project=${encodeURIComponent(projectId)}`;
