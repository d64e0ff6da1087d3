import { z } from 'zod';

const Instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time such as 2026-11-22T08:00:00Z' });
const ProjectId = z.uuid({ message: 'must be the id of one of your projects' });
const Label = z.string().trim().min(1).max(120).optional();

/**
 * One step of a funnel. A page matches by page key (as in GET /api/v1/pages) or by a URL pattern
 * where `*` stands for any text; a custom event by its `Loupe.track` name and, optionally, property
 * values that must all be equal; a click by the element's selector or its text (either or both).
 */
export const FunnelStep = z.discriminatedUnion('type', [
  z
    .strictObject({
      type: z.literal('page'),
      pageKey: z.string().trim().min(1).max(500).optional(),
      urlPattern: z.string().trim().min(1).max(500).optional(),
      label: Label,
    })
    .refine((s) => !!s.pageKey !== !!s.urlPattern, { message: 'a page step needs exactly one of pageKey (such as /product/:id) or urlPattern (such as */checkout*)' }),
  z.strictObject({
    type: z.literal('event'),
    name: z.string().trim().min(1).max(200),
    props: z.record(z.string().min(1).max(100), z.union([z.string().max(500), z.number(), z.boolean()])).optional(),
    label: Label,
  }),
  z
    .strictObject({
      type: z.literal('click'),
      selector: z.string().trim().min(1).max(500).optional(),
      text: z.string().trim().min(1).max(500).optional(),
      label: Label,
    })
    .refine((s) => !!s.selector || !!s.text, { message: 'a click step needs a selector, a text, or both' }),
]);
export type FunnelStep = z.infer<typeof FunnelStep>;

export const FUNNEL_ORDERS = ['strict', 'loose'] as const;
export const FUNNEL_COUNTS = ['session', 'visitor'] as const;

export const FunnelInput = z.strictObject({
  name: z.string().trim().min(1, 'a funnel needs a name').max(200),
  steps: z.array(FunnelStep).min(2, 'a funnel needs at least two steps').max(20, 'a funnel has at most 20 steps'),
  /** Time allowed from the first step to the last, in milliseconds (default one hour). */
  windowMs: z.coerce.number().int().min(1000, 'the window is at least 1000 ms').max(90 * 24 * 3600_000, 'the window is at most 90 days').default(3600_000),
  /** `strict`: the steps in the given order; `loose`: in any order. */
  order: z.enum(FUNNEL_ORDERS, { message: 'must be strict or loose' }).default('strict'),
  /** Count sessions, or visitors (whose steps may span several sessions). */
  countBy: z.enum(FUNNEL_COUNTS, { message: 'must be session or visitor' }).default('session'),
});
export type FunnelInput = z.infer<typeof FunnelInput>;

