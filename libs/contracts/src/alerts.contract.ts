import { z } from 'zod';
import { settingsSection } from './settings-section';

export const ALERT_METRICS = ['rage_click_rate', 'error_rate'] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];

/**
 * When a page's rage clicks or errors per view rise well above that page's own recent level, a
 * message goes to a webhook (Slack-compatible JSON). See docs/signals.md.
 */
export const AlertSettings = settingsSection(
  {
    /** Where to send alerts; empty turns them off. Slack incoming webhooks and anything that takes the same JSON. */
    webhookUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://hooks.slack.com/services/…' })]),
    metrics: z.array(z.enum(ALERT_METRICS)).max(ALERT_METRICS.length),
    /** The recent stretch compared with the baseline. */
    windowMinutes: z.number().int().min(15).max(24 * 60),
    /** The stretch before it that says what is normal for the page. */
    baselineDays: z.number().int().min(1).max(90),
    /** How many times its baseline rate a page's rate must reach. */
    factor: z.number().min(1.1).max(1000),
    /** Views a page needs in the window, and in the baseline, before its rates are trusted. */
    minViews: z.number().int().min(1).max(1_000_000),
    /** A rate below this never alerts, however low the baseline (per view). */
    minRate: z.number().min(0).max(100),
    /** After an alert, the same page and metric stay quiet this long. */
    cooldownMinutes: z.number().int().min(5).max(7 * 24 * 60),
  },
  { webhookUrl: '', metrics: ['rage_click_rate', 'error_rate'], windowMinutes: 60, baselineDays: 7, factor: 3, minViews: 30, minRate: 0.05, cooldownMinutes: 360 },
);
export type AlertThresholds = z.infer<typeof AlertSettings.schema>;
