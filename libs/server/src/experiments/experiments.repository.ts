import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Experiment, ExperimentDefinition, MetricDefinition, SdkExperiment } from '@loupe/contracts';

interface ExperimentRow {
  id: string;
  project_id: string;
  key: string;
  name: string;
  hypothesis: string | null;
  status: Experiment['status'];
  variants: Experiment['variants'];
  metrics: { primary: MetricDefinition; secondary: MetricDefinition[]; guardrail: MetricDefinition[] };
  start_at: Date | null;
  end_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, project_id, key, name, hypothesis, status, variants, metrics, start_at, end_at, created_at, updated_at';

const toExperiment = (r: ExperimentRow): Experiment => ({
  id: r.id,
  projectId: r.project_id,
  key: r.key,
  name: r.name,
  hypothesis: r.hypothesis,
  status: r.status,
  variants: r.variants,
  startAt: r.start_at?.toISOString() ?? null,
  endAt: r.end_at?.toISOString() ?? null,
  primaryMetric: r.metrics.primary,
  secondaryMetrics: r.metrics.secondary,
  guardrailMetrics: r.metrics.guardrail,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const values = (d: ExperimentDefinition) => [
  d.key,
  d.name,
  d.hypothesis ?? null,
  d.status,
  JSON.stringify(d.variants),
  JSON.stringify({ primary: d.primaryMetric, secondary: d.secondaryMetrics, guardrail: d.guardrailMetrics }),
  d.startAt ?? null,
  d.endAt ?? null,
];

/** The only code that reads and writes experiment definitions. */
@Injectable()
export class ExperimentsRepository {
  constructor(private readonly db: DataSource) {}

  async list(projectId: string): Promise<Experiment[]> {
    const rows: ExperimentRow[] = await this.db.query(`SELECT ${COLUMNS} FROM experiment WHERE project_id = $1 ORDER BY created_at DESC, id`, [projectId]);
    return rows.map(toExperiment);
  }

  async find(projectId: string, id: string): Promise<Experiment | null> {
    const rows: ExperimentRow[] = await this.db.query(`SELECT ${COLUMNS} FROM experiment WHERE project_id = $1 AND id = $2`, [projectId, id]);
    return rows[0] ? toExperiment(rows[0]) : null;
  }

  /** Null when the project already has an experiment with this key. */
  async create(projectId: string, d: ExperimentDefinition, userId: string): Promise<string | null> {
    const rows: Array<{ id: string }> = await this.db.query(
      `INSERT INTO experiment (project_id, key, name, hypothesis, status, variants, metrics, start_at, end_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10) ON CONFLICT (project_id, key) DO NOTHING RETURNING id`,
      [projectId, ...values(d), userId],
    );
    return rows[0]?.id ?? null;
  }

  async update(projectId: string, id: string, d: ExperimentDefinition): Promise<void> {
    await this.db.query(
      `UPDATE experiment SET key = $3, name = $4, hypothesis = $5, status = $6, variants = $7::jsonb, metrics = $8::jsonb, start_at = $9, end_at = $10, updated_at = now()
        WHERE project_id = $1 AND id = $2`,
      [projectId, id, ...values(d)],
    );
  }

  /** What the SDK assigns from: the project's running experiments. */
  async running(projectId: string): Promise<SdkExperiment[]> {
    const rows: Array<{ key: string; variants: Experiment['variants'] }> = await this.db.query(
      `SELECT key, variants FROM experiment WHERE project_id = $1 AND status = 'running' AND (end_at IS NULL OR end_at > now()) ORDER BY key`,
      [projectId],
    );
    return rows.map((r) => ({ key: r.key, variants: r.variants.map((v) => ({ key: v.key, weight: v.weight })) }));
  }
}
