import type { HeatmapSnapshot } from '@loupe/contracts';
import { Replayer, type eventWithTime } from 'rrweb';
import { apiRequest } from '../api';
import { context2d } from './density';

const FULL_SNAPSHOT = 2;
const META = 4;
/** Changes recorded this soon after the snapshot (late styles, content filled in) are part of the page. */
const SETTLE_MS = 1000;

export interface Background {
  iframe: HTMLIFrameElement;
  document: Document;
  width: number;
  height: number;
  /** The recorded viewport's height: where the fold is. */
  fold: number;
  destroy(): void;
}

/**
 * Rebuilds a recorded full snapshot with rrweb's Replayer, paused, inside its sandboxed iframe
 * (`allow-same-origin` only: recorded scripts never run), at the recorded width and stretched to
 * the document's full height, so the heat layer covers the whole page.
 */
export async function buildBackground(root: HTMLElement, projectId: string, snap: HeatmapSnapshot, signal: AbortSignal): Promise<Background> {
  const body = await apiRequest<{ events?: eventWithTime[] }>(
    `/api/v1/sessions/${encodeURIComponent(snap.sessionId)}/chunks/${encodeURIComponent(snap.windowId)}/${snap.seq}?project=${projectId}`,
    { signal },
  );
  const all = Array.isArray(body?.events) ? body.events : [];
  const at = all.findIndex((e) => e.type === FULL_SNAPSHOT && e.timestamp === snap.ts);
  if (at < 0) throw new Error('This snapshot is no longer stored. Pick another one.');
  const before = all[at - 1];
  const meta =
    before && before.type === META
      ? before
      : ({ type: META, timestamp: snap.ts, data: { href: snap.url, width: snap.viewportWidth ?? 1280, height: 800 } } as unknown as eventWithTime);
  const after = all.slice(at + 1).filter((e) => e.timestamp <= snap.ts + SETTLE_MS && e.type !== FULL_SNAPSHOT && e.type !== META);
  const snapshot = all[at];
  if (!snapshot) throw new Error('This snapshot is no longer stored. Pick another one.');
  const events = [meta, snapshot, ...after];
  root.replaceChildren();
  const replayer = new Replayer(events, {
    root,
    UNSAFE_replayCanvas: false,
    triggerFocus: false,
    showWarning: false,
    mouseTail: false,
    speed: 1,
  });
  // The last event kept is the snapshot or a change settled after it: pausing there shows the page as it settled.
  const last = after[after.length - 1] ?? snapshot;
  replayer.pause(last.timestamp - meta.timestamp);
  const iframe = replayer.iframe;
  const doc = iframe.contentDocument;
  if (!doc) throw new Error('The page could not be rebuilt in this browser.');
  const metaData = (meta as unknown as { data: { width?: number; height?: number } }).data;
  const width = metaData.width ?? snap.viewportWidth ?? 1280;
  const fold = metaData.height ?? 800;
  // Images and fonts may still change the height: measure once they had a moment.
  await new Promise((r) => setTimeout(r, 300));
  const height = Math.max(fold, doc.documentElement.scrollHeight, doc.body?.scrollHeight ?? 0);
  iframe.setAttribute('width', String(width));
  iframe.setAttribute('height', String(height));
  iframe.style.width = `${width}px`;
  iframe.style.height = `${height}px`;
  iframe.contentWindow?.scrollTo(0, 0);
  return { iframe, document: doc, width, height, fold, destroy: () => replayer.destroy() };
}

/** Where an element of the rebuilt page lies, in page coordinates, or null when the snapshot does not have it. */
export function boxOf(doc: Document, selector: string): { x: number; y: number; width: number; height: number } | null {
  let el: Element | null;
  try {
    el = doc.querySelector(selector);
  } catch {
    return null;
  }
  if (!el) return null;
  const r = el.getBoundingClientRect();
  const win = doc.defaultView;
  return { x: r.left + (win?.scrollX ?? 0), y: r.top + (win?.scrollY ?? 0), width: r.width, height: r.height };
}

/**
 * The rebuilt page as an image: its DOM drawn through an SVG `foreignObject` (styles are inline in
 * rrweb snapshots; images from other origins are left out), then the heat layer over it.
 */
export async function exportPng(bg: Background, layer: HTMLCanvasElement): Promise<Blob> {
  const out = document.createElement('canvas');
  out.width = bg.width;
  out.height = bg.height;
  const ctx = context2d(out);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  try {
    const clone = bg.document.documentElement.cloneNode(true) as HTMLElement;
    clone.querySelectorAll('img, iframe, video, script, link').forEach((n) => n.remove());
    const xhtml = new XMLSerializer().serializeToString(clone);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${bg.width}" height="${bg.height}"><foreignObject width="100%" height="100%">${xhtml}</foreignObject></svg>`;
    const img = new Image();
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
    await img.decode();
    ctx.drawImage(img, 0, 0);
  } catch {
    // The page could not be drawn: the layer alone, on white, is still the heatmap.
  }
  ctx.drawImage(layer, 0, 0);
  try {
    return await new Promise<Blob>((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('no image'))), 'image/png'));
  } catch {
    // A browser that treats the drawn page as foreign content: export the layer on white.
    const plain = document.createElement('canvas');
    plain.width = bg.width;
    plain.height = bg.height;
    const p = context2d(plain);
    p.fillStyle = '#fff';
    p.fillRect(0, 0, plain.width, plain.height);
    p.drawImage(layer, 0, 0);
    return new Promise<Blob>((resolve, reject) => plain.toBlob((b) => (b ? resolve(b) : reject(new Error('The image could not be made.'))), 'image/png'));
  }
}
