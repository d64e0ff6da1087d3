import type { ClickPayload } from '@loupe/contracts/recording';
import { maskText, type TextRules } from './privacy';

const TEST_ATTRIBUTES = ['data-testid', 'data-test', 'data-cy'];
/** Ids a framework generates (`:r1:`, `ember1234`) change between renders and would not find the element again. */
const GENERATED_ID = /^\d|:|\d{4,}/;
const NO_TEXT = /^(script|style|noscript)$/;
const MAX_TEXT = 100;

const escape = (value: string): string => (typeof CSS !== 'undefined' && CSS.escape ? CSS.escape(value) : value.replace(/[^\w-]/g, (c) => `\\${c}`));

function findsOnly(root: ParentNode, selector: string, el: Element): boolean {
  try {
    const found = root.querySelectorAll(selector);
    return found.length === 1 && found[0] === el;
  } catch {
    return false;
  }
}

function anchor(el: Element, root: ParentNode): string | null {
  if (el.id && !GENERATED_ID.test(el.id)) {
    const s = `#${escape(el.id)}`;
    if (findsOnly(root, s, el)) return s;
  }
  for (const name of TEST_ATTRIBUTES) {
    const v = el.getAttribute(name);
    if (!v) continue;
    const s = `[${name}="${escape(v)}"]`;
    if (findsOnly(root, s, el)) return s;
  }
  return null;
}

/**
 * A selector that finds `el` again, for heatmaps and signals: the nearest id or test hook, then
 * `tag:nth-of-type(n)` steps down to the element, stopping as soon as the path is unique.
 */
export function cssSelector(el: Element): string {
  const root = el.getRootNode() as unknown as ParentNode;
  const parts: string[] = [];
  for (let node: Element | null = el; node; node = node.parentElement) {
    const a = anchor(node, root);
    if (a) {
      parts.unshift(a);
      break;
    }
    const tag = node.localName;
    let part = escape(tag);
    const parent: Element | null = node.parentElement;
    if (parent) {
      let same = 0;
      let index = 0;
      for (const child of Array.from(parent.children)) {
        if (child.localName !== tag) continue;
        same++;
        if (child === node) index = same;
      }
      if (same > 1) part += `:nth-of-type(${index})`;
    }
    parts.unshift(part);
    if (!parent || tag === 'body') break;
    if (findsOnly(root, parts.join(' > '), el)) break;
  }
  return parts.join(' > ');
}

/** The element a click is reported on: inside a blocked element, the blocked element itself. */
export function clickTarget(target: EventTarget | null, rules: TextRules): Element | null {
  const node = target as Node | null;
  const el = node && node.nodeType === 1 ? (node as Element) : (node?.parentElement ?? null);
  if (!el) return null;
  try {
    return el.closest(rules.blockSelector) ?? el;
  } catch {
    return el;
  }
}

/** Visible text under the same rules as the recording: masked text as `*`, nothing from blocked elements. */
export function clickText(el: Element, rules: TextRules): string {
  const masked = (e: Element) => rules.maskAll || e.closest(rules.maskSelector) !== null;
  if (el.closest(rules.blockSelector)) return '';
  let text = '';
  const tag = el.localName;
  if (tag === 'input') {
    const input = el as HTMLInputElement;
    if (!['button', 'submit', 'reset'].includes(input.type)) return '';
    text = masked(el) ? maskText(input.value) : input.value;
  } else if (tag === 'textarea' || tag === 'select') {
    return '';
  } else {
    const walker = el.ownerDocument.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n && text.length < MAX_TEXT * 4; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (!parent || NO_TEXT.test(parent.localName) || parent.closest(rules.blockSelector)) continue;
      const t = n.nodeValue ?? '';
      text += ` ${masked(parent) ? maskText(t) : t}`;
    }
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT);
}

export function clickPayload(ev: MouseEvent, el: Element, rules: TextRules, nodeId: number): ClickPayload {
  const r = el.getBoundingClientRect();
  const sx = window.scrollX;
  const sy = window.scrollY;
  // A click from the keyboard (Enter on a button) has no pointer position; its element's centre stands in.
  const keyboard = ev.detail === 0 && ev.clientX === 0 && ev.clientY === 0;
  const doc = el.ownerDocument.documentElement;
  const body = el.ownerDocument.body;
  return {
    url: location.href,
    selector: cssSelector(el),
    tag: el.localName,
    ...(el.localName === 'input' ? { inputType: (el as HTMLInputElement).type } : {}),
    ...((el as HTMLElement).isContentEditable ? { editable: true } : {}),
    text: clickText(el, rules),
    x: Math.round(keyboard ? r.left + r.width / 2 + sx : ev.pageX),
    y: Math.round(keyboard ? r.top + r.height / 2 + sy : ev.pageY),
    box: { x: Math.round(r.left + sx), y: Math.round(r.top + sy), width: Math.round(r.width), height: Math.round(r.height) },
    viewport: { width: window.innerWidth, height: window.innerHeight },
    document: { width: Math.max(doc.scrollWidth, body?.scrollWidth ?? 0), height: Math.max(doc.scrollHeight, body?.scrollHeight ?? 0) },
    ...(nodeId > 0 ? { nodeId } : {}),
  };
}
