import { z } from 'zod';
import { settingsSection } from './settings-section';
import { SIGNAL_KINDS } from './signal-kinds';

export { SIGNAL_KINDS, SIGNAL_LABELS } from './signal-kinds';
export const SignalKind = z.enum(SIGNAL_KINDS);
export type SignalKind = z.infer<typeof SignalKind>;

const ms = (max: number) => z.number().int().min(1).max(max);

/**
 * When each signal is raised. The defaults follow what established tools use (see docs/signals.md):
 * rage clicks as PostHog and Statsig define them, dead-click windows as theirs, the rest measured on
 * real recordings.
 */
export const SignalSettings = settingsSection(
  {
    rageClick: z.strictObject({
      /** Clicks in one burst. */
      minClicks: z.number().int().min(2).max(50),
      /** Longest pause between two clicks of a burst. */
      maxIntervalMs: ms(10_000),
      /** Farthest a click of a burst may land from the one before it. */
      radiusPx: z.number().min(1).max(1000),
    }),
    deadClick: z.strictObject({
      /** A DOM change, navigation, focus change or input this soon after the click means it did something. */
      mutationWindowMs: ms(30_000),
      /** A scroll this soon after the click means it did something (later scrolling is the visitor's own). */
      scrollWindowMs: ms(30_000),
      /** A change of text selection this soon after the click means it did something. */
      selectionWindowMs: ms(30_000),
    }),
    errorClick: z.strictObject({ windowMs: ms(30_000) }),
    uTurn: z.strictObject({
      /** Longest stay on a page before coming back to the one before it. */
      maxDwellMs: ms(120_000),
    }),
    excessiveScroll: z.strictObject({
      minReversals: z.number().int().min(2).max(100),
      windowMs: ms(120_000),
      /** A movement shorter than this between two reversals is a bounce, not a change of mind. */
      minDistancePx: z.number().min(0).max(100_000),
    }),
    thrashedCursor: z.strictObject({
      minReversals: z.number().int().min(2).max(100),
      windowMs: ms(30_000),
      minDistancePx: z.number().min(0).max(10_000),
      /** Average horizontal speed of each swing, in pixels per millisecond (1 = 1000 px/s). */
      minSpeedPxPerMs: z.number().min(0).max(100),
    }),
  },
  {
    rageClick: { minClicks: 3, maxIntervalMs: 1000, radiusPx: 30 },
    deadClick: { mutationWindowMs: 2500, scrollWindowMs: 100, selectionWindowMs: 100 },
    errorClick: { windowMs: 1000 },
    uTurn: { maxDwellMs: 7000 },
    excessiveScroll: { minReversals: 6, windowMs: 10_000, minDistancePx: 100 },
    thrashedCursor: { minReversals: 6, windowMs: 2000, minDistancePx: 50, minSpeedPxPerMs: 1 },
  },
);
export type SignalThresholds = z.infer<typeof SignalSettings.schema>;

export const SignalView = z.object({
  kind: SignalKind,
  ts: z.string(),
  url: z.string().nullable(),
  pageKey: z.string().nullable(),
  selector: z.string().nullable(),
  text: z.string().nullable(),
  x: z.number().nullable(),
  y: z.number().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type SignalView = z.infer<typeof SignalView>;
