import { RRWEB, RRWEB_SOURCE, type RecordedEvent } from '@loupe/contracts/recording';

/** rrweb's mask: one `*` per character. A value made only of them (or empty) reveals nothing. */
const isMasked = (v: unknown) => typeof v !== 'string' || /^\*+$/.test(v) || v === '';
const mask = (v: string) => '*'.repeat(v.length);

interface SerializedNode {
  id?: number;
  type?: number;
  tagName?: string;
  attributes?: Record<string, unknown>;
  childNodes?: SerializedNode[];
}

const isPasswordElement = (n: SerializedNode) =>
  typeof n.tagName === 'string' &&
  n.tagName.toLowerCase() === 'input' &&
  !!n.attributes &&
  ((typeof n.attributes['type'] === 'string' && n.attributes['type'].toLowerCase() === 'password') || 'data-rr-is-password' in n.attributes);

/**
 * Replaces, in place, every password value the batch carries unmasked: the `value` attribute of a
 * password input in a snapshot or a mutation, and the text of input events on a password input.
 * `known` holds the node ids of password inputs from the window's earlier batches (an input event
 * usually comes batches after the snapshot that introduced its field); ids found here are added to
 * it. Returns how many values were masked.
 */
export function maskPasswords(events: RecordedEvent[], known: Set<number>): number {
  let masked = 0;
  const visit = (n: SerializedNode | undefined) => {
    if (!n || typeof n !== 'object') return;
    if (isPasswordElement(n) && n.attributes) {
      if (typeof n.id === 'number') known.add(n.id);
      const value = n.attributes['value'];
      if (!isMasked(value)) {
        n.attributes['value'] = mask(value as string);
        masked++;
      }
    }
    if (Array.isArray(n.childNodes)) for (const c of n.childNodes) visit(c);
  };
  for (const e of events) {
    if (e.type === RRWEB.FullSnapshot) {
      visit((e.data as { node?: SerializedNode } | undefined)?.node);
      continue;
    }
    if (e.type !== RRWEB.IncrementalSnapshot) continue;
    const data = e.data as { source?: number; adds?: Array<{ node?: SerializedNode }>; attributes?: Array<{ id?: number; attributes?: Record<string, unknown> }>; id?: number; text?: unknown };
    if (data.source === RRWEB_SOURCE.Mutation) {
      for (const add of data.adds ?? []) visit(add.node);
      for (const change of data.attributes ?? []) {
        const attrs = change.attributes;
        if (!attrs || typeof change.id !== 'number') continue;
        if (typeof attrs['type'] === 'string' && attrs['type'].toLowerCase() === 'password') known.add(change.id);
        if (known.has(change.id) && 'value' in attrs && !isMasked(attrs['value'])) {
          attrs['value'] = mask(attrs['value'] as string);
          masked++;
        }
      }
    } else if (data.source === RRWEB_SOURCE.Input && typeof data.id === 'number' && known.has(data.id) && !isMasked(data.text)) {
      data.text = mask(data.text as string);
      masked++;
    }
  }
  return masked;
}

/** Whether the batch has anything an earlier batch's password ids are needed for (saves a query otherwise). */
export function mayCarryInputValues(events: RecordedEvent[]): boolean {
  return events.some((e) => {
    if (e.type !== RRWEB.IncrementalSnapshot) return false;
    const d = e.data as { source?: number; attributes?: unknown[] } | undefined;
    return d?.source === RRWEB_SOURCE.Input || (d?.source === RRWEB_SOURCE.Mutation && (d.attributes?.length ?? 0) > 0);
  });
}
