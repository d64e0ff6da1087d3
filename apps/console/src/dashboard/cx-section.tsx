import type { CxReport, Survey } from '@loupe/contracts';
import { useEffect, useId, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { Area, Bar, CartesianGrid, ComposedChart, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { apiRequest, messageOf } from '../api';
import '../feedback/feedback.css';
import { formatDuration, plural } from '../format';
import { TextFilter } from '../filters';
import { rangeOf, type DashboardSectionProps } from './dashboard-filters';

type Bounds = { low: number; high: number } | null;

const COLORS = { main: '#3b5bdb', band: '#3b5bdb', second: '#12b76a', third: '#f79009', muted: '#98a2b3' };
const CX_PARAMS = ['survey', 'url', 'revenueEvent', 'revenueProperty', 'churnDays'] as const;

const sign = (n: number) => (n > 0 ? `+${Math.round(n)}` : n < 0 ? `−${Math.abs(Math.round(n))}` : '0');
const pct = (n: number | null) => (n === null ? '—' : `${n.toFixed(1)}%`);
const dec = (n: number | null, digits = 2) => (n === null ? '—' : n.toFixed(digits));
const money = (n: number | null) => (n === null ? '—' : n.toLocaleString(undefined, { maximumFractionDigits: 2 }));
const between = (b: Bounds, f: (n: number) => string) => (b ? `95% interval ${f(b.low)} to ${f(b.high)}` : 'Too few answers for an interval');
const band = (b: Bounds): [number, number] | null => (b ? [b.low, b.high] : null);

function bucketLabel(iso: string, interval: CxReport['interval']): string {
  const d = new Date(iso);
  if (interval === 'month') return d.toLocaleDateString(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });
  return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/**
 * The customer-experience part of the Dashboard: the scores visitors give (with their 95% intervals,
 * so that a small sample reads as uncertain), how often they answer, how fast the team resolves what
 * they raise, and whether they come back and spend.
 */
export function CxSection({ project, filters }: DashboardSectionProps) {
  const [params, setParams] = useSearchParams();
  const [surveys, setSurveys] = useState<Survey[]>([]);
  const [report, setReport] = useState<CxReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const own = useMemo(() => Object.fromEntries(CX_PARAMS.map((k) => [k, params.get(k) ?? undefined])) as Partial<Record<(typeof CX_PARAMS)[number], string>>, [params]);
  const { from, to } = rangeOf(filters);

  const query = useMemo(() => {
    const q = new URLSearchParams({ project: project.id, from, to, interval: filters.interval });
    if (filters.device) q.set('device', filters.device);
    if (filters.experiment) q.set('experiment', filters.experiment);
    if (filters.experiment && filters.variant) q.set('variant', filters.variant);
    for (const k of CX_PARAMS) if (own[k]) q.set(k, own[k] as string);
    return q.toString();
  }, [project.id, from, to, filters, own]);

  useEffect(() => {
    apiRequest<{ surveys: Survey[] }>(`/api/v1/surveys?project=${project.id}`)
      .then((r) => setSurveys(r.surveys))
      .catch(() => setSurveys([]));
  }, [project.id]);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    apiRequest<CxReport>(`/api/v1/cx?${query}`, { signal: controller.signal })
      .then((r) => setReport(r))
      .catch((err: unknown) => !controller.signal.aborted && setError(messageOf(err)))
      .finally(() => !controller.signal.aborted && setLoading(false));
    return () => controller.abort();
  }, [query]);

  const setOwn = (k: (typeof CX_PARAMS)[number], v: string | undefined) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (v) next.set(k, v);
        else next.delete(k);
        return next;
      },
      { replace: true },
    );

  return (
    <div className="cx" aria-busy={loading} data-query={loading ? undefined : query}>
      <CxFilters surveys={surveys} own={own} setOwn={setOwn} report={report} />
      {error && (
        <p className="alert" role="alert">
          {error}
        </p>
      )}
      {report && <CxFigures report={report} />}
    </div>
  );
}

