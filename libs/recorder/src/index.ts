// The browser SDK as an ES module; `browser.ts` is the same API as the `window.Loupe` script.
export { consent, exposure, feedback, flush, getSessionId, getVariant, getVisitorId, identify, init, Loupe, stop, track } from './api';
export type { ConsoleLevel, LoupeOptions } from './options';
