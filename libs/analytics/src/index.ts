// The analytics library: pure logic with no I/O (see docs/architecture.md): page keys and page
// views, the CX scores and their intervals, retention, churn and lifetime value; funnels, paths and
// heatmaps as they come.
export { pageKey, PAGE_KEY_DEFAULTS } from './page-key';
export { pageViewsOf, type PageView, type TabPages } from './page-views';
export { meanInterval, npsInterval, wilsonInterval, type Bounds } from './cx/intervals';
export {
  cesSummary,
  csatSummary,
  npsSummary,
  onFivePoints,
  scoreStatistics,
  sentimentOf,
  variantScores,
  type CesSummary,
  type CsatSummary,
  type NpsSummary,
  type ScoreCount,
  type ScoreStatistics,
  type Sentiment,
  type VariantScores,
} from './cx/scores';
export { bucketOf, bucketStarts, mean, median, nextBucket, percentOf, type Interval } from './cx/time';
export { lifetimeValue, retentionCohorts, type CohortActivity, type LifetimeValue, type RetentionCohort, type RevenueRow } from './cx/visitors';
export { cxReport, type CxInputs } from './cx/report';
export {
  funnelCounts,
  funnelProgress,
  matchesStep,
  percentile,
  stepDurations,
  stepHitsOf,
  stepLabel,
  type FunnelOptions,
  type FunnelProgress,
  type StepCounts,
  type StepEvent,
  type StepHit,
} from './funnels';
export { OTHER_PAGES, pathGraph, pathTransitionsOf, type PathTransition } from './paths';
export {
  cellCentre,
  clamp01,
  dayOf,
  deviceClassOf,
  documentCell,
  elementCell,
  elementCellCentre,
  heatInputsOf,
  scrollBucket,
  scrollDepth,
  scrollReach,
  sessionHeat,
  DEVICE_WIDTHS,
  ELEMENT_GRID,
  HEAT_COLUMNS,
  HEAT_DEVICES,
  HEAT_ROW_PX,
  MOVE_SAMPLE_MS,
  type ChunkHeatInputs,
  type HeatBox,
  type HeatCell,
  type HeatDevice,
  type HeatLayer,
  type HeatSignal,
  type HeatZone,
  type SessionHeat,
} from './heatmaps';
