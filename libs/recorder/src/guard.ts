// Captured when the module loads, before the console plugin wraps `console.warn`: the SDK's own
// warnings must not end up inside the recordings they are about.
const nativeWarn: ((...args: unknown[]) => void) | undefined = typeof console === 'undefined' ? undefined : console.warn;
const warned = new Set<string>();

/** One console warning per kind of trouble, so a broken endpoint cannot flood the host's console. */
export function warnOnce(kind: string, message: string, detail?: unknown): void {
  if (warned.has(kind)) return;
  warned.add(kind);
  try {
    nativeWarn?.apply(console, detail === undefined ? [`Loupe: ${message}`] : [`Loupe: ${message}`, detail]);
  } catch {
    // A console that throws leaves nothing else to tell.
  }
}

/**
 * Wraps a function the host page can reach (API call, event listener, timer) so that a bug in the SDK
 * costs the recording a feature, never the page an exception.
 */
export function guard<A extends unknown[], R>(kind: string, fn: (...args: A) => R): (...args: A) => R | undefined {
  return (...args: A) => {
    try {
      return fn(...args);
    } catch (error) {
      warnOnce(kind, `${kind} failed; recording carries on without it.`, error);
      return undefined;
    }
  };
}
