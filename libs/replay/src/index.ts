// The replay library: pure logic with no I/O (see docs/architecture.md). It turns the rrweb events
// of one recording chunk into typed events, activity, per-chunk facts and a seek index, and merges
// chunk facts into a session summary whatever order the chunks were processed in.
export { TYPED_EVENT_LIMITS, type PropValue } from './bounds';
export {
  extractTypedEvents,
  hasLoupeEvents,
  SAMPLE_WINDOW_MS,
  type ExtractContext,
  type Extraction,
  type TypedEvent,
  type TypedEventKind,
} from './typed-events';
export { activityOf, activeMs, INACTIVITY_THRESHOLD_MS, isInteraction, mergeIntervals, type Activity, type Interval } from './activity';
export { chunkFacts, summarizeSession, type ChunkFacts, type ChunkId, type SessionSummary, type UrlAt, type ViewportAt } from './summary';
export { indexEvents, seekPoint, type ChunkIndex, type FullSnapshotRef, type SeekPoint } from './chunk-index';
export { deviceOf, UNKNOWN_UA_NAME, type DeviceClass, type DeviceInfo } from './device';
export { checkEventOrder, formatSpan } from './validate';
export { analyzeChunk, type ChunkAnalysis } from './chunk';
