import { z } from 'zod';
import { settingsSection } from './settings-section';

/**
 * How URLs become page keys, so that `/product/123` and `/product/456` count as one page in the
 * pages table, funnels and heatmaps. Rules are tried first (the first match wins); then ids are
 * replaced and the query string dropped except the parameters listed.
 */
export const PageSettings = settingsSection(
  {
    /** Replace numbers, UUIDs, long hashes and codes mixing letters and digits with `:id`, `:uuid`, `:hash`. */
    groupIds: z.boolean(),
    /** Query parameters that make a different page (`?tab=reviews`); any other is dropped. */
    keepQuery: z.array(z.string().trim().min(1).max(100)).max(50),
    /** Treat `#/path` and `#!/path` as the path, for sites that route in the fragment. */
    hashRoutes: z.boolean(),
    /** Keep the host in the key, for projects that record several sites. */
    includeHost: z.boolean(),
    /** `match` is a path pattern where `*` stands for one segment and `**` for any number; `key` is what matching pages are called. */
    rules: z
      .array(
        z.strictObject({
          match: z.string().trim().startsWith('/', 'must be a path pattern starting with /, such as /blog/*').max(300),
          key: z.string().trim().min(1).max(300),
        }),
      )
      .max(200),
  },
  { groupIds: true, keepQuery: [], hashRoutes: true, includeHost: false, rules: [] },
);
export type PageKeySettings = z.infer<typeof PageSettings.schema>;

const Instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time such as 2026-11-22T08:00:00Z' });

export const PAGE_SORTS = ['views', 'visitors', 'exits', 'exitRate', 'bounceRate', 'medianTimeOnPageMs', 'signalsPerView', 'errorsPerView'] as const;

export const PageListQuery = z.strictObject({
  project: z.uuid({ message: 'must be the id of one of your projects' }),
  from: Instant.optional(),
  to: Instant.optional(),
  /** Pages whose key contains this text. */
  search: z.string().min(1).max(300).optional(),
  sort: z.enum(PAGE_SORTS).default('exits'),
  order: z.enum(['asc', 'desc']).default('desc'),
  /** Pages with fewer views are left out: their rates mean little. */
  minViews: z.coerce.number().int().min(1).max(1_000_000).default(1),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type PageListQuery = z.infer<typeof PageListQuery>;

export const PageRow = z.object({
  pageKey: z.string(),
  /** One URL of the page, to open it. */
  exampleUrl: z.string(),
  views: z.number(),
  visitors: z.number(),
  /** Sessions that ended on this page. */
  exits: z.number(),
  /** Exits per view. */
  exitRate: z.number(),
  /** Sessions that saw only this page, per session that entered on it. */
  bounceRate: z.number().nullable(),
  entries: z.number(),
  medianTimeOnPageMs: z.number().nullable(),
  signals: z.number(),
  signalsPerView: z.number(),
  signalCounts: z.record(z.string(), z.number()),
  errorsPerView: z.number(),
});
export type PageRow = z.infer<typeof PageRow>;
