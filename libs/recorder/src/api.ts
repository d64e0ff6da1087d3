import { FeedbackWidgets } from './feedback/feedback';
import { guard, warnOnce } from './guard';
import { browserRefusesTracking, resolveOptions, withRemotePrivacy, type LoupeOptions, type RemotePrivacy, type ResolvedOptions } from './options';
import { CONSENT_KEY, Recorder } from './recorder';
import { browserStore } from './storage';

type Props = Record<string, string | number | boolean | null>;

let current: Recorder | null = null;
let widgets: FeedbackWidgets | null = null;
let defaultEndpoint: string | undefined;
/** The options of the last `init`, for a `consent(true)` that comes after it. */
let prepared: ResolvedOptions | null = null;
/** A recorder waiting for the project's configuration before it starts. */
let starting: Recorder | null = null;
/** Calls made before `init` (a tag manager may load the script late), played once recording starts. */
const early: Array<(r: Recorder) => void> = [];

/** A visitor who refused, or has not answered yet where `init` asks: calls are not even kept for later. */
const deniedHere = () => !current && browserStore('localStorage').get(CONSENT_KEY) === 'denied';

/** The server the script was loaded from, the endpoint when `init` names none. */
export function setDefaultEndpoint(endpoint: string | undefined): void {
  defaultEndpoint = endpoint;
}

function call(kind: string, fn: (r: Recorder) => void): void {
  if (current?.running) guard(kind, fn)(current);
  else if (early.length < 100 && !(prepared && !current) && !deniedHere()) early.push(guard(kind, fn));
}

/**
 * Starts recording. A second call while recording does nothing. With `requireConsent`, nothing is
 * recorded, sent or stored until `Loupe.consent(true)` (or an earlier page's consent).
 */
export function init(options: LoupeOptions): void {
  guard('Loupe.init', () => {
    if (current?.running || starting || typeof window === 'undefined' || typeof document === 'undefined') return;
    const o = resolveOptions(options, defaultEndpoint);
    if (typeof o === 'string') {
      warnOnce('options', o);
      return;
    }
    prepared = o;
    // A refusal holds on every later page, whether or not `init` asks for consent.
    const answer = browserStore('localStorage').get(CONSENT_KEY);
    if (answer === 'denied' || (o.requireConsent && answer !== 'granted')) return;
    begin(o);
  })();
}

/**
 * The recorder exists at once (its ids are readable), but rrweb starts only once the project's
 * configuration is known (at most a couple of seconds, usually from this tab's cache): its masking
 * must apply from the first snapshot, and a browser refusing tracking must not be recorded at all.
 */
function begin(o: ResolvedOptions): void {
  const r = new Recorder(o);
  current = r;
  starting = r;
  void r.remoteConfig.then(
    guard('Loupe.init', (config) => {
      if (starting !== r) return;
      starting = null;
      const privacy = config['privacy'] as RemotePrivacy | undefined;
      if (privacy?.honorDoNotTrack === true && browserRefusesTracking()) {
        r.forget();
        current = null;
        early.splice(0);
        return;
      }
      const tightened = withRemotePrivacy(o, privacy);
      widgets = new FeedbackWidgets(r, tightened);
      r.start(tightened);
      widgets.start();
      for (const fn of early.splice(0)) fn(r);
    }),
  );
}

/**
 * The visitor's answer to the site's consent request, remembered for later pages. `true` starts
 * recording when `init` waited for it; `false` stops recording and drops everything not yet sent,
 * with the visitor's ids, and keeps later pages from recording until `consent(true)`.
 */
export function consent(granted: boolean): void {
  guard('Loupe.consent', () => {
    browserStore('localStorage').set(CONSENT_KEY, granted ? 'granted' : 'denied');
    if (granted) {
      if (prepared && !current?.running && !starting) begin(prepared);
      return;
    }
    early.splice(0);
    widgets?.stop();
    widgets = null;
    current?.forget();
    current = null;
    starting = null;
  })();
}

/** Records a custom event; props keep strings, numbers, booleans and null. */
export function track(name: string, props?: Props): void {
  call('Loupe.track', (r) => r.track(name, props));
}

/** Ties the session to a user of the site. */
export function identify(userId: string, traits?: Props): void {
  call('Loupe.identify', (r) => r.identify(userId, traits));
}

/** Records that the visitor saw `variant` of experiment `experimentKey`. */
export function exposure(experimentKey: string, variant: string): void {
  call('Loupe.exposure', (r) => r.exposure(experimentKey, variant));
}

/**
 * The visitor's variant of a running experiment, assigned by a hash of the experiment key and the
 * visitor id with the weights set in Loupe, and recorded as an exposure. Resolves null when the
 * experiment is not running (show the page's default) and never rejects.
 */
export function getVariant(experimentKey: string): Promise<string | null> {
  return new Promise<string | null>((resolve) => {
    call('Loupe.getVariant', (r) => {
      r.getVariant(experimentKey).then(resolve, () => resolve(null));
    });
  });
}

export function getSessionId(): string | null {
  return guard('Loupe.getSessionId', () => current?.session.id ?? null)() ?? null;
}

export function getVisitorId(): string | null {
  return guard('Loupe.getVisitorId', () => current?.visitorId ?? null)() ?? null;
}

/**
 * Sends what is buffered; resolves once the server has acknowledged everything recorded so far.
 * Rejects only when it gives up (server unreachable after the retries, or refusing the data); what
 * was not delivered stays stored and is sent from the next page.
 */
export function flush(): Promise<void> {
  // A recorder still waiting for the project's configuration flushes once it has started.
  return guard('Loupe.flush', () => current?.remoteConfig.then(() => current?.flush()))() ?? Promise.resolve();
}

/** Stops recording; what is buffered is still sent. */
export function stop(): void {
  guard('Loupe.stop', () => {
    widgets?.stop();
    current?.stop();
  })();
}

/** The feedback widget, driven from the page's own code. */
export const feedback = {
  /**
   * Shows a running survey now, whatever its targeting says (a "Give feedback" link of the page's
   * own, a moment the page chooses). Resolves true once it is on screen; false for an id that is not
   * a running survey of the project.
   */
  open(surveyId: string): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      call('Loupe.feedback.open', () => {
        if (!widgets) return resolve(false);
        widgets.open(String(surveyId)).then(resolve, () => resolve(false));
      });
    });
  },
  /** Closes the survey on screen, if any, as if the visitor had closed it. */
  close(): void {
    guard('Loupe.feedback.close', () => widgets?.close())();
  },
};

export const Loupe = { init, consent, track, identify, exposure, getVariant, getSessionId, getVisitorId, flush, stop, feedback };
