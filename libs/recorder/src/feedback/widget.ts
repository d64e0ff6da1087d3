import { commentQuestionFor, FEEDBACK_LIMITS, type PublicSurvey, type WidgetPosition } from '@loupe/contracts/feedback';
import { WIDGET_CSS } from './styles';
import { textOn } from './targeting';

/**
 * Marks the widget's host for the recorder: `data-loupe-block` keeps its content out of the
 * recording (rrweb draws an empty box) and `data-loupe-widget` keeps its clicks out of Loupe's own.
 */
export const WIDGET_ATTRIBUTE = 'data-loupe-widget';

/** Whether an event comes from a Loupe widget (its target outside the shadow root is the host). */
export function fromWidget(target: EventTarget | null): boolean {
  try {
    return !!(target as Element | null)?.closest?.(`[${WIDGET_ATTRIBUTE}]`);
  } catch {
    return false;
  }
}

const AUTO_CLOSE_MS = 4000;

/**
 * A host element in the page with an open shadow root holding the widget. Inside, the root element
 * carries `data-loupe-block` and `data-loupe-ignore` too: rrweb looks at the element an event
 * started on, inside the shadow root, and `closest()` does not cross it.
 */
export function createHost(kind: 'floating' | 'inline', color: string, position: WidgetPosition): { host: HTMLElement; root: HTMLElement } {
  const host = document.createElement('loupe-feedback');
  host.setAttribute(WIDGET_ATTRIBUTE, '');
  host.setAttribute('data-loupe-block', '');
  if (kind === 'floating') {
    const [v, h] = position.split('-') as ['top' | 'bottom', 'left' | 'right'];
    // Only the card and the button take the pointer: the rest of the corner stays the page's.
    host.setAttribute('style', `all: initial; position: fixed; z-index: 2147483000; ${v}: 12px; ${h}: 12px; pointer-events: none;`);
  } else {
    host.setAttribute('style', 'all: initial; display: block;');
  }
  const shadow = host.attachShadow({ mode: 'open' });
  const root = el('div', { class: `root ${kind} ${position.replace('-', ' ')}`, 'data-loupe-block': '', 'data-loupe-ignore': '' });
  root.style.setProperty('--accent', color);
  root.style.setProperty('--on-accent', textOn(color));
  adoptStyles(shadow);
  shadow.append(root);
  return { host, root };
}

let sheet: CSSStyleSheet | null = null;

/**
 * A constructed style sheet, shared by every widget of the page: a page's Content Security Policy
 * does not restrict those, where it may refuse a `<style>` element. Browsers without them get the
 * element.
 */
function adoptStyles(shadow: ShadowRoot): void {
  try {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(WIDGET_CSS);
    }
    shadow.adoptedStyleSheets = [sheet];
  } catch {
    const style = document.createElement('style');
    style.textContent = WIDGET_CSS;
    shadow.append(style);
  }
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

export interface CardEvents {
  /** The visitor finished: a score (null for a comment survey) and a comment (null when none). */
  answered(score: number | null, comment: string | null): void;
  /** Closed before answering. */
  dismissed(): void;
  /** Taken off the page, whatever the reason. */
  closed(): void;
}

let cards = 0;

/**
 * One survey on screen: the scale, then the follow-up question for the score, then the thanks.
 * Keyboard: Tab into the scale, arrows to choose, Enter to go on; Escape closes. A score clicked
 * with the pointer goes on at once.
 */
export class SurveyCard {
  readonly card: HTMLElement;
  private score: number | null = null;
  private comment: HTMLTextAreaElement | null = null;
  private finished = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly uid = `loupe-${++cards}`;

