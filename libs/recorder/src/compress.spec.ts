import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gzip, gzipNow, utf8 } from './compress';

const text = JSON.stringify({ events: Array.from({ length: 500 }, (_, i) => ({ type: 3, timestamp: i, data: { text: 'héllo wörld ✓' } })) });

describe('gzip', () => {
  it('compresses with the platform’s CompressionStream, readable by any gunzip', async () => {
    const body = await gzip(utf8(text));
    expect(body.length).toBeLessThan(text.length / 5);
    expect(gunzipSync(body).toString('utf8')).toBe(text);
  });

  it('compresses synchronously for a closing page, and can store without compressing', () => {
    expect(gunzipSync(gzipNow(utf8(text))).toString('utf8')).toBe(text);
    const stored = gzipNow(utf8(text), 0);
    expect(stored.length).toBeGreaterThan(utf8(text).length);
    expect(gunzipSync(stored).toString('utf8')).toBe(text);
  });
});
