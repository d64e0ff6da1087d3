import { LOUPE_TAGS, RRWEB, type RecordedEvent } from '@loupe/contracts/recording';
import { isRecord, size, str, TYPED_EVENT_LIMITS } from './bounds';

/** Where a recording says which page it is on: a Meta event's `href` or a Loupe page view's `url`. */
export interface PageObservation {
  url?: string;
  viewport?: { width: number; height: number };
  from: 'meta' | 'pageview';
}

/** The page a Meta event or a `loupe.pageview` announces, or undefined for any other event. */
export function observePage(event: RecordedEvent): PageObservation | undefined {
  const data = event.data;
  if (!isRecord(data)) return undefined;
  if (event.type === RRWEB.Meta) {
    return { url: str(data['href'], TYPED_EVENT_LIMITS.url), viewport: size(data), from: 'meta' };
  }
  if (event.type === RRWEB.Custom && data['tag'] === LOUPE_TAGS.pageview) {
    const payload = isRecord(data['payload']) ? data['payload'] : {};
    return { url: str(payload['url'], TYPED_EVENT_LIMITS.url), viewport: size(payload['viewport']), from: 'pageview' };
  }
  return undefined;
}
