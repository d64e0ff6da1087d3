import { BadRequestException, ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import type {
  AnalyzeExperimentRequest,
  AnalyzeExperimentResponse,
  CumulativePoint,
  CurrentUser,
  Experiment,
  ExperimentDefinition,
  ExperimentListItem,
  ExperimentResults,
  ExperimentResultsQuery,
  MetricDefinition,
  MetricResults,
  MetricRole,
  VariantFigure,
} from '@loupe/contracts';
import { analyzeExperiment, sampleRatioMismatch, type AnalysisInput, type VariantStatistic } from '@loupe/stats';
import { ProjectsService } from '../projects/projects.service';
import type { DayStatistics, ExperimentScope } from './experiment-metrics.repository';
import { ExperimentMetricsRepository } from './experiment-metrics.repository';
import { ExperimentsRepository } from './experiments.repository';
import { isInverse, MetricSources, type MetricStatistics } from './metric-sources';

export const experimentNotFound = () => new NotFoundException('No such experiment in this project. Pick one from GET /api/v1/experiments.');

/** The most days a cumulative series holds; an experiment longer than a year shows its last year. */
const MAX_SERIES_DAYS = 366;

type Settings = Pick<AnalysisInput, 'engine' | 'difference' | 'alpha' | 'alternative' | 'sequential' | 'correction'>;

const DEFAULT_SETTINGS: Settings = { engine: 'frequentist', difference: 'relative', alpha: 0.05, alternative: 'two-sided' };

const metricName = (m: MetricDefinition): string => {
  if (m.name) return m.name;
  switch (m.kind) {
    case 'conversion':
      return m.event ? `Converted: ${m.event}` : `Reached page ${m.page}`;
    case 'funnel':
      return `Completed funnel ${m.funnel}`;
    case 'property':
      return `${m.property} of ${m.event} (${m.aggregate === 'mean' ? 'mean per event' : 'per visitor'})`;
    case 'duration':
      return m.of === 'page' ? `Time on page${m.page ? ` ${m.page}` : ''}` : 'Session duration';
    case 'frustration':
      return `Sessions with ${m.signal ? m.signal.replace(/_/g, ' ') : 'a frustration signal'}`;
    case 'feedback':
      return m.score === 'nps' ? 'NPS (mean of +1 / 0 / −1)' : `${m.score.toUpperCase()} score`;
  }
};

/** Adds the rows up per variant (across days, or up to a day). */
function totals(stats: MetricStatistics, variants: string[], upTo?: number): Record<string, VariantStatistic> {
  const acc = new Map<string, { n: number; sum: number; sumSquares: number; dSum: number; dSquares: number; products: number }>(
    variants.map((v) => [v, { n: 0, sum: 0, sumSquares: 0, dSum: 0, dSquares: 0, products: 0 }]),
  );
  for (const r of stats.rows) {
    const a = acc.get(r.variant);
    if (!a || (upTo !== undefined && r.day !== null && r.day > upTo)) continue;
    a.n += r.n;
    a.sum += r.sum;
    a.sumSquares += r.sumSquares;
    a.dSum += r.denominator?.sum ?? 0;
    a.dSquares += r.denominator?.sumSquares ?? 0;
    a.products += r.sumProducts ?? 0;
  }
  const out: Record<string, VariantStatistic> = {};
  for (const [v, a] of acc) {
    out[v] =
      stats.type === 'proportion'
        ? { type: 'proportion', n: a.n, sum: a.sum }
        : stats.type === 'mean'
          ? { type: 'mean', n: a.n, sum: a.sum, sumSquares: a.sumSquares }
          : { type: 'ratio', n: a.n, numerator: { sum: a.sum, sumSquares: a.sumSquares }, denominator: { sum: a.dSum, sumSquares: a.dSquares }, sumProducts: a.products };
  }
  return out;
}

/** One variant's totals: `totals` gives one for every variant it was asked about. */
function statOf(perVariant: Record<string, VariantStatistic>, variant: string): VariantStatistic {
  const s = perVariant[variant];
  if (!s) throw new Error(`No totals for variant ${variant}: totals are made for every variant of the experiment.`);
  return s;
}

function figureOf(variant: string, s: VariantStatistic): VariantFigure {
  if (s.type === 'ratio') return { variant, n: s.n, sum: s.numerator.sum, denominator: s.denominator.sum, value: s.denominator.sum ? s.numerator.sum / s.denominator.sum : null };
  return { variant, n: s.n, sum: s.sum, denominator: null, value: s.n ? s.sum / s.n : null };
}

/** Experiments: definitions (members and up write, everyone in the project reads), results, and the engine on its own. */
@Injectable()
export class ExperimentsService {
  constructor(
    private readonly projects: ProjectsService,
    private readonly experiments: ExperimentsRepository,
    private readonly metrics: ExperimentMetricsRepository,
    private readonly sources: MetricSources,
  ) {}

  /**
   * Runs the statistics engine on summary statistics the caller brings. Nothing stored is read, so
   * no one project is named: anyone who can see at least one project may use it.
   */
  async analyze(user: CurrentUser, request: AnalyzeExperimentRequest): Promise<AnalyzeExperimentResponse> {
    const visible = await this.projects.list(user);
    if (!visible.length) throw new ForbiddenException('Analysing experiments takes access to at least one project; ask an admin of your organization to add you to one.');
    return analyzeExperiment(request);
  }

  async list(user: CurrentUser, projectId: string): Promise<ExperimentListItem[]> {
    await this.projects.requireAccess(user, projectId);
    const list = await this.experiments.list(projectId);
    const exposed = await this.metrics.exposuresByExperiment(projectId, list.map((e) => e.key));
    return Promise.all(
      list.map(async (e) => {
        const counts = e.variants.map((v) => exposed.find((x) => x.key === e.key && x.variant === v.key)?.visitors ?? 0);
        const total = counts.reduce((s, n) => s + n, 0);
        const srm = sampleRatioMismatch(counts, e.variants.map((v) => v.weight));
        let primaryVerdict: ExperimentListItem['primaryVerdict'] = null;
        if (total > 0 && e.primaryMetric.kind !== 'funnel') {
          const [primary] = (await this.analyse(e, DEFAULT_SETTINGS, [e.primaryMetric])).output.metrics;
          const verdicts = primary?.results.map((r) => r.verdict) ?? [];
          primaryVerdict = verdicts.includes('better') ? 'better' : verdicts.includes('worse') ? 'worse' : 'inconclusive';
        }
        return { ...e, exposures: total, srmFlagged: srm.flagged, primaryVerdict };
      }),
    );
  }

  async get(user: CurrentUser, projectId: string, id: string): Promise<Experiment> {
    await this.projects.requireAccess(user, projectId);
    return this.existing(projectId, id);
  }

  async create(user: CurrentUser, projectId: string, d: ExperimentDefinition): Promise<Experiment> {
    await this.projects.requireAccess(user, projectId, 'write');
    await this.checkMetrics(projectId, d);
    const id = await this.experiments.create(projectId, d, user.id);
    if (!id) throw new ConflictException(`This project already has an experiment with the key "${d.key}". Pick another key, or change that experiment with PUT.`);
    return this.existing(projectId, id);
  }

  /** Replaces the whole definition; the key stays, since exposures are recorded under it. */
  async replace(user: CurrentUser, projectId: string, id: string, d: ExperimentDefinition): Promise<Experiment> {
    await this.projects.requireAccess(user, projectId, 'write');
    const current = await this.existing(projectId, id);
    if (d.key !== current.key) {
      throw new BadRequestException(`key cannot change from "${current.key}": exposures are recorded under it. Create a new experiment for a new key.`);
    }
    await this.checkMetrics(projectId, d);
    await this.experiments.update(projectId, id, d);
    return this.existing(projectId, id);
  }

  async results(user: CurrentUser, projectId: string, id: string, q: ExperimentResultsQuery): Promise<ExperimentResults> {
    await this.projects.requireAccess(user, projectId);
    const e = await this.existing(projectId, id);
    if (q.engine === 'bayesian' && (q.sequential || q.correction)) {
      throw new BadRequestException('sequential and correction apply to the frequentist engine only: leave them out with engine=bayesian.');
    }
    const settings: Settings = {
      engine: q.engine,
      difference: q.difference,
      alpha: q.alpha,
      alternative: 'two-sided',
      ...(q.sequential ? { sequential: {} } : {}),
      ...(q.correction ? { correction: q.correction } : {}),
    };
    const roles: Array<[MetricDefinition, MetricRole]> = [
      [e.primaryMetric, 'primary'],
      ...e.secondaryMetrics.map((m): [MetricDefinition, MetricRole] => [m, 'secondary']),
      ...e.guardrailMetrics.map((m): [MetricDefinition, MetricRole] => [m, 'guardrail']),
    ];
    for (const [m] of roles) await this.sources.check(projectId, m);
    const { exposures, output, stats } = await this.analyse(e, settings, roles.map(([m]) => m));
    const keys = e.variants.map((v) => v.key);
    const metrics: MetricResults[] = roles.map(([m, role], i) => {
      // The analysis keeps the order of the metrics it was given.
      const metricStats = stats[i];
      const analysed = output.metrics[i];
      if (!metricStats || !analysed) throw new Error(`Metric ${m.key} is missing from its own analysis.`);
      const perVariant = totals(metricStats, keys);
      return {
        key: m.key,
        name: metricName(m),
        kind: m.kind,
        role,
        type: metricStats.type,
        inverse: isInverse(m),
        variants: keys.map((k) => figureOf(k, statOf(perVariant, k))),
        results: analysed.results,
      };
    });
    const primaryStats = stats[0];
    if (!primaryStats) throw new Error(`The primary metric ${e.primaryMetric.key} is missing from its own analysis.`);
    return {
      experiment: e,
      settings: { engine: q.engine, difference: q.difference, alpha: q.alpha, sequential: q.sequential, correction: q.correction ?? null },
      exposures: keys.map((k) => ({ variant: k, visitors: exposures.find((x) => x.variant === k)?.visitors ?? 0 })),
      unknownVariantExposures: exposures.filter((x) => !keys.includes(x.variant)).reduce((s, x) => s + x.visitors, 0),
      srm: output.srm,
      metrics,
      cumulative: this.cumulative(e, settings, primaryStats),
    };
  }

  /** Computes every metric's sums and runs the engine on them. */
  private async analyse(e: Experiment, settings: Settings, metrics: MetricDefinition[]) {
    const scope = scopeOf(e);
    const [exposures, measured] = await Promise.all([
      this.metrics.exposures(scope),
      Promise.all(metrics.map(async (m) => ({ metric: m, stats: await this.sources.statistics(scope, m) }))),
    ]);
    const keys = e.variants.map((v) => v.key);
    const output = analyzeExperiment({
      ...settings,
      variants: e.variants.map((v) => ({ key: v.key, weight: v.weight, users: exposures.find((x) => x.variant === v.key)?.visitors ?? 0 })),
      metrics: measured.map(({ metric, stats }) => ({ key: metric.key, inverse: isInverse(metric), stats: totals(stats, keys) })),
    });
    return { exposures, output, stats: measured.map((x) => x.stats) };
  }

  /**
   * The primary metric as it stood at the end of each day: the visitors exposed up to that day,
   * with what they did after exposure. Sources that do not split by day give no series.
   */
  private cumulative(e: Experiment, settings: Settings, stats: MetricStatistics): CumulativePoint[] {
    const days = [...new Set(stats.rows.map((r) => r.day).filter((d): d is number => d !== null))].sort((a, b) => a - b).slice(-MAX_SERIES_DAYS);
    const keys = e.variants.map((v) => v.key);
    const first = days[0];
    const last = days[days.length - 1];
    if (first === undefined || last === undefined) return [];
    const series: CumulativePoint[] = [];
    for (let day = first; day <= last; day += 86_400_000) {
      const upTo: DayStatistics['day'] = day;
      const perVariant = totals(stats, keys, upTo);
      const output = analyzeExperiment({
        ...settings,
        correction: undefined,
        variants: e.variants.map((v) => ({ key: v.key, weight: v.weight, users: statOf(perVariant, v.key).n })),
        metrics: [{ key: e.primaryMetric.key, inverse: isInverse(e.primaryMetric), stats: perVariant }],
      });
      const primary = output.metrics[0];
      if (!primary) throw new Error(`The primary metric ${e.primaryMetric.key} is missing from its own analysis.`);
      series.push({
        day: new Date(day).toISOString().slice(0, 10),
        variants: keys.map((k) => {
          const s = statOf(perVariant, k);
          return { variant: k, exposures: s.n, value: figureOf(k, s).value };
        }),
        results: primary.results.map((r) => ({ variant: r.variant, expected: r.expected, ci: r.ci })),
      });
    }
    return series;
  }

  private async checkMetrics(projectId: string, d: ExperimentDefinition): Promise<void> {
    for (const m of [d.primaryMetric, ...d.secondaryMetrics, ...d.guardrailMetrics]) await this.sources.check(projectId, m);
  }

  private async existing(projectId: string, id: string): Promise<Experiment> {
    const e = await this.experiments.find(projectId, id);
    if (!e) throw experimentNotFound();
    return e;
  }
}

export const scopeOf = (e: Experiment): ExperimentScope => ({ projectId: e.projectId, experimentKey: e.key, variants: e.variants.map((v) => v.key), from: e.startAt, to: e.endAt });
