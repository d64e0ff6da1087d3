import type { RecordedEvent } from '@loupe/contracts/recording';
import { activityOf, type Activity } from './activity';
import { indexEvents, type ChunkIndex } from './chunk-index';
import { chunkFacts, type ChunkFacts, type ChunkId } from './summary';
import { extractTypedEvents, type ExtractContext, type TypedEvent } from './typed-events';

export interface ChunkAnalysis {
  /** Rows for the event table. */
  events: TypedEvent[];
  /** The page the chunk ends on: pass it as `ctx.url` for the next chunk. */
  lastUrl?: string;
  activity: Activity;
  facts: ChunkFacts;
  index: ChunkIndex;
}

/**
 * Everything the worker derives from one decoded chunk, in one call. `chunk` is the chunk's `seq`,
 * or its `seq` and `windowId` when the recorder names browser tabs.
 */
export function analyzeChunk(chunk: number | ChunkId, events: readonly RecordedEvent[], ctx: ExtractContext = {}): ChunkAnalysis {
  const extraction = extractTypedEvents(events, ctx);
  const activity = activityOf(events);
  const analysis: ChunkAnalysis = {
    events: extraction.events,
    activity,
    facts: chunkFacts(chunk, events, extraction.events, activity, extraction.loupe),
    index: indexEvents(events),
  };
  if (extraction.lastUrl !== undefined) analysis.lastUrl = extraction.lastUrl;
  return analysis;
}
