import { z } from 'zod';

export const HEATMAP_KINDS = ['click', 'move', 'scroll', 'zones', 'rage', 'dead'] as const;
export type HeatmapKind = (typeof HEATMAP_KINDS)[number];
export const HEATMAP_DEVICES = ['desktop', 'tablet', 'mobile'] as const;
export type HeatmapDevice = (typeof HEATMAP_DEVICES)[number];

/** A day (rollups are daily) or an instant, of which the day in UTC is taken. */
const Day = z
  .string()
  .refine(
    (v) => /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(v) && !Number.isNaN(Date.parse(v)),
    'must be a day such as 2026-11-22 (or an ISO 8601 date-time, of which the UTC day is taken)',
  );

export const HeatmapQuery = z
  .strictObject({
    project: z.uuid({ message: 'must be the id of one of your projects' }),
    /** The page key, as listed by GET /api/v1/pages. */
    page: z.string().trim().min(1, 'must name a page key, such as /product/:id').max(2000),
    kind: z.enum(HEATMAP_KINDS, { message: `must be one of ${HEATMAP_KINDS.join(', ')}` }).default('click'),
    device: z.enum(HEATMAP_DEVICES, { message: `must be one of ${HEATMAP_DEVICES.join(', ')}` }).default('desktop'),
    /** First day included (default: 30 days before `to`). */
    from: Day.optional(),
    /** Last day included (default: today, UTC). */
    to: Day.optional(),
    experiment: z.string().trim().min(1).max(200).optional(),
    variant: z.string().trim().min(1).max(200).optional(),
    /** Zones only: the conversion of visits that clicked each zone, against those that did not, for this page key reached… */
    goalPage: z.string().trim().min(1).max(2000).optional(),
    /** …or this custom event (`Loupe.track(name)`) sent. */
    goalEvent: z.string().trim().min(1).max(200).optional(),
  })
  .refine((q) => (q.experiment === undefined) === (q.variant === undefined), {
    message: 'experiment and variant go together: give both, or neither',
    path: ['variant'],
  })
  .refine((q) => !(q.goalPage && q.goalEvent), { message: 'choose one goal: goalPage or goalEvent', path: ['goalEvent'] });
export type HeatmapQuery = z.infer<typeof HeatmapQuery>;

export interface HeatmapCellCount {
  gx: number;
  gy: number;
  count: number;
}

export interface HeatmapElement {
  selector: string;
  clicks: number;
  /** Element-relative cells on a `grid` × `grid` grid over the element's box. */
  cells: HeatmapCellCount[];
}

export interface HeatmapZone {
  selector: string;
  clicks: number;
  /** Visits (per day) that clicked it. */
  visitors: number;
  /** Visitors over the page views measured on this page, device and range. */
  visitorShare: number | null;
  rage: number;
  dead: number;
  hoverMs: number;
  conversion?: {
    clicked: { visits: number; converted: number; rate: number | null };
    notClicked: { visits: number; converted: number; rate: number | null };
  };
}

export interface HeatmapResponse {
  page: string;
  kind: HeatmapKind;
  device: HeatmapDevice;
  from: string;
  to: string;
  variant: string | null;
  /** Clicks, pointer positions, page views or zone clicks counted. */
  total: number;
  /** Document cells: `gx` is a column of `columns` across the document's width, `gy` a row of `rowPx` pixels. */
  columns: number;
  rowPx: number;
  cells: HeatmapCellCount[];
  /** Click maps only: the same clicks relative to the elements clicked. */
  elements?: HeatmapElement[];
  grid?: number;
  /** Scroll maps only: reach[d] is the share of page views that saw d% of the page (0–100). */
  reach?: number[];
  zones?: HeatmapZone[];
}

export const HeatmapSnapshotQuery = z.strictObject({
  project: z.uuid({ message: 'must be the id of one of your projects' }),
  page: z.string().trim().min(1, 'must name a page key, such as /product/:id').max(2000),
  device: z.enum(HEATMAP_DEVICES, { message: `must be one of ${HEATMAP_DEVICES.join(', ')}` }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type HeatmapSnapshotQuery = z.infer<typeof HeatmapSnapshotQuery>;

/** A recorded full snapshot of the page, to draw a heatmap over: fetch its chunk and rebuild it. */
export interface HeatmapSnapshot {
  sessionId: string;
  windowId: string;
  seq: number;
  /** The snapshot's time, epoch ms: the chunk's event with this timestamp and type 2. */
  ts: number;
  url: string;
  viewportWidth: number | null;
  device: HeatmapDevice | null;
}
