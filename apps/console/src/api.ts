import type { ApiError } from '@loupe/contracts';

/** An answer from the API that was not a success; `message` is written to be shown to the user. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: ApiError['issues'] = undefined,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

type SignedOutListener = () => void;
let onSignedOut: SignedOutListener | null = null;

/** Called whenever the API says the session is gone, so any page can send the user to log in. */
export function whenSignedOut(listener: SignedOutListener | null): void {
  onSignedOut = listener;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /**
   * For the login form: there a 401 means "wrong password", which the form explains itself, not
   * "your session ended".
   */
  unauthorizedIsAnswer?: boolean;
  signal?: AbortSignal;
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = options.body === undefined ? 'GET' : 'POST', body, signal } = options;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiRequestError(0, 'The Loupe server could not be reached. Check your connection, then try again.');
  }

  if (res.status === 204) return undefined as T;
  const payload: unknown = await res.json().catch(() => null);
  if (res.ok) return payload as T;

  const error = isApiError(payload)
    ? new ApiRequestError(res.status, payload.message, payload.issues)
    : new ApiRequestError(res.status, `The server answered ${res.status} ${res.statusText || ''}`.trim() + '. Try again in a moment.');
  if (res.status === 401 && !options.unauthorizedIsAnswer) onSignedOut?.();
  throw error;
}

function isApiError(value: unknown): value is ApiError {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}

export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : 'Something went wrong. Try again.');
