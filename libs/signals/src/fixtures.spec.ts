import { readFileSync } from 'node:fs';
import { SignalSettings } from '@loupe/contracts';
import type { RecordedEvent } from '@loupe/contracts/recording';
import { analyzeChunk } from '@loupe/replay';
import { describe, expect, it } from 'vitest';
import { detectSignals } from './detect';
import { signalInputsOf, type ChunkSignalInputs } from './inputs';

// Real recordings published by rrweb's maintainers; shared/ sits beside the repository's root.
const load = (name: string): RecordedEvent[] =>
  JSON.parse(readFileSync(new URL(`../../../../shared/fixtures/rrweb/${name}`, import.meta.url), 'utf8')) as RecordedEvent[];

/** Cut like an import: batches of `size` events, each analysed with the page the one before ended on. */
function chunked(events: RecordedEvent[], size: number): ChunkSignalInputs[] {
  const out: ChunkSignalInputs[] = [];
  let url: string | undefined;
  for (let i = 0, seq = 0; i < events.length; i += size, seq++) {
    const part = events.slice(i, i + size);
    const analysis = analyzeChunk({ seq }, part, url ? { url } : {});
    url = analysis.lastUrl ?? url;
    out.push(signalInputsOf({ seq }, part, analysis.events, { loupe: analysis.facts.loupe }));
  }
  return out;
}

const defaults = SignalSettings.defaults;
const secondsIn = (events: RecordedEvent[], ts: number) => Math.round((ts - events[0]!.timestamp) / 100) / 10;

describe('signals on real recordings', () => {
  const desktop = load('demoit-desktop-81s.json');
  const mobile = load('smartx-mobile-166s.json');

  it('finds nothing to flag in the desktop recording: each of its three clicks changed the page', () => {
    const [whole] = chunked(desktop, desktop.length);
    // Read from the events: the editor redraws 355 ms after the first click and 359 ms after the
    // second; the third (on the tab bar) moves focus to itself at once, which is not an effect, and
    // changes the DOM 7 ms later.
    expect(whole!.clicks.map((c) => c.after.change)).toEqual([355, 359, 7]);
    for (const size of [desktop.length, 100, 20]) expect(detectSignals(chunked(desktop, size), defaults, { ended: true })).toEqual([]);
  });

  it('finds nothing to flag in the mobile recording with the defaults, whatever the batch size', () => {
    const [whole] = chunked(mobile, mobile.length);
    // Every tap is followed by a DOM change within 63 ms (menus opening, links loading).
    expect(whole!.clicks.map((c) => c.after.change)).toEqual([62, 13, 23, 62, 63, 6, 14, 46]);
    for (const size of [mobile.length, 100, 20]) expect(detectSignals(chunked(mobile, size), defaults, { ended: true })).toEqual([]);
  });

  it('finds the busiest stretch of scrolling in the mobile recording just below the default', () => {
    // 100–108 s: down 3,446 px, up 566, down 3,625, up 316, down 511, then back to the top. Five
    // reversals in 7.8 s with no tap: the default asks for six, so that scanning a long page is not
    // flagged; with five the stretch is found, once, whatever the batches.
    const five = { ...defaults, excessiveScroll: { ...defaults.excessiveScroll, minReversals: 5 } };
    for (const size of [mobile.length, 50, 20]) {
      const signals = detectSignals(chunked(mobile, size), five, { ended: true });
      expect(signals.map((s) => [s.kind, secondsIn(mobile, s.ts), s.details])).toEqual([['excessive_scroll', 100.4, { reversals: 5, durationMs: 7773, node: 1 }]]);
      expect(signals[0]!.url).toBe('https://www.smartx.com/halo/');
    }
  });

  it('keeps a few kilobytes of inputs per recording, not the recording', () => {
    for (const events of [desktop, mobile]) {
      const inputs = JSON.stringify(chunked(events, 50));
      expect(inputs.length).toBeLessThan(JSON.stringify(events).length / 50);
    }
  });
});
