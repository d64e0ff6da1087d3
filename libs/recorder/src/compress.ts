import { gzipSync } from 'fflate';

let encoder: TextEncoder | undefined;

export function utf8(text: string): Uint8Array {
  encoder ??= new TextEncoder();
  return encoder.encode(text);
}

/** Synchronous gzip, for a page being hidden or closed, when no promise may be awaited. */
export function gzipNow(data: Uint8Array, level: 0 | 6 = 6): Uint8Array {
  return gzipSync(data, { level, mtime: 0 });
}

/** The browser's native gzip, off the main thread's JavaScript; fflate where it is missing. */
export async function gzip(data: Uint8Array): Promise<Uint8Array> {
  if (typeof CompressionStream === 'function') {
    try {
      const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'));
      return new Uint8Array(await new Response(stream).arrayBuffer());
    } catch {
      // Fall through to fflate: a browser may expose CompressionStream but refuse gzip.
    }
  }
  return gzipNow(data);
}