export const Funnel = FunnelInput.extend({
  id: z.uuid(),
  projectId: z.uuid(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** False while the stored sessions are being matched against a new or edited funnel. */
  ready: z.boolean(),
});
export type Funnel = z.infer<typeof Funnel>;

export const FUNNEL_BREAKDOWNS = ['device', 'browser', 'entryPage', 'variant'] as const;

export const FunnelResultsQuery = z.strictObject({
  project: ProjectId,
  from: Instant.optional(),
  to: Instant.optional(),
  /** Results per device class, browser, entry page, or experiment variant (`variant` needs `experiment`). */
  breakdown: z.enum(FUNNEL_BREAKDOWNS, { message: `must be one of ${FUNNEL_BREAKDOWNS.join(', ')}` }).optional(),
  experiment: z.string().min(1).max(200).optional(),
  /** How many dropped sessions to list per step. */
  sessions: z.coerce.number().int().min(0).max(200).default(20),
});
export type FunnelResultsQuery = z.infer<typeof FunnelResultsQuery>;

export interface FunnelStepResult {
  step: number;
  label: string;
  /** Sessions (or visitors) that did this step, having done the ones before it. */
  entered: number;
  /** Of those, how many went on to the next step (for the last step: the same as entered). */
  converted: number;
  dropped: number;
  conversionFromPrevious: number | null;
  conversionFromStart: number | null;
  medianMsToConvert: number | null;
  p90MsToConvert: number | null;
}

export interface FunnelDropOff {
  /** After this step the dropped sessions went no further. */
  step: number;
  /** Next pages and signals are counted over the latest dropped sessions, at most 2,000: how many that was. */
  analysed: number;
  nextPages: Array<{ pageKey: string; sessions: number }>;
  signals: Array<{ kind: string; count: number; sessions: number }>;
  sessions: Array<{ sessionId: string; visitorId: string; startedAt: string; stepAt: string; offsetMs: number }>;
}

export interface FunnelResults {
  funnel: Funnel;
  from: string;
  to: string;
  total: number;
  steps: FunnelStepResult[];
  dropOffs: FunnelDropOff[];
  breakdown?: Array<{ value: string | null; total: number; steps: Array<{ entered: number; conversionFromStart: number | null }> }>;
}

export const AutocompleteQuery = z.strictObject({
  project: ProjectId,
  type: z.enum(['page', 'event', 'click'], { message: 'must be page, event or click' }),
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type AutocompleteQuery = z.infer<typeof AutocompleteQuery>;

export const PathsQuery = z
  .strictObject({
    project: ProjectId,
    from: Instant.optional(),
    to: Instant.optional(),
    /** Page key the journeys start from (the next pages follow), or… */
    start: z.string().min(1).max(500).optional(),
    /** …page key the journeys end at (the previous pages lead to it). */
    end: z.string().min(1).max(500).optional(),
    depth: z.coerce.number().int().min(1).max(6).default(3),
    /** Pages kept per level; the rest are grouped as `(other)`. */
    width: z.coerce.number().int().min(1).max(20).default(5),
  })
  .refine((q) => !!q.start !== !!q.end, { message: 'give exactly one of start or end (a page key such as /cart)', path: ['start'] });
export type PathsQuery = z.infer<typeof PathsQuery>;

export interface PathNode {
  id: string;
  level: number;
  pageKey: string;
  sessions: number;
  /** Sessions whose visit ended (or, with `end`, began) here. */
  exits: number;
}
export interface PathsResult {
  from: string;
  to: string;
  direction: 'next' | 'previous';
  nodes: PathNode[];
  links: Array<{ source: string; target: string; sessions: number }>;
}

export const METRIC_INTERVALS = ['hour', 'day', 'week', 'month'] as const;

export const MetricsQuery = z.strictObject({
  project: ProjectId,
  from: Instant.optional(),
  to: Instant.optional(),
  interval: z.enum(METRIC_INTERVALS, { message: 'must be hour, day, week or month' }).default('day'),
  device: z.enum(['desktop', 'tablet', 'mobile']).optional(),
  browser: z.string().min(1).max(100).optional(),
  /** Click-through rate: sessions that clicked this selector per session that viewed a page it was clicked on. */
  clickSelector: z.string().min(1).max(500).optional(),
  /** Conversion goal: a custom event name, or a page key starting with `/`. */
  goal: z.string().min(1).max(500).optional(),
  /** Cart abandonment: sessions that did `cartStep` (page key or event) but not `checkoutStep` after it. */
  cartStep: z.string().min(1).max(500).optional(),
  checkoutStep: z.string().min(1).max(500).optional(),
});
export type MetricsQuery = z.infer<typeof MetricsQuery>;

export interface MetricsPoint {
  start: string;
  sessions: number;
  pageViews: number;
  uniqueVisitors: number;
  newVisitors: number;
  returningVisitors: number;
  pagesPerSession: number | null;
  avgSessionMs: number | null;
  medianSessionMs: number | null;
  avgActiveMs: number | null;
  medianActiveMs: number | null;
  bounceRate: number | null;
  logins: number;
}

export interface MetricsResult {
  from: string;
  to: string;
  interval: (typeof METRIC_INTERVALS)[number];
  totals: Omit<MetricsPoint, 'start'>;
  series: MetricsPoint[];
  /** Per page key; `medianScrollDepth` is the median of each view's deepest scroll (0–1), null when no view reported one. */
  timeOnPage: Array<{ pageKey: string; views: number; avgMs: number; medianMs: number; medianScrollDepth: number | null }>;
  exitPages: Array<{ pageKey: string; exits: number; views: number; exitRate: number }>;
  featureUsage: Array<{ name: string; count: number; sessions: number }>;
  clickThrough: { selector: string; sessions: number; clicked: number; rate: number | null } | null;
  conversion: { goal: string; sessions: number; converted: number; rate: number | null } | null;
  cartAbandonment: { cartStep: string; checkoutStep: string; carts: number; checkouts: number; rate: number | null } | null;
}
