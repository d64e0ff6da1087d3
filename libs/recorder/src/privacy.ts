import type { ResolvedOptions } from './options';

/**
 * Every input type whose value rrweb hands to `maskInputFn`; `maskInputFn` then decides, so that
 * passwords stay masked even when `maskAllInputs` is off. `hidden` inputs are listed because they
 * often carry tokens, and they are not typed by anyone whose visit one would want to watch.
 */
const INPUT_TYPES = ['color', 'date', 'datetime-local', 'email', 'month', 'number', 'range', 'search', 'tel', 'text', 'time', 'url', 'week', 'textarea', 'select', 'password', 'hidden'];
const SECRET_AUTOCOMPLETE = /cc-|password|one-time-code/i;

/** rrweb's own masking of text: one `*` per character that is not white space. */
export const maskText = (text: string): string => text.replace(/\S/g, '*');

export function shouldMaskInput(el: Element, o: ResolvedOptions): boolean {
  if (o.maskAllInputs || o.maskAllText) return true;
  try {
    const type = ((el as HTMLInputElement).type || '').toLowerCase();
    if (type === 'password' || type === 'hidden' || el.hasAttribute('data-rr-is-password')) return true;
    if (SECRET_AUTOCOMPLETE.test(el.getAttribute('autocomplete') || '')) return true;
    return el.closest(o.maskTextSelector) !== null || el.matches(o.ignoreSelector);
  } catch {
    return true;
  }
}

/** The privacy part of rrweb's record options. */
export function privacyOptions(o: ResolvedOptions) {
  const maskInputOptions: Record<string, boolean> = {};
  for (const t of INPUT_TYPES) maskInputOptions[t] = true;
  return {
    blockSelector: o.blockSelector,
    ignoreSelector: o.ignoreSelector,
    maskTextSelector: o.maskAllText ? '*' : o.maskTextSelector,
    maskInputOptions,
    maskInputFn: (text: string, el: HTMLElement) => (shouldMaskInput(el, o) ? '*'.repeat(text.length) : text),
  };
}

export interface TextRules {
  maskAll: boolean;
  maskSelector: string;
  blockSelector: string;
}

export function textRules(o: ResolvedOptions): TextRules {
  return { maskAll: o.maskAllText, maskSelector: o.maskTextSelector, blockSelector: o.blockSelector };
}
