import type { HeatmapResponse, HeatmapSnapshot, PageRow } from '@loupe/contracts';
import { cellCentre, elementCellCentre } from '@loupe/analytics';
import 'rrweb/dist/style.css';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { apiRequest, messageOf } from '../api';
import { formatDuration } from '../format';
import { boxOf, buildBackground, exportPng, type Background } from '../heatmaps/background';
import { drawDensity, drawScrollMap, drawZones, type WeightedPoint } from '../heatmaps/density';
import { EmptyState, PageHeading, useDocumentTitle } from '../page';
import { useProject } from '../projects';

const KINDS = [
  { value: 'click', label: 'Clicks' },
  { value: 'move', label: 'Mouse movement' },
  { value: 'scroll', label: 'Scroll depth' },
  { value: 'zones', label: 'Zones' },
  { value: 'rage', label: 'Rage clicks' },
  { value: 'dead', label: 'Dead clicks' },
] as const;
type Kind = (typeof KINDS)[number]['value'];
const DEVICES = [
  { value: 'desktop', label: 'Desktop (1024 px and wider)' },
  { value: 'tablet', label: 'Tablet (768–1023 px)' },
  { value: 'mobile', label: 'Mobile (below 768 px)' },
] as const;
type Device = (typeof DEVICES)[number]['value'];
const RANGES = [
  { value: '7d', label: 'Last 7 days', days: 7 },
  { value: '30d', label: 'Last 30 days', days: 30 },
  { value: '90d', label: 'Last 90 days', days: 90 },
] as const;
const COMPARES = [
  { value: 'none', label: 'Nothing' },
  { value: 'previous', label: 'The period before' },
  { value: 'variants', label: 'Two variants' },
] as const;

