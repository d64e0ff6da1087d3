import { Loupe, setDefaultEndpoint } from './api';

declare global {
  interface Window {
    Loupe?: typeof Loupe;
  }
}

try {
  // Served by the Loupe server itself, the script knows where to send: `init` then needs only the key.
  const src = (document.currentScript as HTMLScriptElement | null)?.src;
  if (src) setDefaultEndpoint(new URL(src).origin);
} catch {
  // No script element (injected as a module or a blob): the endpoint must be given to init.
}

// A second copy of the script must not replace the first, which may already be recording; an
// element with id "Loupe" is also reachable as window.Loupe, hence the check for `init`.
if (typeof window.Loupe?.init !== 'function') window.Loupe = Loupe;
