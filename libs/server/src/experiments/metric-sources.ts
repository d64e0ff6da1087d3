import { BadRequestException, Injectable } from '@nestjs/common';
import type { MetricDefinition, MetricKind } from '@loupe/contracts';
import { CxService } from '../feedback/cx.service';
import { ExperimentMetricsRepository, type DayStatistics, type ExperimentScope } from './experiment-metrics.repository';

/** A metric's sufficient statistics per variant and UTC day of exposure (null: not by day). */
export interface MetricStatistics {
  type: 'proportion' | 'mean' | 'ratio';
  rows: DayStatistics[];
}

/**
 * Where one kind of metric comes from. Each kind computes its per-variant sums in its own way
 * (events, page views, signals, answers); a kind whose data does not exist yet refuses in `check`,
 * which runs when an experiment is saved.
 */
export interface MetricSource<M extends MetricDefinition = MetricDefinition> {
  check(projectId: string, metric: M): Promise<void> | void;
  statistics(scope: ExperimentScope, metric: M): Promise<MetricStatistics>;
}

type SourceOf<K extends MetricKind> = MetricSource<Extract<MetricDefinition, { kind: K }>>;

/** Lower is better by default for frustration only. */
export const isInverse = (m: MetricDefinition) => m.inverse ?? m.kind === 'frustration';

/** Every metric kind and its source. */
@Injectable()
export class MetricSources {
  private readonly sources: { [K in MetricKind]: SourceOf<K> };

  constructor(metrics: ExperimentMetricsRepository, cx: CxService) {
    this.sources = {
      conversion: {
        check: () => undefined,
        statistics: async (scope, m) => ({ type: 'proportion', rows: m.event ? await metrics.eventConversion(scope, m.event) : await metrics.pageConversion(scope, m.page!) }),
      },
      funnel: {
        check: async (projectId, m) => {
          if (!(await metrics.funnelExists(projectId, m.funnel)))
            throw new BadRequestException(`Metric "${m.key}": there is no funnel ${JSON.stringify(m.funnel)} in this project. Give the id of one of its funnels (GET /api/v1/funnels).`);
        },
        statistics: async (scope, m) => ({ type: 'proportion', rows: await metrics.funnelConversion(scope, m.funnel) }),
      },
      property: {
        check: () => undefined,
        statistics: async (scope, m) => ({ type: m.aggregate === 'mean' ? 'ratio' : 'mean', rows: await metrics.eventProperty(scope, m.event, m.property, m.cap?.percentile) }),
      },
      duration: {
        check: () => undefined,
        statistics: async (scope, m) => ({ type: 'ratio', rows: m.of === 'page' ? await metrics.timeOnPage(scope, m.page, m.cap?.percentile) : await metrics.sessionDuration(scope, m.cap?.percentile) }),
      },
      frustration: {
        check: () => undefined,
        statistics: async (scope, m) => ({ type: 'ratio', rows: await metrics.frustratedSessions(scope, m.signal) }),
      },
      feedback: {
        check: () => undefined,
        // The CX figures' own per-variant statistics, over answers (not visitors). NPS is scored
        // +1 (promoter), 0 (passive) and −1 (detractor) per answer, so the mean × 100 is the NPS.
        statistics: async (scope, m) => {
          const scores = await cx.variantStatistics(scope.projectId, scope.experimentKey, { kind: m.score, surveyId: m.survey, from: scope.from ?? undefined, to: scope.to ?? undefined });
          const known = new Set(scope.variants);
          return {
            type: 'mean',
            rows: scores
              .filter((s) => known.has(s.variant))
              .map((s) =>
                m.score === 'nps'
                  ? { variant: s.variant, day: null, n: s.n, sum: s.promoters - s.detractors, sumSquares: s.promoters + s.detractors }
                  : { variant: s.variant, day: null, n: s.n, sum: s.sum, sumSquares: s.sumSquares },
              ),
          };
        },
      },
    };
  }

  of<K extends MetricKind>(kind: K): SourceOf<K> {
    return this.sources[kind];
  }

  async check(projectId: string, metric: MetricDefinition): Promise<void> {
    await (this.of(metric.kind) as MetricSource).check(projectId, metric);
  }

  statistics(scope: ExperimentScope, metric: MetricDefinition): Promise<MetricStatistics> {
    return (this.of(metric.kind) as MetricSource).statistics(scope, metric);
  }
}