const DAY_MS = 24 * 3600_000;
const dayString = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const percent = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${Math.round(x * 100)}%`);

interface PanelQuery {
  title: string;
  from: string;
  to: string;
  experiment?: string;
  variant?: string;
}

/**
 * Heatmaps drawn over the page as it was recorded: a full snapshot rebuilt in a sandboxed frame at
 * the device's width, with clicks, movement, scroll depth, zones or frustration as a layer on top.
 */
export function HeatmapsPage() {
  const project = useProject();
  useDocumentTitle('Heatmaps', project.name);
  const id = useId();
  const [params, setParams] = useSearchParams();
  const set = (next: Record<string, string | undefined>) =>
    setParams((p) => {
      const q = new URLSearchParams(p);
      for (const [k, v] of Object.entries(next)) {
        if (v) q.set(k, v);
        else q.delete(k);
      }
      return q;
    });
  const kind = (KINDS.find((k) => k.value === params.get('kind'))?.value ?? 'click') as Kind;
  const device = (DEVICES.find((d) => d.value === params.get('device'))?.value ?? 'desktop') as Device;
  const range = RANGES.find((r) => r.value === params.get('range')) ?? RANGES[1];
  const compare = COMPARES.find((c) => c.value === params.get('compare'))?.value ?? 'none';
  const goal = params.get('goal') ?? '';
  const [pages, setPages] = useState<PageRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const page = params.get('page') ?? pages?.[0]?.pageKey ?? '';
  const [snapshots, setSnapshots] = useState<HeatmapSnapshot[] | null>(null);
  const snapIndex = Math.max(0, Number(params.get('snapshot') ?? 0) || 0);
  const snapshot = snapshots?.[snapIndex] ?? snapshots?.[0] ?? null;

  useEffect(() => {
    const ctrl = new AbortController();
    apiRequest<{ pages: PageRow[] }>(`/api/v1/pages?project=${project.id}&sort=views&limit=200&from=${new Date(Date.now() - 90 * DAY_MS).toISOString()}`, { signal: ctrl.signal })
      .then((a) => setPages(a.pages))
      .catch((err) => !ctrl.signal.aborted && setError(messageOf(err)));
    return () => ctrl.abort();
  }, [project.id]);

  useEffect(() => {
    if (!page) return;
    const ctrl = new AbortController();
    setSnapshots(null);
    apiRequest<{ snapshots: HeatmapSnapshot[] }>(`/api/v1/heatmaps/snapshots?project=${project.id}&page=${encodeURIComponent(page)}&device=${device}`, { signal: ctrl.signal })
      .then((a) => setSnapshots(a.snapshots))
      .catch((err) => !ctrl.signal.aborted && setError(messageOf(err)));
    return () => ctrl.abort();
  }, [project.id, page, device]);

  const panels = useMemo((): PanelQuery[] => {
    const today = Date.now();
    const to = dayString(today);
    const from = dayString(today - (range.days - 1) * DAY_MS);
    if (compare === 'previous') {
      return [
        { title: `${from} to ${to}`, from, to },
        { title: `${dayString(today - (2 * range.days - 1) * DAY_MS)} to ${dayString(today - range.days * DAY_MS)}`, from: dayString(today - (2 * range.days - 1) * DAY_MS), to: dayString(today - range.days * DAY_MS) },
      ];
    }
    if (compare === 'variants') {
      const experiment = params.get('experiment') ?? '';
      const a = params.get('variantA') ?? '';
      const b = params.get('variantB') ?? '';
      if (experiment && a && b) {
        return [
          { title: `${experiment}: ${a}`, from, to, experiment, variant: a },
          { title: `${experiment}: ${b}`, from, to, experiment, variant: b },
        ];
      }
    }
    return [{ title: `${from} to ${to}`, from, to }];
  }, [range.days, compare, params]);

  return (
    <>
      <PageHeading description="Where people click, how their cursor moves, how far they scroll and which elements earn their clicks, drawn over the page as it was recorded, for each device.">
        Heatmaps
      </PageHeading>
      <form className="filters" aria-label="Choose a heatmap" onSubmit={(e) => e.preventDefault()}>
        <div className="filter">
          <label htmlFor={`${id}-page`}>Page</label>
          <select id={`${id}-page`} value={page} onChange={(e) => set({ page: e.target.value, snapshot: undefined })} disabled={!pages?.length}>
            {(pages ?? []).map((p) => (
              <option key={p.pageKey} value={p.pageKey}>
                {p.pageKey} ({p.views} views)
              </option>
            ))}
          </select>
        </div>
        <div className="filter">
          <label htmlFor={`${id}-device`}>Device</label>
          <select id={`${id}-device`} value={device} onChange={(e) => set({ device: e.target.value, snapshot: undefined })}>
            {DEVICES.map((d) => (
              <option key={d.value} value={d.value}>
                {d.label}
              </option>
            ))}
          </select>
        </div>
        <div className="filter">
          <label htmlFor={`${id}-kind`}>Map</label>
          <select id={`${id}-kind`} value={kind} onChange={(e) => set({ kind: e.target.value })}>
            {KINDS.map((k) => (
              <option key={k.value} value={k.value}>
                {k.label}
              </option>
            ))}
          </select>
        </div>
        <div className="filter">
          <label htmlFor={`${id}-range`}>Time</label>
          <select id={`${id}-range`} value={range.value} onChange={(e) => set({ range: e.target.value })}>
            {RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        <div className="filter">
          <label htmlFor={`${id}-snapshot`}>Background</label>
          <select id={`${id}-snapshot`} value={snapshot ? String(snapshots!.indexOf(snapshot)) : ''} onChange={(e) => set({ snapshot: e.target.value })} disabled={!snapshots?.length}>
            {(snapshots ?? []).map((s, i) => (
              <option key={`${s.sessionId}/${s.windowId}/${s.seq}/${s.ts}`} value={String(i)}>
                {new Date(s.ts).toLocaleString()} · {s.viewportWidth ?? '?'} px
              </option>
            ))}
          </select>
        </div>
        <div className="filter">
          <label htmlFor={`${id}-compare`}>Compare with</label>
          <select id={`${id}-compare`} value={compare} onChange={(e) => set({ compare: e.target.value })}>
            {COMPARES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        {compare === 'variants' && (
          <>
            <div className="filter">
              <label htmlFor={`${id}-experiment`}>Experiment</label>
              <input id={`${id}-experiment`} defaultValue={params.get('experiment') ?? ''} onBlur={(e) => set({ experiment: e.currentTarget.value.trim() || undefined })} />
            </div>
            <div className="filter">
              <label htmlFor={`${id}-va`}>Variant A</label>
              <input id={`${id}-va`} defaultValue={params.get('variantA') ?? ''} onBlur={(e) => set({ variantA: e.currentTarget.value.trim() || undefined })} />
            </div>
            <div className="filter">
              <label htmlFor={`${id}-vb`}>Variant B</label>
              <input id={`${id}-vb`} defaultValue={params.get('variantB') ?? ''} onBlur={(e) => set({ variantB: e.currentTarget.value.trim() || undefined })} />
            </div>
          </>
        )}
        {kind === 'zones' && (
          <div className="filter">
            <label htmlFor={`${id}-goal`}>Goal (page key or event)</label>
            <input id={`${id}-goal`} placeholder="/checkout or purchase" defaultValue={goal} onBlur={(e) => set({ goal: e.currentTarget.value.trim() || undefined })} />
          </div>
        )}
      </form>
      {error && (
        <p className="alert" role="alert">
          {error}
        </p>
      )}
      {pages && !pages.length && (
        <EmptyState title="Nothing to show yet">
          <p>Heatmaps appear for a page once visits to it have been recorded.</p>
          <p>
            <Link to={`/p/${project.id}/sessions`}>Install the snippet</Link> on your site to start recording.
          </p>
        </EmptyState>
      )}
      {page && snapshots && !snapshots.length && (
        <p className="muted">No full snapshot of this page was recorded on this device yet: the heatmap needs one to draw the page behind it.</p>
      )}
      {page && snapshot && (
        <div className="heatmap-panels" data-count={panels.length}>
          {panels.map((p) => (
            <HeatmapPanel key={`${p.title}/${snapshot.ts}`} projectId={project.id} page={page} device={device} kind={kind} goal={goal} snapshot={snapshot} query={p} />
          ))}
        </div>
      )}
    </>
  );
}

function HeatmapPanel(props: { projectId: string; page: string; device: Device; kind: Kind; goal: string; snapshot: HeatmapSnapshot; query: PanelQuery }) {
  const { projectId, page, device, kind, goal, snapshot, query } = props;
  const frameRoot = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const outer = useRef<HTMLDivElement>(null);
  const [bg, setBg] = useState<Background | null>(null);
  const [data, setData] = useState<HeatmapResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [scale, setScale] = useState(1);
  const [unplaced, setUnplaced] = useState(0);
  const [drawn, setDrawn] = useState(false);

  useEffect(() => {
    const root = frameRoot.current;
    if (!root) return;
    const ctrl = new AbortController();
    let built: Background | null = null;
    setBg(null);
    buildBackground(root, projectId, snapshot, ctrl.signal)
      .then((b) => {
        if (ctrl.signal.aborted) return b.destroy();
        built = b;
        setBg(b);
      })
      .catch((err) => !ctrl.signal.aborted && setError(messageOf(err)));
    return () => {
      ctrl.abort();
      built?.destroy();
    };
  }, [projectId, snapshot]);

  useEffect(() => {
    const ctrl = new AbortController();
    const q = new URLSearchParams({ project: projectId, page, kind, device, from: query.from, to: query.to });
    if (query.experiment && query.variant) {
      q.set('experiment', query.experiment);
      q.set('variant', query.variant);
    }
    if (kind === 'zones' && goal) q.set(goal.startsWith('/') ? 'goalPage' : 'goalEvent', goal);
    setData(null);
    apiRequest<HeatmapResponse>(`/api/v1/heatmaps?${q}`, { signal: ctrl.signal })
      .then(setData)
      .catch((err) => !ctrl.signal.aborted && setError(messageOf(err)));
    return () => ctrl.abort();
  }, [projectId, page, kind, device, goal, query]);

  useEffect(() => {
    const el = outer.current;
    if (!el || !bg) return;
    const fit = () => setScale(Math.min(1, el.clientWidth / bg.width));
    fit();
    const ro = new ResizeObserver(fit);
    ro.observe(el);
    return () => ro.disconnect();
  }, [bg]);

  useEffect(() => {
    const c = canvas.current;
    if (!c || !bg || !data) return;
    c.width = bg.width;
    c.height = bg.height;
    let missing = 0;
    if (data.kind === 'scroll') {
      drawScrollMap(c, data.reach ?? [], bg.fold);
    } else if (data.kind === 'zones') {
      const most = Math.max(1, ...(data.zones ?? []).map((z) => z.clicks));
      const boxes = [];
      for (const z of data.zones ?? []) {
        const box = boxOf(bg.document, z.selector);
        if (!box) {
          missing += z.clicks;
          continue;
        }
        boxes.push({ ...box, heat: z.clicks / most, label: `${z.clicks} clicks · ${percent(z.visitorShare)}` });
      }
      drawZones(c, boxes);
    } else {
      const points: WeightedPoint[] = [];
      if (data.kind === 'click' && data.elements) {
        // Clicks are drawn on the element they hit, wherever this snapshot's layout puts it.
        for (const el of data.elements) {
          const box = boxOf(bg.document, el.selector);
          if (!box) {
            missing += el.clicks;
            continue;
          }
          for (const cell of el.cells) points.push({ ...elementCellCentre(cell.gx, cell.gy, box), weight: cell.count });
        }
      } else {
        for (const cell of data.cells) points.push({ ...cellCentre(cell.gx, cell.gy, bg.width), weight: cell.count });
      }
      drawDensity(c, points);
    }
    setUnplaced(missing);
    setDrawn(true);
  }, [bg, data]);

  const download = async () => {
    if (!bg || !canvas.current) return;
    try {
      const blob = await exportPng(bg, canvas.current);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `heatmap-${kind}-${device}-${page.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'home'}-${query.from}-${query.to}.png`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <section className="heatmap-panel" aria-label={`Heatmap ${query.title}`} data-drawn={drawn && bg && data ? 'true' : 'false'} data-kind={kind}>
      <header className="heatmap-panel-head">
        <h2>{query.title}</h2>
        <span className="muted small">
          {data ? `${data.total.toLocaleString()} ${kind === 'scroll' ? 'page views' : kind === 'move' ? 'pointer samples' : kind === 'zones' ? 'clicks on zones' : 'clicks'}` : 'Loading…'}
          {unplaced > 0 && ` · ${unplaced.toLocaleString()} on elements not in this snapshot`}
        </span>
        <button type="button" className="secondary" onClick={download} disabled={!bg || !data}>
          Export PNG
        </button>
      </header>
      {error && (
        <p className="alert" role="alert">
          {error}
        </p>
      )}
      <div className="heatmap-stage" ref={outer} style={{ height: bg ? bg.height * scale : 400 }}>
        <div className="heatmap-scaled" style={{ transform: `scale(${scale})`, width: bg?.width, height: bg?.height }}>
          <div className="heatmap-frame" ref={frameRoot} />
          <canvas className="heatmap-layer" ref={canvas} aria-label="Heat layer" />
        </div>
      </div>
      {kind === 'zones' && data?.zones && <ZonesTable zones={data.zones} />}
    </section>
  );
}

function ZonesTable({ zones }: { zones: NonNullable<HeatmapResponse['zones']> }) {
  const withGoal = zones.some((z) => z.conversion);
  return (
    <div className="table-scroll">
      <table className="sessions-table heatmap-zones">
        <thead>
          <tr>
            <th scope="col">Element</th>
            <th scope="col" className="num">Clicks</th>
            <th scope="col" className="num">Visits that clicked</th>
            <th scope="col" className="num">Rage</th>
            <th scope="col" className="num">Dead</th>
            <th scope="col" className="num">Hover</th>
            {withGoal && <th scope="col" className="num">Converted if clicked</th>}
            {withGoal && <th scope="col" className="num">Otherwise</th>}
          </tr>
        </thead>
        <tbody>
          {zones.map((z) => (
            <tr key={z.selector}>
              <th scope="row">
                <code>{z.selector}</code>
              </th>
              <td className="num">{z.clicks.toLocaleString()}</td>
              <td className="num">
                {z.visitors.toLocaleString()} ({percent(z.visitorShare)})
              </td>
              <td className="num">{z.rage || '–'}</td>
              <td className="num">{z.dead || '–'}</td>
              <td className="num">{z.hoverMs ? formatDuration(z.hoverMs) : '–'}</td>
              {withGoal && <td className="num">{z.conversion ? `${percent(z.conversion.clicked.rate)} of ${z.conversion.clicked.visits}` : '–'}</td>}
              {withGoal && <td className="num">{z.conversion ? `${percent(z.conversion.notClicked.rate)} of ${z.conversion.notClicked.visits}` : '–'}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
