/**
 * What the feedback widget in the browser and the server share: survey kinds and their scales, the
 * public description of a running survey (the `surveys` section of `GET /v1/config`), and what the
 * widget posts. Plain constants and types with no runtime dependency, like `recording.ts`, so that
 * the SDK can import them without a validation library.
 */

export const SURVEY_KINDS = ['nps', 'csat', 'ces', 'comment'] as const;
export type SurveyKind = (typeof SURVEY_KINDS)[number];

export interface SurveyScale {
  min: number;
  max: number;
}

/** The scale of each kind: CSAT is asked on 5 or 7 points, the others on one fixed scale; a comment has none. */
export function scaleOf(kind: SurveyKind, points?: 5 | 7): SurveyScale | null {
  switch (kind) {
    case 'nps':
      return { min: 0, max: 10 };
    case 'csat':
      return { min: 1, max: points === 7 ? 7 : 5 };
    case 'ces':
      return { min: 1, max: 7 };
    case 'comment':
      return null;
  }
}

export const SURVEY_PRESENTATIONS = ['popover', 'button', 'embedded'] as const;
export type SurveyPresentation = (typeof SURVEY_PRESENTATIONS)[number];

export const WIDGET_POSITIONS = ['bottom-right', 'bottom-left', 'top-right', 'top-left'] as const;
export type WidgetPosition = (typeof WIDGET_POSITIONS)[number];

export const SURVEY_TRIGGERS = ['load', 'delay', 'event', 'exit', 'pageviews'] as const;
export type SurveyTrigger = (typeof SURVEY_TRIGGERS)[number];

export const DEVICE_CLASSES = ['desktop', 'tablet', 'mobile'] as const;
export type DeviceClassName = (typeof DEVICE_CLASSES)[number];

/** A question asked after the score when the score falls in `from`..`to` (both included). */
export interface FollowUp {
  from: number;
  to: number;
  question: string;
}

export interface SurveyTargeting {
  /**
   * Pages the survey may appear on; empty means every page. A pattern starting with `/` is matched
   * against the path and query, any other against the whole URL; `*` stands for any run of characters.
   */
  urls: string[];
  /** Pages it never appears on, matched the same way. */
  excludeUrls: string[];
  /** Device classes it appears on; empty means all. */
  devices: DeviceClassName[];
  trigger: {
    type: SurveyTrigger;
    /** For `delay`: seconds after the page loads. */
    delaySeconds?: number;
    /** For `event`: the name given to `Loupe.track`. */
    event?: string;
    /** For `pageviews`: the page views of the current visit after which it appears. */
    pageviews?: number;
  };
  /** Percent of visitors who may see it (decided once per visitor, so a reload does not re-roll). */
  sampleRate: number;
  /** A visitor sees it at most once in this many days, whatever they did with it. */
  showAgainAfterDays: number;
  /** A visitor who closed it without answering does not see it again for this many days. */
  afterDismissDays: number;
}

/** A running survey as the SDK receives it: everything the widget needs, nothing internal. */
export interface PublicSurvey {
  id: string;
  kind: SurveyKind;
  scale: SurveyScale | null;
  question: string;
  labels: { low: string; high: string };
  followUps: FollowUp[];
  /** The label of the comment box when there is no follow-up for the score (and of a comment survey). */
  commentLabel: string;
  thankYou: string;
  presentation: {
    mode: SurveyPresentation;
    position: WidgetPosition;
    /** `#rrggbb`. */
    color: string;
    buttonLabel: string;
    /** For `embedded`: a CSS selector of the element the widget is placed in. */
    selector?: string;
  };
  targeting: SurveyTargeting;
}

/** What a survey asks by default, per kind; every text can be changed. */
export const SURVEY_DEFAULTS: Record<SurveyKind, { question: string; labels: { low: string; high: string }; followUps: FollowUp[]; commentLabel: string }> = {
  nps: {
    question: 'How likely are you to recommend us to a friend or colleague?',
    labels: { low: 'Not at all likely', high: 'Extremely likely' },
    followUps: [
      { from: 0, to: 6, question: 'What disappointed you, or what was missing?' },
      { from: 7, to: 8, question: 'What would make you more likely to recommend us?' },
      { from: 9, to: 10, question: 'What do you like most?' },
    ],
    commentLabel: 'Anything else you would like to tell us?',
  },
  csat: {
    question: 'How satisfied are you with your experience today?',
    labels: { low: 'Very dissatisfied', high: 'Very satisfied' },
    followUps: [{ from: 1, to: 2, question: 'What went wrong?' }],
    commentLabel: 'Anything you would like to add?',
  },
  ces: {
    question: 'How easy was it to do what you came here to do?',
    labels: { low: 'Very difficult', high: 'Very easy' },
    followUps: [{ from: 1, to: 3, question: 'What made it difficult?' }],
    commentLabel: 'Anything you would like to add?',
  },
  comment: {
    question: 'Anything you would like to tell us?',
    labels: { low: '', high: '' },
    followUps: [],
    commentLabel: 'Your message',
  },
};

/** The question a comment answers: the follow-up for its score, else the survey's comment label. */
export function commentQuestionFor(survey: { followUps: FollowUp[]; commentLabel: string }, score: number | null): string {
  const f = score === null ? undefined : survey.followUps.find((x) => score >= x.from && score <= x.to);
  return f?.question ?? survey.commentLabel;
}

/** The `surveys` section of the SDK configuration. */
export interface SurveysSdkConfig {
  surveys: PublicSurvey[];
}

/** Bounds the server enforces on what the widget sends. */
export const FEEDBACK_LIMITS = {
  commentChars: 2000,
  urlChars: 2000,
  variants: 20,
  variantChars: 200,
  /** Body of one request to `/v1/feedback` or `/v1/feedback/impressions`. */
  bodyBytes: 32 * 1024,
} as const;

/**
 * One answer, posted as JSON to `POST /v1/feedback?key=<public key>`. `id` is made by the widget, so
 * that a retry of the same answer is stored once.
 */
export interface FeedbackSubmission {
  id: string;
  surveyId: string;
  sessionId: string;
  visitorId: string;
  windowId?: string;
  /** The browser's clock when the visitor answered (ms since epoch): the moment in the recording. */
  at: number;
  url: string;
  /** Null for a comment survey, and when the visitor wrote without choosing a score. */
  score: number | null;
  comment: string | null;
  /** The experiments and variants the visitor saw in this visit (`Loupe.exposure`). */
  variants: Record<string, string>;
  viewport?: { width: number; height: number };
}

/** A survey shown to, or closed without an answer by, a visitor: `POST /v1/feedback/impressions`. */
export interface FeedbackImpression {
  /** Made by the widget for one showing of the survey, so that a retry is stored once. */
  id: string;
  kind: 'shown' | 'dismissed';
  surveyId: string;
  sessionId: string;
  visitorId: string;
  at: number;
  url: string;
  variants: Record<string, string>;
  viewport?: { width: number; height: number };
}
