import type { SurveyKind } from '@loupe/contracts/feedback';

/** The filters the inbox and the CX dashboard share (see `FeedbackListQuery` and `CxQuery`). */
export interface FeedbackFilters {
  project: string;
  from?: string;
  to?: string;
  survey?: string;
  kind?: SurveyKind;
  minScore?: number;
  maxScore?: number;
  url?: string;
  device?: string;
  experiment?: string;
  variant?: string;
}

/**
 * A WHERE clause built one condition at a time. Each `{}` in a condition stands for the next value
 * given with it (`?` is not used: it is a jsonb operator).
 */
export class Where {
  readonly params: unknown[];
  private readonly conditions: string[] = [];

  constructor(params: unknown[] = []) {
    this.params = params;
  }

  add(sql: string, ...values: unknown[]): this {
    let i = 0;
    const text = sql.replace(/\{\}/g, () => {
      this.params.push(values[i++]);
      return `$${this.params.length}`;
    });
    this.conditions.push(text);
    return this;
  }

  /** A value used more than once, or outside a condition: its placeholder. */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  get sql(): string {
    return this.conditions.length ? this.conditions.join(' AND ') : 'true';
  }
}

export const likeContains = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The conditions on answers (table alias `a`) or on showings of surveys, whose kind column is
 * `survey_kind` and which have no score. `time` names the column the range applies to, or null to
 * leave the range to the caller.
 */
export function addFeedbackFilters(w: Where, f: FeedbackFilters, opts: { alias: string; kindColumn?: string; scores?: boolean; time?: string | null }): Where {
  const a = opts.alias;
  w.add(`${a}.project_id = {}`, f.project);
  const time = opts.time === undefined ? `${a}.created_at` : opts.time;
  if (time && f.from) w.add(`${time} >= {}`, f.from);
  if (time && f.to) w.add(`${time} < {}`, f.to);
  if (f.survey) w.add(`${a}.survey_id = {}`, f.survey);
  if (f.kind) w.add(`${a}.${opts.kindColumn ?? 'kind'} = {}`, f.kind);
  if (opts.scores !== false) {
    if (f.minScore !== undefined) w.add(`${a}.score >= {}`, f.minScore);
    if (f.maxScore !== undefined) w.add(`${a}.score <= {}`, f.maxScore);
  }
  if (f.url) w.add(`${a}.url ILIKE {}`, likeContains(f.url));
  if (f.device) w.add(`${a}.device = {}`, f.device);
  if (f.experiment && f.variant) w.add(`${a}.variants @> jsonb_build_object({}::text, {}::text)`, f.experiment, f.variant);
  else if (f.experiment) w.add(`${a}.variants ? {}`, f.experiment);
  return w;
}
