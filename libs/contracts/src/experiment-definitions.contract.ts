import { z } from 'zod';
import type { ComparisonResult } from './experiments.contract';
import { SIGNAL_KINDS } from './signal-kinds';

// Experiments as stored (`/api/v1/experiments`), their metrics, and what their results look like.
// The statistics themselves come from the engine of `POST /api/v1/experiments/analyze`.

export const EXPERIMENT_STATUSES = ['draft', 'running', 'stopped'] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

const Key = z
  .string({ message: 'must be a string' })
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'must start with a letter or digit and hold only letters, digits, "_", ".", ":" and "-"');
const Name = z.string({ message: 'must be a string' }).trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
const Instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time such as 2026-11-22T08:00:00Z' });

/** Per-visitor values above this percentile of the non-zero values are lowered to it (outliers). */
const Cap = z.strictObject({
  percentile: z.number({ message: 'must be a number' }).gt(0.5, 'must be above 0.5, such as 0.99').lt(1, 'must be below 1, such as 0.99'),
});

const common = {
  key: Key,
  name: Name.optional(),
  /** Lower is better; each kind has its own default (true for frustration, false otherwise). */
  inverse: z.boolean().optional(),
};

/** Visitors who did a custom event (`Loupe.track(event)`) or viewed a page (a page key, as in GET /api/v1/pages) after exposure. */
export const ConversionMetric = z
  .strictObject({ ...common, kind: z.literal('conversion'), event: z.string().min(1).max(200).optional(), page: z.string().min(1).max(500).optional() })
  .refine((m) => !m.event !== !m.page, { message: 'needs either an event or a page (not both): what counts as converting', path: ['event'] });

/** Visitors who reached the last step of a funnel after exposure. */
export const FunnelMetric = z.strictObject({ ...common, kind: z.literal('funnel'), funnel: z.string().min(1).max(200) });

/** A numeric property of a custom event, summed per visitor (revenue per visitor) or averaged over the events (order value). */
export const PropertyMetric = z.strictObject({
  ...common,
  kind: z.literal('property'),
  event: z.string().min(1).max(200),
  property: z.string().min(1).max(200),
  aggregate: z.enum(['sum', 'mean'], { message: 'must be "sum" (per visitor) or "mean" (per event)' }).default('sum'),
  cap: Cap.optional(),
});

/** Time on page (page views after exposure, optionally of one page key) or session duration (sessions going on after exposure), in milliseconds. */
export const DurationMetric = z.strictObject({
  ...common,
  kind: z.literal('duration'),
  of: z.enum(['page', 'session'], { message: 'must be "page" (time on page) or "session" (session duration)' }),
  page: z.string().min(1).max(500).optional(),
  cap: Cap.optional(),
});

/** The share of sessions after exposure with a frustration signal (of one kind, or any). */
export const FrustrationMetric = z.strictObject({
  ...common,
  kind: z.literal('frustration'),
  signal: z.enum(SIGNAL_KINDS, { message: `must be one of ${SIGNAL_KINDS.join(', ')}` }).optional(),
});

/** The mean score (NPS as −1/0/+1 per answer, so its mean × 100 is the NPS) of the answers of exposed visitors. */
export const FeedbackMetric = z.strictObject({
  ...common,
  kind: z.literal('feedback'),
  score: z.enum(['nps', 'csat', 'ces'], { message: 'must be "nps", "csat" or "ces"' }),
  survey: z.uuid({ message: 'must be the id of a survey' }).optional(),
});

export const MetricDefinition = z.discriminatedUnion('kind', [ConversionMetric, FunnelMetric, PropertyMetric, DurationMetric, FrustrationMetric, FeedbackMetric], {
  message: 'must have a kind of "conversion", "funnel", "property", "duration", "frustration" or "feedback"',
});
export type MetricDefinition = z.infer<typeof MetricDefinition>;
export type MetricKind = MetricDefinition['kind'];

export const ExperimentVariantDefinition = z.strictObject({
  key: Key,
  name: Name.optional(),
  /** The share of visitors sent to this variant; all add up to 1. */
  weight: z.number({ message: 'must be a number' }).gt(0, 'must be above 0').max(1, 'must be at most 1'),
});

const ExperimentFields = z.strictObject({
  key: Key,
  name: Name,
  hypothesis: z.string().max(2000, 'must be at most 2000 characters').optional(),
  status: z.enum(EXPERIMENT_STATUSES, { message: 'must be "draft", "running" or "stopped"' }).default('draft'),
  /** The first variant is the control. */
  variants: z.array(ExperimentVariantDefinition).min(2, 'needs a control and at least one other variant').max(20, 'must be at most 20 variants'),
  /** Exposures and events before this moment are left out. */
  startAt: Instant.nullable().optional(),
  /** Exposures and events from this moment are left out. */
  endAt: Instant.nullable().optional(),
  primaryMetric: MetricDefinition,
  secondaryMetrics: z.array(MetricDefinition).max(20, 'must be at most 20 metrics').default([]),
  /** Metrics that must not get worse: a significant loss is shown as a failed guardrail. */
  guardrailMetrics: z.array(MetricDefinition).max(20, 'must be at most 20 metrics').default([]),
});

const WEIGHT_SLACK = 0.001;

