import { z } from 'zod';
import { settingsSection } from './settings-section';
import {
  DEVICE_CLASSES,
  SURVEY_DEFAULTS,
  FEEDBACK_LIMITS,
  scaleOf,
  SURVEY_KINDS,
  SURVEY_PRESENTATIONS,
  SURVEY_TRIGGERS,
  WIDGET_POSITIONS,
} from './feedback-wire';

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const ProjectId = z.uuid({ message: 'must be the id of one of your projects' });
const Instant = z.iso.datetime({ offset: true, error: (i) => (i.input === undefined ? 'is required' : 'must be an ISO 8601 date-time such as 2026-11-22T08:00:00Z') });
const Score = z.coerce.number({ message: 'must be a whole number' }).int('must be a whole number').min(0).max(10, 'must be at most 10 (the highest score of any scale)');

// --- Surveys --------------------------------------------------------------------------------------

export const SURVEY_STATUSES = ['draft', 'running', 'paused', 'ended'] as const;
export type SurveyStatus = (typeof SURVEY_STATUSES)[number];

const FollowUpSchema = z.strictObject({
  from: z.number().int('must be a whole number'),
  to: z.number().int('must be a whole number'),
  question: text(300),
});

const UrlPatterns = z.array(z.string().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters')).max(20, 'must hold at most 20 patterns');

const TriggerSchema = z.strictObject({
  type: z.enum(SURVEY_TRIGGERS),
  delaySeconds: z.number().int('must be a whole number of seconds').min(0).max(3600, 'must be at most 3600 (an hour)').optional(),
  event: text(200).optional(),
  pageviews: z.number().int('must be a whole number').min(1).max(100).optional(),
});

/** Targeting fields without defaults: what a change names. */
const TargetingFields = {
  urls: UrlPatterns,
  excludeUrls: UrlPatterns,
  devices: z.array(z.enum(DEVICE_CLASSES)).max(3),
  trigger: TriggerSchema,
  sampleRate: z.number().min(0, 'must be a percentage from 0 to 100').max(100, 'must be a percentage from 0 to 100'),
  showAgainAfterDays: z.number().int('must be a whole number of days').min(0).max(3650),
  afterDismissDays: z.number().int('must be a whole number of days').min(0).max(3650),
};

export const SurveyTargetingSchema = z.strictObject({
  urls: TargetingFields.urls.default([]),
  excludeUrls: TargetingFields.excludeUrls.default([]),
  devices: TargetingFields.devices.default([]),
  trigger: TargetingFields.trigger.default({ type: 'load' }),
  sampleRate: TargetingFields.sampleRate.default(100),
  showAgainAfterDays: TargetingFields.showAgainAfterDays.default(30),
  afterDismissDays: TargetingFields.afterDismissDays.default(90),
});

const PresentationFields = {
  mode: z.enum(SURVEY_PRESENTATIONS),
  position: z.enum(WIDGET_POSITIONS),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour such as #3b5bdb'),
  buttonLabel: text(40),
  selector: z.string().trim().min(1).max(200, 'must be at most 200 characters'),
};

export const SurveyPresentationSchema = z.strictObject({
  mode: PresentationFields.mode.default('popover'),
  position: PresentationFields.position.default('bottom-right'),
  color: PresentationFields.color.default('#3b5bdb'),
  buttonLabel: PresentationFields.buttonLabel.default('Feedback'),
  selector: PresentationFields.selector.optional(),
});

const Labels = z.strictObject({ low: z.string().trim().max(60, 'must be at most 60 characters'), high: z.string().trim().max(60, 'must be at most 60 characters') });

/** Every field of a survey, as stored; rules that span fields are checked by `checkSurvey`. */
const SurveyShape = {
  name: text(120),
  kind: z.enum(SURVEY_KINDS),
  /** CSAT only: a 5- or 7-point scale. */
  points: z.union([z.literal(5), z.literal(7)], { message: 'must be 5 or 7' }).optional(),
  status: z.enum(SURVEY_STATUSES),
  question: text(300),
  labels: Labels,
  followUps: z.array(FollowUpSchema).max(5, 'must hold at most 5 follow-up questions'),
  commentLabel: text(200),
  thankYou: text(200),
  presentation: SurveyPresentationSchema,
  targeting: SurveyTargetingSchema,
};

function checkSurvey(s: z.infer<z.ZodObject<typeof SurveyShape>>, ctx: z.core.$RefinementCtx): void {
  const issue = (path: Array<string | number>, message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (s.points !== undefined && s.kind !== 'csat') issue(['points'], 'applies to CSAT surveys only (NPS is 0–10, CES 1–7)');
  const scale = scaleOf(s.kind, s.points);
  if (!scale && s.followUps.length) issue(['followUps'], 'a comment survey has no score to follow up on');
  s.followUps.forEach((f, i) => {
    if (!scale) return;
    if (f.from > f.to) issue(['followUps', i, 'from'], 'must not be above "to"');
    if (f.from < scale.min || f.to > scale.max) issue(['followUps', i], `must lie within the survey's scale, ${scale.min} to ${scale.max}`);
  });
  if (s.presentation.mode === 'embedded' && !s.presentation.selector) issue(['presentation', 'selector'], 'is required to embed the survey: the CSS selector of the element to place it in');
  const t = s.targeting.trigger;
  if (t.type === 'delay' && t.delaySeconds === undefined) issue(['targeting', 'trigger', 'delaySeconds'], 'is required for a delay trigger');
  if (t.type === 'event' && !t.event) issue(['targeting', 'trigger', 'event'], 'is required for an event trigger: the name given to Loupe.track');
  if (t.type === 'pageviews' && t.pageviews === undefined) issue(['targeting', 'trigger', 'pageviews'], 'is required for a page-view trigger');
}

/** A whole survey definition, checked as a whole: what is stored. */
export const SurveyDefinition = z.strictObject(SurveyShape).superRefine(checkSurvey);
export type SurveyDefinition = z.infer<typeof SurveyDefinition>;

/** `POST /api/v1/surveys?project=`: the kind and a name; texts not given take the kind's defaults. */
export const CreateSurveyRequest = z
  .strictObject({
    ...SurveyShape,
    status: SurveyShape.status.default('draft'),
    question: SurveyShape.question.optional(),
    labels: Labels.optional(),
    followUps: SurveyShape.followUps.optional(),
    commentLabel: SurveyShape.commentLabel.optional(),
    thankYou: SurveyShape.thankYou.default('Thank you for your feedback!'),
    presentation: SurveyPresentationSchema.default({ mode: 'popover', position: 'bottom-right', color: '#3b5bdb', buttonLabel: 'Feedback' }),
    targeting: SurveyTargetingSchema.default({ urls: [], excludeUrls: [], devices: [], trigger: { type: 'load' }, sampleRate: 100, showAgainAfterDays: 30, afterDismissDays: 90 }),
  })
  .transform((s) => {
    const d = SURVEY_DEFAULTS[s.kind];
    const { points, ...rest } = s;
    return {
      ...rest,
      ...(s.kind === 'csat' ? { points: points ?? 5 } : points !== undefined ? { points } : {}),
      question: s.question ?? d.question,
      labels: s.labels ?? d.labels,
      followUps: s.followUps ?? (s.kind === 'csat' && s.points === 7 ? [{ from: 1, to: 3, question: 'What went wrong?' }] : d.followUps),
      commentLabel: s.commentLabel ?? d.commentLabel,
    };
  })
  .superRefine(checkSurvey);
export type CreateSurveyRequest = z.input<typeof CreateSurveyRequest>;

/**
 * `PATCH /api/v1/surveys/:id`: the fields named replace the stored ones; the result is checked as a
 * whole. The kind and scale stay as created, so that every answer of a survey means the same.
 */
export const UpdateSurveyRequest = z.strictObject({
  name: SurveyShape.name.optional(),
  status: SurveyShape.status.optional(),
  question: SurveyShape.question.optional(),
  labels: Labels.optional(),
  followUps: SurveyShape.followUps.optional(),
  commentLabel: SurveyShape.commentLabel.optional(),
  thankYou: SurveyShape.thankYou.optional(),
  // Without defaults: a field not named keeps its stored value.
  presentation: z.strictObject(PresentationFields).partial().optional(),
  targeting: z.strictObject(TargetingFields).partial().optional(),
});
export type UpdateSurveyRequest = z.infer<typeof UpdateSurveyRequest>;

export const Survey = z.object({
  id: z.string(),
  projectId: z.string(),
  name: z.string(),
  kind: z.enum(SURVEY_KINDS),
  points: z.number().optional(),
  scale: z.object({ min: z.number(), max: z.number() }).nullable(),
  status: z.enum(SURVEY_STATUSES),
  question: z.string(),
  labels: z.object({ low: z.string(), high: z.string() }),
  followUps: z.array(z.object({ from: z.number(), to: z.number(), question: z.string() })),
  commentLabel: z.string(),
  thankYou: z.string(),
  presentation: z.object({ mode: z.enum(SURVEY_PRESENTATIONS), position: z.enum(WIDGET_POSITIONS), color: z.string(), buttonLabel: z.string(), selector: z.string().optional() }),
  targeting: z.object({
    urls: z.array(z.string()),
    excludeUrls: z.array(z.string()),
    devices: z.array(z.enum(DEVICE_CLASSES)),
    trigger: z.object({ type: z.enum(SURVEY_TRIGGERS), delaySeconds: z.number().optional(), event: z.string().optional(), pageviews: z.number().optional() }),
    sampleRate: z.number(),
    showAgainAfterDays: z.number(),
    afterDismissDays: z.number(),
  }),
  /** Answers and showings so far. */
  answers: z.number(),
  shown: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Survey = z.infer<typeof Survey>;

// --- Answers sent by the widget ---------------------------------------------------------------------

const WireId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8 to 64 letters, digits, - or _');
const Variants = z
  .record(z.string().min(1).max(FEEDBACK_LIMITS.variantChars), z.string().min(1).max(FEEDBACK_LIMITS.variantChars))
  .refine((v) => Object.keys(v).length <= FEEDBACK_LIMITS.variants, `must name at most ${FEEDBACK_LIMITS.variants} experiments`)
  .default({});
const Viewport = z.strictObject({ width: z.number().int().min(0).max(100_000), height: z.number().int().min(0).max(100_000) }).optional();
const AnsweredAt = z.number().finite().int('must be milliseconds since 1970');
const PageUrl = z.string().max(FEEDBACK_LIMITS.urlChars, `must be at most ${FEEDBACK_LIMITS.urlChars} characters`);

export const FeedbackSubmissionSchema = z.strictObject({
  id: WireId,
  surveyId: z.uuid({ message: 'must be the id of a survey of this project' }),
  sessionId: WireId,
  visitorId: WireId,
  windowId: WireId.optional(),
  at: AnsweredAt,
  url: PageUrl,
  score: z.number().int('must be a whole number').nullable(),
  comment: z
    .string()
    .max(FEEDBACK_LIMITS.commentChars, `must be at most ${FEEDBACK_LIMITS.commentChars} characters`)
    .nullable()
    .transform((c) => (c && c.trim() ? c.trim() : null)),
  variants: Variants,
  viewport: Viewport,
});

export const FeedbackImpressionSchema = z.strictObject({
  id: WireId,
  kind: z.enum(['shown', 'dismissed']),
  surveyId: z.uuid({ message: 'must be the id of a survey of this project' }),
  sessionId: WireId,
  visitorId: WireId,
  at: AnsweredAt,
  url: PageUrl,
  variants: Variants,
  viewport: Viewport,
});

export const FeedbackAccepted = z.object({ accepted: z.literal(true), duplicate: z.boolean() });
export type FeedbackAccepted = z.infer<typeof FeedbackAccepted>;

// --- Inbox ----------------------------------------------------------------------------------------

export const FEEDBACK_STATUSES = ['open', 'in_progress', 'resolved'] as const;
export type FeedbackStatus = (typeof FEEDBACK_STATUSES)[number];

/** Filters shared by the inbox and the CX dashboard. */
const FeedbackFilterShape = {
  project: ProjectId,
  from: Instant.optional(),
  to: Instant.optional(),
  survey: z.uuid({ message: 'must be the id of a survey' }).optional(),
  kind: z.enum(SURVEY_KINDS).optional(),
  minScore: Score.optional(),
  maxScore: Score.optional(),
  /** Answers given on a page whose URL contains this text. */
  url: z.string().min(1).max(500).optional(),
  device: z.enum(DEVICE_CLASSES).optional(),
  /** Answers of visitors who saw this experiment (`Loupe.exposure`)… */
  experiment: z.string().min(1).max(FEEDBACK_LIMITS.variantChars).optional(),
  /** …and, with `experiment`, this variant of it. */
  variant: z.string().min(1).max(FEEDBACK_LIMITS.variantChars).optional(),
};

const checkFilters = (q: { variant?: string; experiment?: string; minScore?: number; maxScore?: number; from?: string; to?: string }, ctx: z.core.$RefinementCtx) => {
  if (q.variant && !q.experiment) ctx.addIssue({ code: 'custom', path: ['variant'], message: 'needs experiment: a variant is always of one experiment' });
  if (q.minScore !== undefined && q.maxScore !== undefined && q.minScore > q.maxScore) ctx.addIssue({ code: 'custom', path: ['minScore'], message: 'must not be above maxScore' });
  if (q.from && q.to && Date.parse(q.from) >= Date.parse(q.to)) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before to' });
};

export const FeedbackListQuery = z
  .strictObject({
    ...FeedbackFilterShape,
    /** Text searched for in comments (case-insensitive). */
    q: z.string().trim().min(1).max(200).optional(),
    status: z.enum(FEEDBACK_STATUSES).optional(),
    /** A user id, or `none` for unassigned answers. */
    assignee: z.union([z.uuid(), z.literal('none')], { message: 'must be the id of a person or none' }).optional(),
    tag: z.string().trim().min(1).max(50).optional(),
    /** The answers given in one session (the player's panel). */
    session: z.string().min(1).max(64).optional(),
    cursor: z.string().max(500).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .superRefine(checkFilters);
export type FeedbackListQuery = z.infer<typeof FeedbackListQuery>;

export const FeedbackItem = z.object({
  id: z.string(),
  survey: z.object({ id: z.string(), name: z.string() }),
  kind: z.enum(SURVEY_KINDS),
  score: z.number().nullable(),
  scale: z.object({ min: z.number(), max: z.number() }).nullable(),
  /** Where the score sits: NPS detractor / passive / promoter, and the like for CSAT and CES. */
  sentiment: z.enum(['negative', 'neutral', 'positive']).nullable(),
  comment: z.string().nullable(),
  /** The question the comment answers. */
  commentQuestion: z.string().nullable(),
  url: z.string(),
  device: z.string().nullable(),
  sessionId: z.string(),
  visitorId: z.string(),
  userId: z.string().nullable(),
  variants: z.record(z.string(), z.string()),
  status: z.enum(FEEDBACK_STATUSES),
  assignee: z.object({ id: z.string(), name: z.string(), email: z.string() }).nullable(),
  tags: z.array(z.string()),
  noteCount: z.number(),
  createdAt: z.string(),
  answeredAt: z.string(),
  resolvedAt: z.string().nullable(),
  /** Time to resolution, from the answer to its resolution; null while not resolved. */
  ttrMs: z.number().nullable(),
  /** The replay at the moment of the answer: the console path, with `t` in ms from the session's start. */
  replay: z.object({ path: z.string(), offsetMs: z.number() }),
});
export type FeedbackItem = z.infer<typeof FeedbackItem>;

export const FeedbackNote = z.object({
  id: z.string(),
  body: z.string(),
  author: z.object({ id: z.string(), name: z.string() }).nullable(),
  createdAt: z.string(),
});
export type FeedbackNote = z.infer<typeof FeedbackNote>;

const Tag = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(50, 'must be at most 50 characters')
  .transform((t) => t.toLowerCase());

/** `PATCH /api/v1/feedback/:id`: triage. */
export const TriageRequest = z.strictObject({
  status: z.enum(FEEDBACK_STATUSES).optional(),
  assigneeId: z.uuid({ message: 'must be the id of a person of this organization, or null' }).nullable().optional(),
  tags: z
    .array(Tag)
    .max(20, 'must hold at most 20 tags')
    .transform((tags) => [...new Set(tags)])
    .optional(),
});
export type TriageRequest = z.infer<typeof TriageRequest>;

export const NoteRequest = z.strictObject({ body: text(5000) });
export type NoteRequest = z.infer<typeof NoteRequest>;

export const Assignee = z.object({ id: z.string(), name: z.string(), email: z.string() });
export type Assignee = z.infer<typeof Assignee>;

// --- CX dashboard ---------------------------------------------------------------------------------

export const CX_INTERVALS = ['day', 'week', 'month'] as const;
export type CxInterval = (typeof CX_INTERVALS)[number];

export const CxQuery = z
  .strictObject({
    ...FeedbackFilterShape,
    from: Instant,
    to: Instant,
    interval: z.enum(CX_INTERVALS).default('week'),
    /** The custom event (`Loupe.track`) that carries revenue; the project's setting when not given. */
    revenueEvent: z.string().min(1).max(200).optional(),
    /** The numeric property of that event holding the amount; the project's setting when not given. */
    revenueProperty: z.string().min(1).max(200).optional(),
    /** Days without a visit after which an identified visitor counts as churned; the project's setting when not given. */
    churnDays: z.coerce.number().int().min(1).max(365).optional(),
  })
  .superRefine((q, ctx) => {
    checkFilters(q, ctx);
    if (Date.parse(q.to) - Date.parse(q.from) > 3 * 366 * 86_400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be at most 3 years after from' });
  });
export type CxQuery = z.infer<typeof CxQuery>;

const Interval = z.object({ low: z.number(), high: z.number() }).nullable();

export const CxReport = z.object({
  from: z.string(),
  to: z.string(),
  interval: z.enum(CX_INTERVALS),
  /** NPS in points (−100 to 100), with a 95% adjusted-Wald interval. */
  nps: z.object({
    n: z.number(),
    promoters: z.number(),
    passives: z.number(),
    detractors: z.number(),
    score: z.number().nullable(),
    interval: Interval,
    trend: z.array(z.object({ bucket: z.string(), n: z.number(), score: z.number().nullable(), interval: Interval })),
  }),
  /** CSAT: percent of answers in the top two points (95% Wilson interval), and the mean (95% t interval). */
  csat: z.object({
    n: z.number(),
    satisfied: z.number(),
    percent: z.number().nullable(),
    interval: Interval,
    mean: z.number().nullable(),
    meanInterval: Interval,
    /** The scale the mean is on: `1-5`, `1-7`, or `1-5` with 7-point answers mapped onto it. */
    meanScale: z.string().nullable(),
    trend: z.array(z.object({ bucket: z.string(), n: z.number(), percent: z.number().nullable(), interval: Interval, mean: z.number().nullable() })),
  }),
  /** CES on 1–7: the mean (95% t interval) and percent of answers 5–7 (95% Wilson interval). */
  ces: z.object({
    n: z.number(),
    mean: z.number().nullable(),
    meanInterval: Interval,
    easy: z.number(),
    percentEasy: z.number().nullable(),
    interval: Interval,
    trend: z.array(z.object({ bucket: z.string(), n: z.number(), mean: z.number().nullable(), meanInterval: Interval, percentEasy: z.number().nullable() })),
  }),
  responses: z.object({
    answers: z.number(),
    shown: z.number(),
    /** Answers per survey shown, in percent; null when nothing was shown. */
    rate: z.number().nullable(),
    trend: z.array(z.object({ bucket: z.string(), answers: z.number(), shown: z.number(), rate: z.number().nullable() })),
  }),
  ttr: z.object({
    resolved: z.number(),
    meanMs: z.number().nullable(),
    medianMs: z.number().nullable(),
    trend: z.array(z.object({ bucket: z.string(), resolved: z.number(), meanMs: z.number().nullable(), medianMs: z.number().nullable() })),
  }),
  retention: z.object({
    /** Weekly cohorts of visitors by their first visit; `returned[k]` visited in week k after it (k = 0 is the first week). */
    cohorts: z.array(z.object({ week: z.string(), visitors: z.number(), returned: z.array(z.number()), percent: z.array(z.number()) })),
  }),
  churn: z.object({
    periodDays: z.number(),
    /** Identified visitors active in the period before the last one, and those of them not seen in the last one. */
    active: z.number(),
    churned: z.number(),
    rate: z.number().nullable(),
    trend: z.array(z.object({ bucket: z.string(), active: z.number(), churned: z.number(), rate: z.number().nullable() })),
  }),
  ltv: z.object({
    event: z.string().nullable(),
    property: z.string(),
    /** Identified visitors with revenue up to `to`, their total, and the mean and median per visitor. */
    customers: z.number(),
    total: z.number(),
    mean: z.number().nullable(),
    median: z.number().nullable(),
    trend: z.array(z.object({ bucket: z.string(), revenue: z.number(), customers: z.number(), mean: z.number().nullable() })),
  }),
});
export type CxReport = z.infer<typeof CxReport>;

/** `GET /api/v1/cx/variants`: per-variant sufficient statistics of one experiment's scores. */
export const VariantStatsQuery = z.strictObject({
  project: ProjectId,
  experiment: z.string().min(1).max(FEEDBACK_LIMITS.variantChars),
  kind: z.enum(['nps', 'csat', 'ces']),
  survey: z.uuid().optional(),
  from: Instant.optional(),
  to: Instant.optional(),
});
export type VariantStatsQuery = z.infer<typeof VariantStatsQuery>;

export const VariantScoreStats = z.object({
  variant: z.string(),
  n: z.number(),
  sum: z.number(),
  sumSquares: z.number(),
  /** NPS only (0 for other kinds). */
  promoters: z.number(),
  passives: z.number(),
  detractors: z.number(),
});
export type VariantScoreStats = z.infer<typeof VariantScoreStats>;

export const IntegrationSettings = settingsSection(
  {
    /** Where new feedback answers are posted as Slack-compatible JSON; only http(s) URLs are taken. */
    webhookUrl: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL, such as a Slack incoming webhook' }).max(2000).nullable(),
    /** Which answers are forwarded: none, every new one, or only detractors (the low end of each scale). */
    forwardFeedback: z.enum(['off', 'all', 'detractors'], { message: 'must be off, all or detractors' }),
  },
  { webhookUrl: null, forwardFeedback: 'off' },
);

export const CxSettings = settingsSection(
  {
    /** The custom event (`Loupe.track`) whose numeric property is revenue, for customer lifetime value. */
    revenueEvent: z.string().trim().min(1).max(200).nullable(),
    /** The property of that event holding the amount. */
    revenueProperty: z.string().trim().min(1).max(200),
    /** Days without a visit after which an identified visitor counts as churned. */
    churnDays: z.number().int('must be a whole number of days').min(1).max(365),
  },
  { revenueEvent: null, revenueProperty: 'value', churnDays: 30 },
);
