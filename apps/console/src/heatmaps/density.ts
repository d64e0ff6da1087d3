/**
 * Drawing heatmap layers on a canvas. The density is a sum of gaussian stamps, one per cell weighted
 * by its count, coloured through a palette from blue (few) to red (most): the way simpleheat and
 * heatmap.js draw, in a few lines, without adding either to the console.
 */

export interface WeightedPoint {
  x: number;
  y: number;
  weight: number;
}

let palette: Uint8ClampedArray | null = null;

/**
 * A canvas's 2D context. Browsers give none only when the canvas already holds another kind of
 * context, which the console never asks for.
 */
export function context2d(canvas: HTMLCanvasElement, options?: CanvasRenderingContext2DSettings): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d', options);
  if (!ctx) throw new Error('This browser could not draw on the page: its canvas has no 2D context.');
  return ctx;
}

/** A byte the loop's bounds keep within the array. */
function byteAt(bytes: Uint8ClampedArray, i: number): number {
  const b = bytes[i];
  if (b === undefined) throw new RangeError(`Byte ${i} is beyond an array of ${bytes.length}.`);
  return b;
}

/** 256 colours from transparent blue through cyan, lime and yellow to red. */
function paletteOf(): Uint8ClampedArray {
  if (palette) return palette;
  const c = document.createElement('canvas');
  c.width = 256;
  c.height = 1;
  const ctx = context2d(c);
  const g = ctx.createLinearGradient(0, 0, 256, 0);
  g.addColorStop(0.0, 'rgb(0, 0, 255)');
  g.addColorStop(0.25, 'rgb(0, 255, 255)');
  g.addColorStop(0.5, 'rgb(0, 255, 0)');
  g.addColorStop(0.75, 'rgb(255, 255, 0)');
  g.addColorStop(1.0, 'rgb(255, 0, 0)');
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, 256, 1);
  palette = ctx.getImageData(0, 0, 256, 1).data;
  return palette;
}

function stampOf(radius: number): HTMLCanvasElement {
  const stamp = document.createElement('canvas');
  stamp.width = stamp.height = radius * 2;
  const ctx = context2d(stamp);
  const g = ctx.createRadialGradient(radius, radius, 0, radius, radius, radius);
  // A gaussian falling to ~1% at the edge.
  for (let i = 0; i <= 10; i++) {
    const t = i / 10;
    g.addColorStop(t, `rgba(0, 0, 0, ${Math.exp(-4.6 * t * t).toFixed(3)})`);
  }
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, radius * 2, radius * 2);
  return stamp;
}

/** Draws the density of the points over the whole canvas (cleared first). */
export function drawDensity(canvas: HTMLCanvasElement, points: readonly WeightedPoint[], radius = 24): void {
  const ctx = context2d(canvas, { willReadFrequently: true });
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!points.length || !canvas.width || !canvas.height) return;
  const max = Math.max(...points.map((p) => p.weight));
  const stamp = stampOf(radius);
  for (const p of points) {
    // Rare cells stay visible: a single click is a faint but present spot.
    ctx.globalAlpha = Math.min(1, Math.max(0.08, p.weight / max));
    ctx.drawImage(stamp, p.x - radius, p.y - radius);
  }
  ctx.globalAlpha = 1;
  const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const px = image.data;
  const colours = paletteOf();
  for (let i = 3; i < px.length; i += 4) {
    const a = byteAt(px, i);
    // The stamps' faint square edges would otherwise show as tinted boxes.
    if (a < 10) {
      px[i] = 0;
      continue;
    }
    const o = a * 4;
    // The palette holds 256 colours of 4 bytes: any alpha byte picks one of them.
    px[i - 3] = byteAt(colours, o);
    px[i - 2] = byteAt(colours, o + 1);
    px[i - 1] = byteAt(colours, o + 2);
    px[i] = Math.min(230, 40 + a);
  }
  ctx.putImageData(image, 0, 0);
}

/** The colour of a share (0–1) on the scroll map: red where everyone was, blue where few were. */
export function reachColour(share: number, alpha = 0.45): string {
  const hue = Math.round(240 * (1 - Math.min(1, Math.max(0, share))));
  return `hsla(${hue}, 90%, 50%, ${alpha})`;
}

/**
 * The scroll map: each band of the page tinted by the share of page views that reached it, the
 * fold (the bottom of the first screen) as a dashed line, and the share at every quarter.
 */
export function drawScrollMap(canvas: HTMLCanvasElement, reach: readonly number[], fold: number): void {
  const ctx = context2d(canvas);
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  if (!height) return;
  const band = 4;
  for (let y = 0; y < height; y += band) {
    const depth = Math.min(100, Math.floor(((y + band) / height) * 100));
    ctx.fillStyle = reachColour(reach[depth] ?? 0);
    ctx.fillRect(0, y, width, band);
  }
  ctx.setLineDash([10, 6]);
  ctx.strokeStyle = '#111';
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(0, fold);
  ctx.lineTo(width, fold);
  ctx.stroke();
  ctx.setLineDash([]);
  const label = (text: string, y: number) => {
    ctx.font = '600 16px system-ui, sans-serif';
    const w = ctx.measureText(text).width + 16;
    ctx.fillStyle = 'rgba(17, 17, 17, 0.85)';
    ctx.fillRect(8, y - 24, w, 24);
    ctx.fillStyle = '#fff';
    ctx.fillText(text, 16, y - 7);
  };
  label('Fold', Math.max(24, Math.min(height, fold)));
  for (const depth of [25, 50, 75, 100]) {
    const y = Math.max(24, (depth / 100) * height);
    label(`${depth}% of the page: ${Math.round((reach[depth] ?? 0) * 100)}% of views`, y);
  }
}

export interface ZoneBox {
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
  /** 0–1, for the outline's colour. */
  heat: number;
}

export function drawZones(canvas: HTMLCanvasElement, zones: readonly ZoneBox[]): void {
  const ctx = context2d(canvas);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  for (const z of zones) {
    ctx.fillStyle = reachColour(z.heat, 0.3);
    ctx.fillRect(z.x, z.y, z.width, z.height);
    ctx.strokeStyle = reachColour(z.heat, 1);
    ctx.lineWidth = 2;
    ctx.strokeRect(z.x, z.y, z.width, z.height);
    ctx.font = '600 13px system-ui, sans-serif';
    const w = ctx.measureText(z.label).width + 10;
    ctx.fillStyle = 'rgba(17, 17, 17, 0.85)';
    ctx.fillRect(z.x, Math.max(0, z.y - 20), w, 20);
    ctx.fillStyle = '#fff';
    ctx.fillText(z.label, z.x + 5, Math.max(14, z.y - 6));
  }
}