function CxFilters({ surveys, own, setOwn, report }: { surveys: Survey[]; own: Partial<Record<(typeof CX_PARAMS)[number], string>>; setOwn(k: (typeof CX_PARAMS)[number], v: string | undefined): void; report: CxReport | null }) {
  const id = useId();
  return (
    <form className="filters" aria-label="Customer experience filters" onSubmit={(e: FormEvent) => e.preventDefault()}>
      <div className="filter">
        <label htmlFor={`${id}-survey`}>Survey</label>
        <select id={`${id}-survey`} value={own.survey ?? ''} onChange={(e) => setOwn('survey', e.target.value || undefined)}>
          <option value="">Every survey</option>
          {surveys.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </div>
      <TextFilter id={`${id}-url`} label="Page URL contains" placeholder="/checkout" value={own.url} commit={(v) => setOwn('url', v)} />
      <TextFilter id={`${id}-revenue`} label="Revenue event" placeholder={report?.ltv.event ?? 'purchase'} value={own.revenueEvent} commit={(v) => setOwn('revenueEvent', v)} />
      <TextFilter id={`${id}-property`} label="Its amount property" placeholder={report?.ltv.property ?? 'value'} value={own.revenueProperty} commit={(v) => setOwn('revenueProperty', v)} />
      <TextFilter id={`${id}-churn`} label="Churned after (days)" placeholder={String(report?.churn.periodDays ?? 30)} value={own.churnDays} commit={(v) => setOwn('churnDays', v && /^\d+$/.test(v) ? v : undefined)} />
    </form>
  );
}

function Kpi({ name, label, value, detail }: { name: string; label: string; value: string; detail: ReactNode }) {
  return (
    <div className="kpi" data-kpi={name}>
      <dt>{label}</dt>
      <dd className="kpi-value">{value}</dd>
      <dd className="muted small">{detail}</dd>
    </div>
  );
}

function CxFigures({ report: r }: { report: CxReport }) {
  const label = (iso: string) => bucketLabel(iso, r.interval);
  const nps = r.nps.trend.map((t) => ({ bucket: label(t.bucket), score: t.score, band: band(t.interval), n: t.n }));
  const csat = r.csat.trend.map((t) => ({ bucket: label(t.bucket), percent: t.percent, band: band(t.interval), n: t.n }));
  const ces = r.ces.trend.map((t) => ({ bucket: label(t.bucket), mean: t.mean, band: band(t.meanInterval), n: t.n }));
  const responses = r.responses.trend.map((t) => ({ bucket: label(t.bucket), answers: t.answers, shown: t.shown, rate: t.rate }));
  const ttr = r.ttr.trend.map((t) => ({ bucket: label(t.bucket), mean: t.meanMs === null ? null : t.meanMs / 3600_000, median: t.medianMs === null ? null : t.medianMs / 3600_000, resolved: t.resolved }));
  const churn = r.churn.trend.map((t) => ({ bucket: label(t.bucket), rate: t.rate, active: t.active }));
  const ltv = r.ltv.trend.map((t) => ({ bucket: label(t.bucket), mean: t.mean, revenue: t.revenue }));

  return (
    <>
      <dl className="kpis">
        <Kpi name="nps" label="NPS" value={r.nps.score === null ? '—' : sign(r.nps.score)} detail={!r.nps.n ? 'No answers in this range' : <>{plural(r.nps.n, 'answer')}: {plural(r.nps.promoters, 'promoter')}, {plural(r.nps.passives, 'passive')}, {plural(r.nps.detractors, 'detractor')}. {between(r.nps.interval, sign)}</>} />
        <Kpi name="csat" label="CSAT (top two)" value={pct(r.csat.percent)} detail={r.csat.n ? <>{plural(r.csat.n, 'answer')}, mean {dec(r.csat.mean)} on {r.csat.meanScale}. {between(r.csat.interval, (n) => pct(n))}</> : 'No answers in this range'} />
        <Kpi name="ces" label="CES (mean, 1–7)" value={dec(r.ces.mean)} detail={r.ces.n ? <>{plural(r.ces.n, 'answer')}, {pct(r.ces.percentEasy)} easy. {between(r.ces.meanInterval, (n) => dec(n))}</> : 'No answers in this range'} />
        <Kpi name="responses" label="Response rate" value={pct(r.responses.rate)} detail={<>{plural(r.responses.answers, 'answer')} to {plural(r.responses.shown, 'survey')} shown</>} />
        <Kpi name="ttr" label="Time to resolution" value={r.ttr.meanMs === null ? '—' : formatDuration(r.ttr.meanMs)} detail={<>mean of {r.ttr.resolved} resolved; median {r.ttr.medianMs === null ? '—' : formatDuration(r.ttr.medianMs)}</>} />
        <Kpi name="churn" label={`Churn (${r.churn.periodDays} days)`} value={pct(r.churn.rate)} detail={<>{r.churn.churned} of {r.churn.active} identified visitors did not return</>} />
        <Kpi name="ltv" label="Lifetime value (mean)" value={money(r.ltv.mean)} detail={r.ltv.event ? <>{plural(r.ltv.customers, 'customer')}, {money(r.ltv.total)} in all from "{r.ltv.event}".{r.ltv.property}</> : <>Name the revenue event above, or in the project settings</>} />
      </dl>
      <div className="charts">
        <Trend title="NPS" data={nps} unit="" domain={[-100, 100]} lines={[{ key: 'score', name: 'NPS', color: COLORS.main }]} band="95% interval" />
        <Trend title="CSAT: satisfied (%)" data={csat} unit="%" domain={[0, 100]} lines={[{ key: 'percent', name: 'Satisfied', color: COLORS.main }]} band="95% interval" />
        <Trend title="CES: mean on 1–7" data={ces} unit="" domain={[1, 7]} lines={[{ key: 'mean', name: 'Mean', color: COLORS.main }]} band="95% interval" />
        <Trend title="Answers and response rate" data={responses} unit="%" bars={[{ key: 'shown', name: 'Shown', color: COLORS.muted }, { key: 'answers', name: 'Answers', color: COLORS.second }]} lines={[{ key: 'rate', name: 'Response rate (%)', color: COLORS.main, right: true }]} />
        <Trend title="Time to resolution (hours)" data={ttr} unit=" h" lines={[{ key: 'mean', name: 'Mean', color: COLORS.main }, { key: 'median', name: 'Median', color: COLORS.third }]} />
        <Trend title={`Churn of identified visitors (%), ${r.churn.periodDays}-day period`} data={churn} unit="%" domain={[0, 100]} lines={[{ key: 'rate', name: 'Churn', color: COLORS.main }]} />
        <Trend title="Customer lifetime value" data={ltv} unit="" bars={[{ key: 'revenue', name: 'Revenue', color: COLORS.muted }]} lines={[{ key: 'mean', name: 'Mean lifetime value', color: COLORS.main, right: true }]} />
        <Retention report={r} />
      </div>
    </>
  );
}

interface Series {
  key: string;
  name: string;
  color: string;
  right?: boolean;
}

/** One trend: lines (and bars), the 95% interval as a band behind them, the figures in a table for screen readers and copying. */
function Trend({ title, data, lines, bars = [], band: bandName, unit, domain }: { title: string; data: Array<Record<string, unknown>>; lines: Series[]; bars?: Series[]; band?: string; unit: string; domain?: [number, number] }) {
  const id = useId();
  const hasRight = lines.some((l) => l.right) || false;
  const fmt = (v: unknown) => (typeof v === 'number' ? `${Number.isInteger(v) ? v : v.toFixed(1)}${unit}` : Array.isArray(v) ? `${(v[0] as number).toFixed(1)} to ${(v[1] as number).toFixed(1)}` : '—');
  return (
    <figure className="chart" aria-labelledby={`${id}-t`}>
      <figcaption id={`${id}-t`}>{title}</figcaption>
      <div className="chart-box" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={data} margin={{ top: 5, right: hasRight ? 0 : 12, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="#eef0f3" vertical={false} />
            <XAxis dataKey="bucket" tick={{ fontSize: 11 }} minTickGap={12} />
            <YAxis yAxisId="left" tick={{ fontSize: 11 }} width={40} domain={domain ?? ['auto', 'auto']} allowDataOverflow={!!domain} />
            {hasRight && <YAxis yAxisId="right" orientation="right" tick={{ fontSize: 11 }} width={40} />}
            <Tooltip formatter={(v) => fmt(v)} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {bandName && <Area yAxisId="left" dataKey="band" name={bandName} stroke="none" fill={COLORS.band} fillOpacity={0.14} isAnimationActive={false} connectNulls={false} />}
            {bars.map((b) => (
              <Bar key={b.key} yAxisId="left" dataKey={b.key} name={b.name} fill={b.color} isAnimationActive={false} />
            ))}
            {lines.map((l) => (
              <Line key={l.key} yAxisId={l.right ? 'right' : 'left'} type="monotone" dataKey={l.key} name={l.name} stroke={l.color} strokeWidth={2} dot={{ r: 2 }} connectNulls={false} isAnimationActive={false} />
            ))}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <Figures
        head={['Period', ...[...bars, ...lines].map((x) => x.name), ...(bandName ? [bandName] : [])]}
        rows={data.map((row) => [String(row['bucket']), ...[...bars, ...lines].map((x) => fmt(row[x.key])), ...(bandName ? [fmt(row['band'])] : [])])}
      />
    </figure>
  );
}

/** Weekly cohorts: each a line of the share of its visitors back in each week after the first. */
function Retention({ report }: { report: CxReport }) {
  const id = useId();
  const cohorts = report.retention.cohorts.slice(-8);
  const weeks = Math.max(0, ...cohorts.map((c) => c.percent.length));
  const data = Array.from({ length: weeks }, (_, k) => ({ week: `Week ${k}`, ...Object.fromEntries(cohorts.map((c) => [c.week, c.percent[k] ?? null])) }));
  const palette = ['#3b5bdb', '#12b76a', '#f79009', '#7a5af8', '#f04438', '#06aed4', '#667085', '#dd2590'];
  return (
    <figure className="chart" aria-labelledby={`${id}-t`}>
      <figcaption id={`${id}-t`}>Retention by weekly cohort (%)</figcaption>
      <div className="chart-box" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 5, right: 12, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="#eef0f3" vertical={false} />
            <XAxis dataKey="week" tick={{ fontSize: 11 }} />
            <YAxis tick={{ fontSize: 11 }} width={40} domain={[0, 100]} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? `${v.toFixed(1)}%` : '—')} />
            {cohorts.map((c, i) => (
              <Line key={c.week} dataKey={c.week} name={`From ${bucketLabel(c.week, 'week')}`} stroke={palette[i % palette.length]} dot={{ r: 2 }} isAnimationActive={false} connectNulls={false} />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <Figures
        head={['First week', 'Visitors', ...Array.from({ length: weeks }, (_, k) => `+${k}`)]}
        rows={cohorts.map((c) => [bucketLabel(c.week, 'week'), String(c.visitors), ...Array.from({ length: weeks }, (_, k) => (c.percent[k] === undefined ? '' : `${c.percent[k]?.toFixed(0)}%`))])}
      />
    </figure>
  );
}

/** A chart's figures as a table under it, folded: for screen readers, and for copying. */
function Figures({ head, rows }: { head: string[]; rows: string[][] }) {
  return (
    <details>
      <summary className="small">Figures</summary>
      <table className="retention-table">
        <thead>
          <tr>
            {head.map((h, i) => (
              <th key={i} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(([first, ...cells], i) => (
            <tr key={i}>
              <th scope="row">{first}</th>
              {cells.map((c, j) => (
                <td key={j}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
