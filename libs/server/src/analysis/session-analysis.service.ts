import { Injectable } from '@nestjs/common';
import type { ProjectSettings } from '@loupe/contracts';
import { pageKey, pageViewsOf, sessionHeat, type ChunkHeatInputs, type TabPages } from '@loupe/analytics';
import { deviceOf, summarizeSession } from '@loupe/replay';
import { countByKind, detectSignals, frustrationScore, type ChunkSignalInputs } from '@loupe/signals';
import { FunnelMatchingService } from '../funnels/funnel-matching.service';
import { ProjectsService } from '../projects/projects.service';
import type { SessionKey } from '../queue/queue.definitions';
import type { StoredChunkFacts } from '../recordings/recordings.repository';
import { SessionAnalysisRepository, type SessionAnalysis, type VisitorExposure } from './session-analysis.repository';

/**
 * A session's summary, frustration signals, page views and funnel steps, worked out again from the facts of all
 * its processed chunks. Running it twice, or on chunks processed in any order, gives the same rows.
 */
@Injectable()
export class SessionAnalysisService {
  constructor(
    private readonly repo: SessionAnalysisRepository,
    private readonly projects: ProjectsService,
    private readonly funnels: FunnelMatchingService,
  ) {}

  async analyse(k: SessionKey): Promise<{ signals: number; pageViews: number; skipped?: string; lastReceivedAt?: Date }> {
    const session = await this.repo.session(k);
    if (!session) return { signals: 0, pageViews: 0, skipped: 'the session is no longer stored' };
    const [facts, settings, exposures] = await Promise.all([this.repo.facts(k), this.projects.settingsOf(k.projectId), this.repo.exposures(k.projectId, session.visitorId)]);
    const analysis = analyseFacts(facts, settings, { ended: session.ended, userAgent: session.userAgent }, exposures);
    const saved = await this.repo.save(k, analysis, session.factsChangedAt);
    // After the save: the session's events now all know the page they happened on.
    if (saved) await this.funnels.refreshSessions(k.projectId, [k.sessionId]);
    return saved
      ? { signals: analysis.signals.length, pageViews: analysis.pageViews.length, lastReceivedAt: session.lastReceivedAt }
      : { signals: 0, pageViews: 0, skipped: 'a newer analysis was saved meanwhile', lastReceivedAt: session.lastReceivedAt };
  }
}

/** The pure part of an analysis: from stored chunk facts to the rows to write. */
export function analyseFacts(
  facts: readonly StoredChunkFacts[],
  settings: Pick<ProjectSettings, 'signals' | 'pages'>,
  session: { ended: boolean; userAgent: string | null },
  exposures: readonly VisitorExposure[] = [],
): SessionAnalysis {
  const summary = summarizeSession(facts);
  // An imported recording has no user agent: its device class still follows from its viewport.
  const device = deviceOf(session.userAgent ?? '', summary.viewport?.width);
  const keys = new Map<string, string>();
  const keyOf = (url: string): string => {
    let key = keys.get(url);
    if (key === undefined) keys.set(url, (key = pageKey(url, settings.pages)));
    return key;
  };

  const inputs = facts.map((f) => f.signals).filter((s): s is ChunkSignalInputs => !!s);
  const signals = detectSignals(inputs, settings.signals, { samePage: (a, b) => keyOf(a) === keyOf(b), ended: session.ended });
  const tabs = new Map<string, TabPages & { pages: Array<{ ts: number; url: string }> }>();
  const errors: Array<{ ts: number; windowId?: string }> = [];
  for (const input of inputs) {
    const id = input.windowId ?? '';
    let tab = tabs.get(id);
    if (!tab) tabs.set(id, (tab = input.windowId !== undefined ? { windowId: input.windowId, pages: [] } : { pages: [] }));
    tab.pages.push(...input.pages);
    if (input.lastTs !== undefined && (tab.lastTs === undefined || input.lastTs > tab.lastTs)) tab.lastTs = input.lastTs;
    for (const e of input.errors) errors.push(input.windowId !== undefined ? { ts: e.ts, windowId: input.windowId } : { ts: e.ts });
  }
  // A chunk processed twice brings its pages twice: one view per tab and moment.
  for (const tab of tabs.values()) tab.pages = [...new Map(tab.pages.map((p) => [`${p.ts}\u0000${p.url}`, p])).values()];
  const pageViews = pageViewsOf([...tabs.values()], keyOf, signals, dedupe(errors));
  const counts = countByKind(signals);
  const heatInputs = facts.map((f) => f.heat).filter((h): h is ChunkHeatInputs => !!h);
  const heat = sessionHeat(heatInputs, pageViews, signals, keyOf);
  // A variant's map shows what its visitors did once they saw it: a session that began before the
  // exposure counts from that moment, one after it counts whole, one that ended before it not at all.
  const variantHeat = exposures
    .filter((x) => summary.lastTs === undefined || x.firstTs <= summary.lastTs)
    .map((x) => ({
      variant: `${x.experimentKey}=${x.variant}`,
      heat:
        summary.firstTs !== undefined && x.firstTs <= summary.firstTs
          ? heat
          : sessionHeat(
              heatInputs.map((i) => ({ ...i, clicks: i.clicks.filter((c) => c.ts >= x.firstTs), moves: i.moves.filter((mv) => mv.ts >= x.firstTs), scrolls: i.scrolls.filter((s) => s.ts >= x.firstTs) })),
              pageViews,
              signals.filter((s) => s.ts >= x.firstTs),
              keyOf,
            ),
    }));
  return {
    summary,
    device: session.userAgent ? device : { device: device.device, browser: null, os: null },
    signals: signals.map((s) => ({ ...s, pageKey: s.url ? keyOf(s.url) : null })),
    signalCounts: counts as Record<string, number>,
    frustrationScore: frustrationScore(counts, errors.length),
    pageViews,
    entryPage: pageViews[0]?.pageKey ?? (summary.entryUrl ? keyOf(summary.entryUrl) : null),
    exitPage: pageViews[pageViews.length - 1]?.pageKey ?? (summary.exitUrl ? keyOf(summary.exitUrl) : null),
    bounced: pageViews.length === 1,
    heat,
    variantHeat,
  };
}

function dedupe<T extends { ts: number; windowId?: string }>(list: T[]): T[] {
  return [...new Map(list.map((e) => [`${e.ts}\u0000${e.windowId ?? ''}`, e])).values()];
}
