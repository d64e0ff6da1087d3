import type { ComparisonResult, ExperimentListItem, ExperimentResults, MetricResults } from '@loupe/contracts';
import { useEffect, useId, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { CartesianGrid, ComposedChart, ErrorBar, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Scatter, Tooltip, XAxis, YAxis } from 'recharts';
import { apiRequest, messageOf } from '../api';
import { formatDuration, formatDateTime, plural } from '../format';
import { EmptyState, PageHeading, useDocumentTitle } from '../page';
import { useProject } from '../projects';

const COLORS = ['#3b5bdb', '#12b76a', '#f79009', '#d92d20', '#7a5af8', '#0ba5ec'];
const STATUS_LABELS = { draft: 'Draft', running: 'Running', stopped: 'Stopped' } as const;
const VERDICT_LABELS = { better: 'Winning', worse: 'Losing', inconclusive: 'Not decided yet' } as const;

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;
const signedPct = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${(Math.abs(x) * 100).toFixed(1)}%`;

/** A metric's value as a person reads it: a rate in percent, a duration in time, anything else as a number. */
function formatValue(m: Pick<MetricResults, 'type' | 'kind'>, value: number | null): string {
  if (value === null) return '—';
  if (m.type === 'proportion' || m.kind === 'frustration') return pct(value);
  if (m.kind === 'duration') return formatDuration(value);
  if (m.kind === 'feedback') return value.toFixed(2);
  return value.toLocaleString(undefined, { maximumFractionDigits: 2 });
}

/** The lift in the units asked for: percent of the control (relative) or the metric's own (absolute). */
function formatLift(m: MetricResults, relative: boolean, x: number | null): string {
  if (x === null) return '—';
  if (relative) return signedPct(x);
  const sign = x > 0 ? '+' : x < 0 ? '−' : '';
  return `${sign}${formatValue(m, Math.abs(x))}`;
}

/** One sentence per result, saying what the numbers mean for the decision. */
export function explain(m: MetricResults, r: ComparisonResult, control: string, relative: boolean, alpha: number): string {
  if (r.error) return r.error;
  const level = `${Math.round((1 - alpha) * 100)}%`;
  const lift = formatLift(m, relative, r.expected);
  const [lo, hi] = r.ci ?? [null, null];
  const range = `${level} interval: ${lo === null ? 'no lower bound' : formatLift(m, relative, lo)} to ${hi === null ? 'no upper bound' : formatLift(m, relative, hi)}`;
  const direction = m.inverse ? ' (lower is better here)' : '';
  const head = `${r.variant} is ${lift}${relative ? '' : ' in absolute terms'} against ${control}${direction} (${range}).`;
  if (r.chanceToWin !== null) {
    return `${head} There is a ${pct(r.chanceToWin, 0)} chance that ${r.variant} is better than ${control}, given the data and the prior.`;
  }
  const p = r.adjustedPValue ?? r.pValue;
  if (p === null) return head;
  const chance = `If the variants were truly the same, a difference at least this large would be seen ${p < 0.001 ? 'less than 0.1%' : pct(p, 1)} of the time (p = ${p < 0.001 ? '< 0.001' : p.toFixed(3)}${r.adjustedPValue !== null ? ', corrected for several comparisons' : ''}).`;
  const verdict =
    r.verdict === 'better'
      ? `That is unlikely enough to call ${r.variant} better.`
      : r.verdict === 'worse'
        ? `That is unlikely enough to call ${r.variant} worse.`
        : 'Not enough evidence yet to say either is better: the interval still includes no difference.';
  return `${head} ${chance} ${verdict}`;
}

/** `/p/:projectId/experiments`: every experiment with its exposures, split check and primary verdict. */
export function ExperimentsListPage() {
  const project = useProject();
  useDocumentTitle('Experiments', project.name);
  const [state, setState] = useState<{ phase: 'loading' | 'ready' | 'failed'; experiments?: ExperimentListItem[]; error?: string }>({ phase: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    apiRequest<{ experiments: ExperimentListItem[] }>(`/api/v1/experiments?project=${project.id}`, { signal: controller.signal })
      .then((r) => setState({ phase: 'ready', experiments: r.experiments }))
      .catch((err: unknown) => !controller.signal.aborted && setState({ phase: 'failed', error: messageOf(err) }));
    return () => controller.abort();
  }, [project.id]);

  const list = state.experiments ?? [];
  return (
    <>
      <PageHeading description="Which variant of a page wins, and by how much: lift, intervals and a warning when traffic is not split as planned. Open one to see every metric, and the replays and feedback of each variant.">
        Experiments
      </PageHeading>
      {state.phase === 'failed' && (
        <p className="alert" role="alert">
          {state.error}
        </p>
      )}
      {state.phase === 'ready' && list.length === 0 ? (
        <EmptyState title="No experiments yet">
          <p>
            Define one with <code>POST /api/v1/experiments</code> (its key, variants and metrics), then call <code>Loupe.getVariant(key)</code> on your site, or report your own assignment with{' '}
            <code>Loupe.exposure(key, variant)</code>. See the experiments guide in the documentation.
          </p>
        </EmptyState>
      ) : (
        <section aria-label="Experiments" aria-busy={state.phase === 'loading'}>
          <div className="table-scroll">
            <table className="sessions-table experiments-table">
              <thead>
                <tr>
                  <th scope="col">Experiment</th>
                  <th scope="col">Status</th>
                  <th scope="col">Exposed visitors</th>
                  <th scope="col">Split</th>
                  <th scope="col">Primary metric</th>
                </tr>
              </thead>
              <tbody>
                {list.map((e) => (
                  <tr key={e.id} data-experiment={e.key}>
                    <td>
                      <Link to={`/p/${project.id}/experiments/${e.id}`}>{e.name}</Link>
                      <div className="muted">
                        <code>{e.key}</code> · {e.variants.map((v) => v.key).join(' / ')}
                      </div>
                    </td>
                    <td>
                      <span className={`badge${e.status === 'running' ? '' : ' badge-muted'}`}>{STATUS_LABELS[e.status]}</span>
                    </td>
                    <td className="number" data-cell="exposures">
                      {e.exposures.toLocaleString()}
                    </td>
                    <td>{e.srmFlagged ? <span className="badge badge-danger" title="The visitors are not split between variants as the weights say: results may be biased.">Sample ratio mismatch</span> : 'As planned'}</td>
                    <td data-cell="verdict">{e.primaryVerdict ? VERDICT_LABELS[e.primaryVerdict] : 'No exposures yet'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </>
  );
}

/** `/p/:projectId/experiments/:experimentId`: every metric of one experiment, explained. */
export function ExperimentPage() {
  const project = useProject();
  const { experimentId = '' } = useParams();
  const id = useId();
  const [params, setParams] = useSearchParams();
  const engine = params.get('engine') === 'bayesian' ? 'bayesian' : 'frequentist';
  const sequential = engine === 'frequentist' && params.get('sequential') === 'true';
  const [state, setState] = useState<{ phase: 'loading' | 'ready' | 'failed'; results?: ExperimentResults; error?: string }>({ phase: 'loading' });
  useDocumentTitle(state.results?.experiment.name ?? 'Experiment', project.name);

  useEffect(() => {
    const controller = new AbortController();
    const q = new URLSearchParams({ project: project.id, engine });
    if (sequential) q.set('sequential', 'true');
    setState((s) => ({ ...s, phase: 'loading' }));
    apiRequest<ExperimentResults>(`/api/v1/experiments/${encodeURIComponent(experimentId)}/results?${q}`, { signal: controller.signal })
      .then((results) => setState({ phase: 'ready', results }))
      .catch((err: unknown) => !controller.signal.aborted && setState({ phase: 'failed', error: messageOf(err) }));
    return () => controller.abort();
  }, [project.id, experimentId, engine, sequential]);

  const r = state.results;
  if (!r) {
    return state.phase === 'failed' ? (
      <p className="alert" role="alert">
        {state.error}
      </p>
    ) : (
      <p aria-busy="true">Loading the results…</p>
    );
  }
  const e = r.experiment;
  // Every experiment is defined with a control first and at least one other variant.
  const controlVariant = e.variants[0];
  if (!controlVariant) throw new Error(`Experiment ${e.key} came back without variants.`);
  const control = controlVariant.key;
  // The series over time follows the primary metric, which comes first.
  const primary = r.metrics[0];
  const totalExposed = r.exposures.reduce((s, x) => s + x.visitors, 0);
  const set = (change: Record<string, string | undefined>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(change)) if (v) next.set(k, v);
        else next.delete(k);
        return next;
      },
      { replace: true },
    );

  return (
    <>
      <PageHeading description={e.hypothesis ?? undefined}>{e.name}</PageHeading>
      <p className="muted">
        <code>{e.key}</code> · {STATUS_LABELS[e.status]} · {plural(totalExposed, 'visitor')} exposed
        {e.startAt ? ` · from ${formatDateTime(e.startAt)}` : ''}
        {e.endAt ? ` · until ${formatDateTime(e.endAt)}` : ''} · <Link to={`/p/${project.id}/experiments`}>All experiments</Link>
      </p>
      <form className="filters" aria-label="How to analyse" onSubmit={(ev) => ev.preventDefault()}>
        <div className="filter">
          <label htmlFor={`${id}-engine`}>Statistics</label>
          <select id={`${id}-engine`} value={engine} onChange={(ev) => set({ engine: ev.target.value === 'bayesian' ? 'bayesian' : undefined, sequential: undefined })}>
            <option value="frequentist">Frequentist (p-values)</option>
            <option value="bayesian">Bayesian (chance to win)</option>
          </select>
        </div>
        {engine === 'frequentist' && (
          <div className="filter filter-check">
            <label>
              <input type="checkbox" checked={sequential} onChange={(ev) => set({ sequential: ev.target.checked ? 'true' : undefined })} /> Safe to look every day (sequential)
            </label>
          </div>
        )}
      </form>

      {r.srm.flagged && (
        <p className="alert" role="alert">
          Sample ratio mismatch (p = {r.srm.pValue?.toExponential(1)}): visitors are not split between variants as the weights say. Something in the assignment or the tracking treats variants differently, so these results may be
          biased; find the cause before trusting them.
        </p>
      )}
      {r.unknownVariantExposures > 0 && (
        <p className="muted">{plural(r.unknownVariantExposures, 'visitor')} reported a variant this experiment does not have; they are left out.</p>
      )}

      <section aria-label="Variants" className="panel">
        <h2>Variants</h2>
        <table className="sessions-table" data-testid="exposures">
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col">Weight</th>
              <th scope="col">Exposed visitors</th>
              <th scope="col">Understand why</th>
            </tr>
          </thead>
          <tbody>
            {r.exposures.map((x) => (
              <tr key={x.variant} data-variant={x.variant}>
                <th scope="row">
                  {x.variant}
                  {x.variant === control ? ' (control)' : ''}
                </th>
                <td className="number">{pct(e.variants.find((v) => v.key === x.variant)?.weight ?? 0, 0)}</td>
                <td className="number" data-cell="exposures">
                  {x.visitors.toLocaleString()}
                </td>
                <td>
                  <Link to={`/p/${project.id}/sessions?${new URLSearchParams({ experiment: e.key, variant: x.variant })}`}>Watch replays of {x.variant}</Link>
                  {' · '}
                  <Link to={`/p/${project.id}/feedback?${new URLSearchParams({ experiment: e.key, variant: x.variant })}`}>Read feedback of {x.variant}</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      {r.metrics.map((m) => (
        <MetricSection key={m.key} metric={m} control={control} relative={r.settings.difference === 'relative'} alpha={r.settings.alpha} />
      ))}

      {primary && r.cumulative.length > 0 && (
        <section aria-label="Over time" className="panel">
          <h2>{primary.name} over time</h2>
          <p className="muted">Each day counts the visitors exposed up to that day, with everything they did after their exposure. Early days swing widely; the lines settle as visitors accumulate.</p>
          <div style={{ width: '100%', height: 260 }}>
            <ResponsiveContainer>
              <LineChart data={r.cumulative.map((p) => ({ day: p.day, ...Object.fromEntries(p.variants.map((v) => [v.variant, v.value])) }))}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="day" />
                <YAxis tickFormatter={(v: number) => formatValue(primary, v)} width={70} />
                <Tooltip formatter={(v) => formatValue(primary, Number(v))} />
                <Legend />
                {e.variants.map((v, i) => (
                  <Line key={v.key} dataKey={v.key} stroke={COLORS[i % COLORS.length]} dot={false} isAnimationActive={false} />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </div>
        </section>
      )}
    </>
  );
}

const ROLE_LABELS = { primary: 'Primary metric', secondary: 'Secondary metric', guardrail: 'Guardrail' } as const;

function MetricSection({ metric: m, control, relative, alpha }: { metric: MetricResults; control: string; relative: boolean; alpha: number }) {
  const byVariant = new Map(m.results.map((r) => [r.variant, r]));
  // Only variants with an estimate and an interval have a point on the forest plot.
  const forest = m.results.flatMap((r) => {
    const { expected, ci } = r;
    if (expected === null || !ci) return [];
    const [lo, hi] = ci;
    // An open side of a one-sided interval is drawn as far as the other side reaches.
    const reach = Math.abs((lo ?? hi ?? expected) - expected);
    return [{ variant: r.variant, expected, err: [lo === null ? reach : expected - lo, hi === null ? reach : hi - expected] }];
  });
  const failedGuardrail = m.role === 'guardrail' && m.results.some((r) => r.verdict === 'worse');
  return (
    <section aria-label={m.name} className="panel metric-results" data-metric={m.key}>
      <h2>
        {m.name} <span className="badge badge-muted">{ROLE_LABELS[m.role]}</span>
        {failedGuardrail && <span className="badge badge-danger">Guardrail failed</span>}
      </h2>
      <table className="sessions-table">
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col">{m.kind === 'feedback' ? 'Answers' : 'Visitors'}</th>
            <th scope="col">{m.type === 'proportion' ? 'Converted' : m.type === 'ratio' ? 'Total / count' : 'Total'}</th>
            <th scope="col">{m.type === 'proportion' ? 'Rate' : m.type === 'ratio' ? 'Ratio' : 'Mean per visitor'}</th>
            <th scope="col">Lift</th>
            <th scope="col">{m.results[0]?.chanceToWin !== null && m.results[0]?.chanceToWin !== undefined ? 'Chance to win' : 'p-value'}</th>
          </tr>
        </thead>
        <tbody>
          {m.variants.map((v) => {
            const r = byVariant.get(v.variant);
            return (
              <tr key={v.variant} data-variant={v.variant}>
                <th scope="row">{v.variant}</th>
                <td className="number" data-cell="n">
                  {v.n.toLocaleString()}
                </td>
                <td className="number" data-cell="sum">
                  {v.sum.toLocaleString(undefined, { maximumFractionDigits: 2 })}
                  {v.denominator !== null ? ` / ${v.denominator.toLocaleString()}` : ''}
                </td>
                <td className="number" data-cell="value">
                  {formatValue(m, v.value)}
                </td>
                <td className="number">{r ? `${formatLift(m, relative, r.expected)}${r.ci ? ` [${r.ci[0] === null ? '−∞' : formatLift(m, relative, r.ci[0])}, ${r.ci[1] === null ? '+∞' : formatLift(m, relative, r.ci[1])}]` : ''}` : 'control'}</td>
                <td className="number">{r ? (r.chanceToWin !== null ? pct(r.chanceToWin, 0) : r.pValue !== null ? (r.adjustedPValue ?? r.pValue).toFixed(3) : '—') : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {forest.length > 0 && (
        <div style={{ width: '100%', height: 60 + 40 * forest.length }} aria-label={`Lift of each variant against ${control}, with its interval`} role="img">
          <ResponsiveContainer>
            <ComposedChart layout="vertical" data={forest} margin={{ left: 20, right: 20 }}>
              <CartesianGrid strokeDasharray="3 3" horizontal={false} />
              <XAxis type="number" tickFormatter={(v: number) => formatLift(m, relative, v)} domain={['auto', 'auto']} />
              <YAxis type="category" dataKey="variant" width={80} />
              <ReferenceLine x={0} stroke="#667085" />
              <Tooltip formatter={(v) => formatLift(m, relative, Number(v))} />
              <Scatter dataKey="expected" fill={COLORS[0]} isAnimationActive={false}>
                <ErrorBar dataKey="err" direction="x" width={8} stroke={COLORS[0]} />
              </Scatter>
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      )}
      <ul className="explanations">
        {m.results.map((r) => (
          <li key={r.variant}>{explain(m, r, control, relative, alpha)}</li>
        ))}
      </ul>
    </section>
  );
}
