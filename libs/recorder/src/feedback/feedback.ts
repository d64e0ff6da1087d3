import { FEEDBACK_LIMITS, type FeedbackImpression, type FeedbackSubmission, type PublicSurvey, type SurveysSdkConfig } from '@loupe/contracts/feedback';
import { LOUPE_TAGS, type SdkConfig } from '@loupe/contracts/recording';
import { guard, warnOnce } from '../guard';
import { randomId } from '../ids';
import { browserStore, type KeyValueStore } from '../storage';
import { readMemory, readVisit, remember, saveVisit, type Visit } from './memory';
import { deviceClass, holdBack, pageMatches } from './targeting';
import { postJson } from './transport';
import { createHost, SurveyCard } from './widget';

/** What the widget needs from the recording it belongs to. */
export interface RecordingContext {
  readonly visitorId: string;
  readonly windowId: string;
  readonly session: { readonly id: string };
  readonly remoteConfig: Promise<SdkConfig>;
  flush(): Promise<void>;
  /** Calls `listener` with each of Loupe's own events (page views, track, exposure) as it is recorded. */
  onCustom(listener: (tag: string, payload: unknown) => void): void;
}

type How = 'auto' | 'open' | 'button';

interface Shown {
  survey: PublicSurvey;
  card: SurveyCard;
  host: HTMLElement;
  impression: string;
}

/** An embedded survey whose element is not in the page yet is looked for this often, this many times. */
const EMBED_RETRY_MS = 500;
const EMBED_ATTEMPTS = 20;

function surveysOf(config: SdkConfig): PublicSurvey[] {
  const section = config['surveys'] as SurveysSdkConfig | undefined;
  return Array.isArray(section?.surveys) ? section.surveys : [];
}

const clip = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);

/**
 * The feedback widgets of a page: which running surveys this visitor is offered, when (on load,
 * after a delay, after a custom event, on exit intent, after some page views), and what they
 * answer. One popover at a time; embedded surveys and feedback buttons beside it.
 */
export class FeedbackWidgets {
  private surveys: PublicSurvey[] = [];
  private ready: Promise<void> = Promise.resolve();
  private popover: Shown | null = null;
  private readonly embedded = new Map<string, Shown>();
  private readonly launchers = new Map<string, { host: HTMLElement; slot: HTMLElement; button: HTMLButtonElement; shown: Shown | null }>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly cleanups: Array<() => void> = [];
  private readonly local: KeyValueStore = browserStore('localStorage');
  private page = '';
  private running = false;

  constructor(
    private readonly recording: RecordingContext,
    private readonly o: { endpoint: string; key: string },
  ) {
    recording.onCustom((tag, payload) => this.recorded(tag, payload));
  }

  start(): void {
    this.running = true;
    this.page = location.href;
    this.ready = this.recording.remoteConfig.then(
      guard('feedback', (config: SdkConfig) => {
        this.surveys = surveysOf(config);
        this.evaluate();
      }),
    ) as Promise<void>;
    const exit = guard('feedback', (e: Event) => {
      const m = e as MouseEvent;
      // The pointer leaving through the top of the window: towards the tabs, the address bar, the close button.
      if (!m.relatedTarget && m.clientY <= 0) this.triggered((s) => s.targeting.trigger.type === 'exit');
    });
    const hide = guard('feedback', () => this.sendUnsent());
    document.addEventListener('mouseout', exit, { passive: true });
    window.addEventListener('pagehide', hide, { passive: true });
    this.cleanups.push(
      () => document.removeEventListener('mouseout', exit),
      () => window.removeEventListener('pagehide', hide),
    );
  }

  stop(): void {
    this.running = false;
    for (const undo of this.cleanups.splice(0)) undo();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.popover?.card.close(false);
    for (const e of [...this.embedded.values()]) e.card.close(false);
    for (const l of [...this.launchers.values()]) l.host.remove();
    this.launchers.clear();
  }

  /** `Loupe.feedback.open(id)`: shows a running survey now, whatever its targeting says. */
  async open(surveyId: string): Promise<boolean> {
    await this.ready;
    const survey = this.surveys.find((s) => s.id === surveyId);
    if (!survey) {
      warnOnce('feedback open', `no running survey has the id ${surveyId}; check it in the console, and that the survey is running.`);
      return false;
    }
    return this.show(survey, 'open');
  }

  close(): void {
    this.popover?.card.close(true);
  }

  // --- What the recording reports -------------------------------------------------------------------

