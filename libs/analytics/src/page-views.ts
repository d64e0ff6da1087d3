/**
 * A session's page views with what happened on each: how long the visitor stayed, whether the
 * visit started or ended there, and the frustration signals and errors seen while it was open.
 * The drop-off table of pages sums these rows.
 */
export interface PageView {
  windowId?: string;
  ts: number;
  url: string;
  pageKey: string;
  /** Until the next page in the same tab, or the tab's last event. */
  durationMs: number;
  isEntry: boolean;
  isExit: boolean;
  signals: Record<string, number>;
  errors: number;
}

export interface TabPages {
  windowId?: string;
  pages: ReadonlyArray<{ ts: number; url: string }>;
  /** The tab's last recorded event. */
  lastTs?: number;
}

/**
 * Page views of a session from the pages of each tab. The entry is the session's first view, the
 * exit its last, across tabs. Signals and errors count on the view open in their tab at their time.
 */
export function pageViewsOf(
  tabs: readonly TabPages[],
  keyOf: (url: string) => string,
  signals: ReadonlyArray<{ kind: string; ts: number; windowId?: string }> = [],
  errors: ReadonlyArray<{ ts: number; windowId?: string }> = [],
): PageView[] {
  const views: PageView[] = [];
  for (const tab of tabs) {
    const pages = [...tab.pages].sort((a, b) => a.ts - b.ts);
    pages.forEach((p, i) => {
      const next = pages[i + 1];
      const end = next ? next.ts : Math.max(p.ts, tab.lastTs ?? p.ts);
      const view: PageView = { ts: p.ts, url: p.url, pageKey: keyOf(p.url), durationMs: end - p.ts, isEntry: false, isExit: false, signals: {}, errors: 0 };
      if (tab.windowId !== undefined) view.windowId = tab.windowId;
      views.push(view);
    });
  }
  if (views.length === 0) return views;
  views.sort((a, b) => a.ts - b.ts || (a.windowId ?? '').localeCompare(b.windowId ?? ''));
  const [entry] = views;
  const exit = views[views.length - 1];
  if (entry) entry.isEntry = true;
  if (exit) exit.isExit = true;

  const openAt = (ts: number, windowId: string | undefined): PageView | undefined => {
    let found: PageView | undefined;
    for (const v of views) {
      if (v.windowId !== windowId) continue;
      if (v.ts > ts) break;
      found = v;
    }
    // Before the tab's first page view (a signal on a page that was already open): the first view.
    return found ?? views.find((v) => v.windowId === windowId);
  };
  for (const s of signals) {
    const v = openAt(s.ts, s.windowId);
    if (v) v.signals[s.kind] = (v.signals[s.kind] ?? 0) + 1;
  }
  for (const e of errors) {
    const v = openAt(e.ts, e.windowId);
    if (v) v.errors++;
  }
  return views;
}