  constructor(
    private readonly survey: PublicSurvey,
    private readonly parent: HTMLElement,
    private readonly floating: boolean,
    private readonly events: CardEvents,
    private readonly returnFocus: HTMLElement | null,
  ) {
    this.card = el('section', floating ? { class: 'card', role: 'dialog', 'aria-labelledby': `${this.uid}-q`, tabindex: '-1' } : { class: 'card', 'aria-labelledby': `${this.uid}-q`, tabindex: '-1' });
    this.card.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.floating) {
        e.stopPropagation();
        this.close(true);
      }
    });
    parent.append(this.card);
    if (survey.scale) this.showScale(survey.scale);
    else this.showComment();
  }

  /** Moves the keyboard focus into the card (its container, so that Tab leads to the first choice). */
  focus(): void {
    this.card.focus({ preventScroll: true });
  }

  /** What was answered but not yet sent, for a page that is closing. */
  unsent(): { score: number | null; comment: string | null } | null {
    if (this.finished) return null;
    const comment = this.comment?.value.trim() || null;
    if (this.survey.scale ? this.score === null : !comment) return null;
    return { score: this.score, comment };
  }

  /** Takes the card off the page; `dismissed` when the visitor closed it. A score already chosen is still sent. */
  close(dismissed: boolean): void {
    clearTimeout(this.timer);
    const pending = this.unsent();
    const wasFinished = this.finished;
    this.finished = true;
    if (this.card.isConnected) {
      const hadFocus = this.hasFocus();
      this.card.remove();
      if (hadFocus && this.returnFocus?.isConnected) this.returnFocus.focus({ preventScroll: true });
    }
    if (!wasFinished) {
      if (pending) this.events.answered(pending.score, pending.comment);
      else if (dismissed) this.events.dismissed();
    }
    this.events.closed();
  }

  /** The close button comes last in the keyboard order (it is drawn in the corner): Tab from the card reaches the scale first. */
  private closer(): HTMLButtonElement[] {
    if (!this.floating) return [];
    const b = el('button', { type: 'button', class: 'close', 'aria-label': 'Close the survey' }, '×');
    b.addEventListener('click', () => this.close(true));
    return [b];
  }

  private showScale(scale: { min: number; max: number }): void {
    const form = el('form', { novalidate: '' });
    const fieldset = el('fieldset');
    fieldset.append(el('legend', { id: `${this.uid}-q` }, this.survey.question));
    const points = scale.max - scale.min + 1;
    const row = el('div', { class: 'scale' });
    row.style.setProperty('--points', String(points));
    row.style.setProperty('--points-narrow', String(points > 7 ? Math.ceil(points / 2) : points));
    for (let v = scale.min; v <= scale.max; v++) {
      const id = `${this.uid}-s${v}`;
      const label = el('label', { for: id });
      const input = el('input', { type: 'radio', name: `${this.uid}-score`, value: String(v), id, 'data-loupe-ignore': '' });
      const end = v === scale.min ? this.survey.labels.low : v === scale.max ? this.survey.labels.high : '';
      label.append(input, el('span', {}, String(v)));
      if (end) label.append(el('span', { class: 'visually-hidden' }, `, ${end}`));
      input.addEventListener('change', () => (this.score = v));
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          this.score = v;
          this.next();
        }
      });
      // A pointer click goes on at once; arrow keys also fire click, with detail 0, and only choose.
      input.addEventListener('click', (e) => {
        this.score = v;
        if (e.detail > 0) this.next();
      });
      row.append(label);
    }
    fieldset.append(row);
    if (this.survey.labels.low || this.survey.labels.high) {
      const ends = el('div', { class: 'ends', 'aria-hidden': 'true' });
      ends.append(el('span', {}, this.survey.labels.low), el('span', {}, this.survey.labels.high));
      fieldset.append(ends);
    }
    const actions = el('div', { class: 'actions' });
    actions.append(el('button', { type: 'submit', class: 'primary' }, 'Next'));
    form.append(fieldset, actions);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.next();
    });
    this.card.replaceChildren(form, ...this.closer());
  }

  private next(): void {
    if (this.score === null) {
      this.card.querySelector<HTMLInputElement>('input[type="radio"]')?.focus();
      return;
    }
    this.showComment();
  }

  private showComment(): void {
    const inside = this.hasFocus();
    const form = el('form', { novalidate: '' });
    const id = `${this.uid}-c`;
    const question = this.survey.scale ? commentQuestionFor(this.survey, this.score) : this.survey.question;
    const label = el('label', { for: id, class: 'comment-label', id: `${this.uid}-q` }, question);
    const textarea = el('textarea', { id, rows: '3', maxlength: String(FEEDBACK_LIMITS.commentChars), 'data-loupe-ignore': '', 'aria-describedby': `${id}-n` });
    const count = el('div', { class: 'count', id: `${id}-n` }, `Up to ${FEEDBACK_LIMITS.commentChars.toLocaleString('en')} characters`);
    textarea.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.finish();
      }
    });
    this.comment = textarea;
    const actions = el('div', { class: 'actions' });
    actions.append(el('button', { type: 'submit', class: 'primary' }, 'Send'));
    form.append(label, textarea, count, actions);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.finish();
    });
    this.card.replaceChildren(form, ...this.closer());
    if (inside) textarea.focus({ preventScroll: true });
  }

  private finish(): void {
    const comment = this.comment?.value.trim() || null;
    if (!this.survey.scale && !comment) {
      this.comment?.focus();
      return;
    }
    const inside = this.hasFocus();
    this.finished = true;
    this.events.answered(this.score, comment);
    const thanks = el('p', { class: 'thanks', role: 'status', id: `${this.uid}-q` }, this.survey.thankYou);
    this.card.replaceChildren(thanks, ...this.closer());
    if (inside) this.focus();
    if (this.floating) this.timer = setTimeout(() => this.close(false), AUTO_CLOSE_MS);
  }

  private hasFocus(): boolean {
    const root = this.card.getRootNode();
    return root instanceof ShadowRoot && !!root.activeElement && this.card.contains(root.activeElement);
  }
}