  /** Followed from the recorder's creation: the page view of the first load counts too. */
  private recorded(tag: string, payload: unknown): void {
    const p = payload as { name?: unknown; experiment?: unknown; variant?: unknown; url?: unknown };
    if (tag === LOUPE_TAGS.pageview) {
      const visit = this.visit();
      saveVisit(this.local, { ...visit, pageviews: visit.pageviews + 1 });
      if (!this.running) return;
      if (location.href !== this.page) {
        this.page = location.href;
        this.navigated();
      }
      this.evaluate();
    } else if (tag === LOUPE_TAGS.exposure && typeof p.experiment === 'string' && typeof p.variant === 'string') {
      const visit = this.visit();
      saveVisit(this.local, { ...visit, variants: { ...visit.variants, [p.experiment]: p.variant } });
    } else if (tag === LOUPE_TAGS.track && typeof p.name === 'string') {
      const name = p.name;
      this.triggered((s) => s.targeting.trigger.type === 'event' && s.targeting.trigger.event === name);
    }
  }

  private visit(): Visit {
    return readVisit(this.local, this.recording.session.id);
  }

  /** A new page of a single-page app: what belonged to the last page goes, timers start again. */
  private navigated(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const [id, l] of this.launchers) {
      const survey = this.surveys.find((s) => s.id === id);
      if (!survey || !this.onThisPage(survey)) {
        l.host.remove();
        this.launchers.delete(id);
      }
    }
  }

  // --- Who sees what, when ------------------------------------------------------------------------

  private onThisPage(survey: PublicSurvey): boolean {
    const t = survey.targeting;
    return pageMatches(t, location.href) && (t.devices.length === 0 || t.devices.includes(this.device()));
  }

  private device() {
    let coarsePointer = false;
    try {
      coarsePointer = window.matchMedia('(pointer: coarse)').matches;
    } catch {
      // Without matchMedia the user agent alone decides.
    }
    return deviceClass({ userAgent: navigator.userAgent, width: window.innerWidth, coarsePointer });
  }

  private eligible(survey: PublicSurvey): boolean {
    const memory = readMemory(this.local, survey.id);
    return holdBack(survey, { url: location.href, device: this.device(), visitorId: this.recording.visitorId, memory, now: Date.now() }) === null;
  }

  /** Looks at every survey for this page, as it loads or after a navigation. */
  private evaluate(): void {
    if (!this.running) return;
    for (const survey of this.surveys) {
      if (survey.presentation.mode === 'button') {
        if (this.onThisPage(survey)) this.launcher(survey);
        continue;
      }
      if (!this.eligible(survey)) continue;
      const trigger = survey.targeting.trigger;
      if (trigger.type === 'load') this.show(survey, 'auto');
      else if (trigger.type === 'pageviews' && this.visit().pageviews >= (trigger.pageviews ?? 1)) this.show(survey, 'auto');
      else if (trigger.type === 'delay' && !this.timers.has(survey.id)) {
        this.timers.set(
          survey.id,
          setTimeout(
            guard('feedback', () => {
              this.timers.delete(survey.id);
              if (this.eligible(survey)) this.show(survey, 'auto');
            }),
            (trigger.delaySeconds ?? 0) * 1000,
          ),
        );
      }
    }
  }

  private triggered(which: (s: PublicSurvey) => boolean): void {
    if (!this.running) return;
    for (const survey of this.surveys) {
      if (survey.presentation.mode !== 'button' && which(survey) && this.eligible(survey)) this.show(survey, 'auto');
    }
  }

  // --- On screen ----------------------------------------------------------------------------------

  private show(survey: PublicSurvey, how: How, attempt = 0): boolean {
    if (this.embedded.has(survey.id) || this.popover?.survey.id === survey.id) return false;
    const active = typeof document !== 'undefined' ? (document.activeElement as HTMLElement | null) : null;
    if (survey.presentation.mode === 'embedded' && how !== 'open') {
      let place: Element | null;
      try {
        place = document.querySelector(survey.presentation.selector ?? '');
      } catch {
        warnOnce('feedback selector', `the element "${survey.presentation.selector}" of an embedded survey is not a valid CSS selector.`);
        return false;
      }
      if (!place) {
        // The element may come with the page's own scripts a moment later.
        if (attempt < EMBED_ATTEMPTS) setTimeout(guard('feedback', () => this.running && this.show(survey, how, attempt + 1)), EMBED_RETRY_MS);
        return false;
      }
      const { host, root } = createHost('inline', survey.presentation.color, survey.presentation.position);
      place.append(host);
      this.embedded.set(survey.id, this.mount(survey, host, root, { floating: false, returnFocus: null, removeHost: true, gone: () => this.embedded.delete(survey.id) }));
      return true;
    }
    if (this.popover) {
      if (how === 'auto') return false;
      this.popover.card.close(true);
    }
    const { host, root } = createHost('floating', survey.presentation.color, survey.presentation.position);
    (document.body ?? document.documentElement).append(host);
    const shown = this.mount(survey, host, root, {
      floating: true,
      returnFocus: active,
      removeHost: true,
      gone: () => {
        if (this.popover === shown) this.popover = null;
      },
    });
    this.popover = shown;
    // A survey that appears by itself takes the focus only from nobody: never from a field being typed in.
    if (how !== 'auto' || !active || active === document.body || active === document.documentElement) shown.card.focus();
    return true;
  }

  private mount(survey: PublicSurvey, host: HTMLElement, container: HTMLElement, o: { floating: boolean; returnFocus: HTMLElement | null; removeHost: boolean; gone: () => void }): Shown {
    const impression = randomId();
    remember(this.local, survey.id, { shown: Date.now() });
    void this.sendImpression(survey, impression, 'shown');
    const shown: Shown = {
      survey,
      host,
      impression,
      card: new SurveyCard(survey, container, o.floating, {
        answered: (score, comment) => {
          remember(this.local, survey.id, { answered: Date.now() });
          void this.sendAnswer(survey, score, comment);
        },
        dismissed: () => {
          remember(this.local, survey.id, { dismissed: Date.now() });
          void this.sendImpression(survey, impression, 'dismissed');
        },
        closed: () => {
          if (o.removeHost) host.remove();
          o.gone();
        },
      }, o.returnFocus),
    };
    return shown;
  }

  /** A feedback button: always there on the survey's pages; it opens the survey above (or below) itself. */
  private launcher(survey: PublicSurvey): void {
    if (this.launchers.has(survey.id)) return;
    const { host, root } = createHost('floating', survey.presentation.color, survey.presentation.position);
    const stack = document.createElement('div');
    stack.className = 'stack';
    const slot = document.createElement('div');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'launcher';
    button.textContent = survey.presentation.buttonLabel;
    button.setAttribute('aria-haspopup', 'dialog');
    button.setAttribute('aria-expanded', 'false');
    stack.append(slot, button);
    root.append(stack);
    const entry = { host, slot, button, shown: null as Shown | null };
    button.addEventListener(
      'click',
      guard('feedback', () => {
        if (entry.shown) {
          entry.shown.card.close(true);
          return;
        }
        entry.shown = this.mount(survey, host, slot, {
          floating: true,
          returnFocus: button,
          removeHost: false,
          gone: () => {
            entry.shown = null;
            button.setAttribute('aria-expanded', 'false');
          },
        });
        button.setAttribute('aria-expanded', 'true');
        entry.shown.card.focus();
      }),
    );
    (document.body ?? document.documentElement).append(host);
    this.launchers.set(survey.id, entry);
  }

  /** A page closing with an answer half given: what was chosen is sent. */
  private sendUnsent(): void {
    const all = [this.popover, ...this.embedded.values(), ...[...this.launchers.values()].map((l) => l.shown)];
    for (const s of all) {
      const u = s?.card.unsent();
      if (s && u) s.card.close(false);
    }
  }

  // --- To the server ------------------------------------------------------------------------------

  private base(survey: PublicSurvey) {
    const visit = this.visit();
    return {
      surveyId: survey.id,
      sessionId: this.recording.session.id,
      visitorId: this.recording.visitorId,
      at: Date.now(),
      url: clip(location.href, FEEDBACK_LIMITS.urlChars),
      variants: visit.variants,
      viewport: { width: Math.round(window.innerWidth), height: Math.round(window.innerHeight) },
    };
  }

  private url(path: string): string {
    return `${this.o.endpoint}${path}?key=${encodeURIComponent(this.o.key)}`;
  }

  private sendImpression(survey: PublicSurvey, id: string, kind: FeedbackImpression['kind']): Promise<boolean> {
    const body: FeedbackImpression = { id, kind, ...this.base(survey) };
    return postJson(this.url('/v1/feedback/impressions'), body);
  }

  private sendAnswer(survey: PublicSurvey, score: number | null, comment: string | null): Promise<boolean> {
    // What the recording holds up to this moment leaves now too, so that the replay reaches the answer.
    this.recording.flush().catch(() => undefined);
    const body: FeedbackSubmission = { id: randomId(), ...this.base(survey), windowId: this.recording.windowId, score, comment: comment ? clip(comment, FEEDBACK_LIMITS.commentChars) : null };
    return postJson(this.url('/v1/feedback'), body);
  }
}
