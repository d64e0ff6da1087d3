import type { ScrollPayload } from '@loupe/contracts/recording';

/** Scrolling is reported once it has stopped this long, so one long scroll is one event. */
export const SCROLL_SETTLE_MS = 1000;

/**
 * The furthest point of the current page the visitor has seen. A report is sent when that point has
 * grown and scrolling has settled, when the page changes and when the tab is hidden, so the last
 * report of a page view holds its maximum even if the tab is closed without warning.
 */
export class ScrollDepth {
  private url = '';
  private maxY = 0;
  private reportedY = -1;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly send: (payload: ScrollPayload) => void) {}

  /** A new page view: the previous page's last growth is sent first, then the new page starts where it is seen. */
  page(url: string): void {
    this.report();
    this.url = url;
    this.maxY = 0;
    this.reportedY = -1;
    this.observe();
    // Every page view gets a depth, even without any scrolling, once its layout has settled.
    this.later();
  }

  observe(): void {
    const bottom = window.scrollY + window.innerHeight;
    if (bottom <= this.maxY) return;
    this.maxY = bottom;
    this.later();
  }

  /** Sends the furthest point now when it has grown since the last report. */
  report(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.url || this.maxY <= this.reportedY) return;
    this.reportedY = this.maxY;
    const doc = document.documentElement;
    const body = document.body;
    const height = Math.max(doc.scrollHeight, body?.scrollHeight ?? 0, 1);
    const width = Math.max(doc.scrollWidth, body?.scrollWidth ?? 0);
    this.send({
      url: this.url,
      maxDepth: Math.min(1, Math.round((this.maxY / height) * 1000) / 1000),
      maxY: Math.round(Math.min(this.maxY, height)),
      document: { width, height },
      viewport: { width: window.innerWidth, height: window.innerHeight },
    });
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private later(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.report(), SCROLL_SETTLE_MS);
  }
}
