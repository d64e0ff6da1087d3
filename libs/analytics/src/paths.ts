import type { PathNode } from '@loupe/contracts';

/** One transition counted in the data: at `level`, sessions went from `fromKey` to `toKey` (null: the visit ended). */
export interface PathTransition {
  level: number;
  fromKey: string;
  toKey: string | null;
  sessions: number;
}

export const OTHER_PAGES = '(other)';

/**
 * The Sankey graph of journeys from (or to) one page: a node per page and level, the `width`
 * busiest pages of a level kept and the rest grouped as `(other)`, and a link per pair of nodes.
 * Level 0 is the page itself; sessions that stop at a node count as its exits.
 */
export function pathGraph(start: string, startSessions: number, transitions: readonly PathTransition[], width: number): { nodes: PathNode[]; links: Array<{ source: string; target: string; sessions: number }> } {
  const nodes = new Map<string, PathNode>();
  const id = (level: number, key: string) => `${level}:${key}`;
  nodes.set(id(0, start), { id: id(0, start), level: 0, pageKey: start, sessions: startSessions, exits: 0 });
  const levels = [...new Set(transitions.map((t) => t.level))].sort((a, b) => a - b);
  const kept = new Map<number, Set<string>>([[0, new Set([start])]]);
  const linkCounts = new Map<string, { source: string; target: string; sessions: number }>();
  for (const level of levels) {
    const here = transitions.filter((t) => t.level === level);
    const totals = new Map<string, number>();
    for (const t of here) if (t.toKey !== null) totals.set(t.toKey, (totals.get(t.toKey) ?? 0) + t.sessions);
    const top = new Set([...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, width).map(([k]) => k));
    kept.set(level, top);
    const previous = kept.get(level - 1) ?? new Set<string>();
    for (const t of here) {
      const from = previous.has(t.fromKey) ? t.fromKey : OTHER_PAGES;
      const source = nodes.get(id(level - 1, from));
      if (!source) continue;
      if (t.toKey === null) {
        source.exits += t.sessions;
        continue;
      }
      const to = top.has(t.toKey) ? t.toKey : OTHER_PAGES;
      let target = nodes.get(id(level, to));
      if (!target) nodes.set(id(level, to), (target = { id: id(level, to), level, pageKey: to, sessions: 0, exits: 0 }));
      target.sessions += t.sessions;
      const key = `${source.id}\u0000${target.id}`;
      const link = linkCounts.get(key) ?? { source: source.id, target: target.id, sessions: 0 };
      link.sessions += t.sessions;
      linkCounts.set(key, link);
    }
  }
  return { nodes: [...nodes.values()], links: [...linkCounts.values()] };
}

/**
 * The transitions of one visit's pages from the first view of `start` (or, backwards, from the
 * last view of it), `depth` levels deep. Pure reference for what the paths query counts in SQL.
 */
export function pathTransitionsOf(pages: readonly string[], start: string, depth: number, direction: 'next' | 'previous'): PathTransition[] {
  const seq = direction === 'next' ? pages : [...pages].reverse();
  const at = seq.indexOf(start);
  if (at < 0) return [];
  const out: PathTransition[] = [];
  for (let level = 1; level <= depth; level++) {
    const from = seq[at + level - 1]!;
    const to = seq[at + level] ?? null;
    out.push({ level, fromKey: from, toKey: to, sessions: 1 });
    if (to === null) break;
  }
  return out;
}