export const ExperimentDefinition = ExperimentFields.superRefine((e, ctx) => {
  const add = (path: Array<string | number>, message: string) => ctx.addIssue({ code: 'custom', path, message });
  const keys = new Set<string>();
  e.variants.forEach((v, i) => {
    if (keys.has(v.key)) add(['variants', i, 'key'], `repeats "${v.key}": each variant needs its own key`);
    keys.add(v.key);
  });
  const weights = e.variants.reduce((s, v) => s + v.weight, 0);
  if (Math.abs(weights - 1) > WEIGHT_SLACK) add(['variants'], `weights must add up to 1; they add up to ${+weights.toPrecision(6)}`);
  const metricKeys = new Set<string>();
  const check = (m: MetricDefinition, path: Array<string | number>) => {
    if (metricKeys.has(m.key)) add([...path, 'key'], `repeats "${m.key}": each metric needs its own key`);
    metricKeys.add(m.key);
  };
  check(e.primaryMetric, ['primaryMetric']);
  e.secondaryMetrics.forEach((m, i) => check(m, ['secondaryMetrics', i]));
  e.guardrailMetrics.forEach((m, i) => check(m, ['guardrailMetrics', i]));
  if (e.startAt && e.endAt && Date.parse(e.endAt) <= Date.parse(e.startAt)) add(['endAt'], 'must be after startAt');
});
export type ExperimentDefinition = z.infer<typeof ExperimentDefinition>;

export interface Experiment {
  id: string;
  projectId: string;
  key: string;
  name: string;
  hypothesis: string | null;
  status: ExperimentStatus;
  variants: Array<z.infer<typeof ExperimentVariantDefinition>>;
  startAt: string | null;
  endAt: string | null;
  primaryMetric: MetricDefinition;
  secondaryMetrics: MetricDefinition[];
  guardrailMetrics: MetricDefinition[];
  createdAt: string;
  updatedAt: string;
}

/** An experiment in the list, with what the list shows: exposures, the split check, the primary metric's verdict. */
export type ExperimentListItem = Experiment & {
  exposures: number;
  srmFlagged: boolean;
  /** The best variant's verdict on the primary metric: better, worse or inconclusive; null without exposures. */
  primaryVerdict: 'better' | 'worse' | 'inconclusive' | null;
};

export const ExperimentResultsQuery = z.strictObject({
  project: z.uuid({ message: 'must be the id of one of your projects' }),
  engine: z.enum(['frequentist', 'bayesian'], { message: 'must be "frequentist" or "bayesian"' }).default('frequentist'),
  difference: z.enum(['relative', 'absolute'], { message: 'must be "relative" or "absolute"' }).default('relative'),
  alpha: z.coerce.number({ message: 'must be a number' }).gt(0, 'must be above 0, such as 0.05').lt(0.5, 'must be below 0.5, such as 0.05').default(0.05),
  /** Always-valid intervals, for results looked at every day (frequentist only). */
  sequential: z.enum(['true', 'false']).transform((v) => v === 'true').default(false),
  correction: z.enum(['holm', 'benjamini-hochberg'], { message: 'must be "holm" or "benjamini-hochberg"' }).optional(),
});
export type ExperimentResultsQuery = z.infer<typeof ExperimentResultsQuery>;

export const METRIC_ROLES = ['primary', 'secondary', 'guardrail'] as const;
export type MetricRole = (typeof METRIC_ROLES)[number];

/** One variant's figure on one metric: a rate (proportion), a mean per visitor, or a ratio of sums. */
export interface VariantFigure {
  variant: string;
  /** Visitors (or answers, for feedback) the figure is over. */
  n: number;
  /** Converting visitors (proportion), the sum of the values (mean), or the numerator's sum (ratio). */
  sum: number;
  /** The denominator's sum (ratio only). */
  denominator: number | null;
  /** The rate, mean or ratio; null without data. */
  value: number | null;
}

export interface MetricResults {
  key: string;
  name: string;
  kind: MetricKind;
  role: MetricRole;
  type: 'proportion' | 'mean' | 'ratio';
  inverse: boolean;
  /** In the variants' order, the control first. */
  variants: VariantFigure[];
  /** Each variant against the control. */
  results: ComparisonResult[];
}

export interface CumulativePoint {
  /** UTC day the point closes (visitors exposed up to the end of it). */
  day: string;
  variants: Array<{ variant: string; exposures: number; value: number | null }>;
  /** The primary metric's lift of each variant against the control, as of that day. */
  results: Array<{ variant: string; expected: number | null; ci: [number | null, number | null] | null }>;
}

export interface ExperimentResults {
  experiment: Experiment;
  settings: { engine: 'frequentist' | 'bayesian'; difference: 'relative' | 'absolute'; alpha: number; sequential: boolean; correction: string | null };
  /** Visitors exposed per variant, in the variants' order. */
  exposures: Array<{ variant: string; visitors: number }>;
  /** Visitors exposed with a variant key the experiment does not have (left out of every figure). */
  unknownVariantExposures: number;
  srm: { pValue: number | null; flagged: boolean; error: string | null };
  metrics: MetricResults[];
  /** The primary metric day by day. */
  cumulative: CumulativePoint[];
}
