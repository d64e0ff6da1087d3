import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { SurveyDefinition, SurveyStatus } from '@loupe/contracts';
import type { SurveyKind } from '@loupe/contracts/feedback';

/** What the definition column holds: the survey without the fields that have columns of their own. */
export type StoredDefinition = Omit<SurveyDefinition, 'name' | 'kind' | 'status'>;

export interface SurveyRow {
  id: string;
  projectId: string;
  name: string;
  kind: SurveyKind;
  status: SurveyStatus;
  definition: StoredDefinition;
  answers: number;
  shown: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Columns under the names of `SurveyRow`, so that rows need no mapping. */
const COLUMNS = `s.id, s.project_id AS "projectId", s.name, s.kind, s.status, s.definition, s.created_at AS "createdAt", s.updated_at AS "updatedAt",
  (SELECT count(*)::int FROM feedback f WHERE f.project_id = s.project_id AND f.survey_id = s.id) AS answers,
  (SELECT count(*)::int FROM survey_impression i WHERE i.project_id = s.project_id AND i.survey_id = s.id AND i.kind = 'shown') AS shown`;

const split = (d: SurveyDefinition) => {
  const { name, kind, status, ...definition } = d;
  return { name, kind, status, definition: JSON.stringify(definition) };
};

/** The only code that reads and writes surveys. */
@Injectable()
export class SurveysRepository {
  constructor(private readonly db: DataSource) {}

  async list(projectId: string): Promise<SurveyRow[]> {
    return this.db.query(`SELECT ${COLUMNS} FROM survey s WHERE s.project_id = $1 ORDER BY s.created_at DESC, s.id`, [projectId]);
  }

  async find(projectId: string, id: string): Promise<SurveyRow | null> {
    const rows: SurveyRow[] = await this.db.query(`SELECT ${COLUMNS} FROM survey s WHERE s.project_id = $1 AND s.id = $2`, [projectId, id]);
    return rows[0] ?? null;
  }

  /** The survey an answer names, without the counts: the public endpoints ask this on every answer. */
  async findForAnswer(projectId: string, id: string): Promise<Pick<SurveyRow, 'id' | 'name' | 'kind' | 'status' | 'definition'> | null> {
    const rows: Array<Pick<SurveyRow, 'id' | 'name' | 'kind' | 'status' | 'definition'>> = await this.db.query('SELECT id, name, kind, status, definition FROM survey WHERE project_id = $1 AND id = $2', [
      projectId,
      id,
    ]);
    return rows[0] ?? null;
  }

  async running(projectId: string): Promise<Array<Pick<SurveyRow, 'id' | 'kind' | 'definition'>>> {
    return this.db.query(`SELECT id, kind, definition FROM survey WHERE project_id = $1 AND status = 'running' ORDER BY created_at, id`, [projectId]);
  }

  async create(projectId: string, d: SurveyDefinition, createdBy: string): Promise<string> {
    const s = split(d);
    const rows: Array<{ id: string }> = await this.db.query(
      'INSERT INTO survey (project_id, name, kind, status, definition, created_by) VALUES ($1, $2, $3, $4, $5::jsonb, $6) RETURNING id',
      [projectId, s.name, s.kind, s.status, s.definition, createdBy],
    );
    const [row] = rows;
    if (!row) throw new Error('the survey was not stored');
    return row.id;
  }

  async update(projectId: string, id: string, d: SurveyDefinition): Promise<void> {
    const s = split(d);
    await this.db.query('UPDATE survey SET name = $3, status = $4, definition = $5::jsonb, updated_at = now() WHERE project_id = $1 AND id = $2', [projectId, id, s.name, s.status, s.definition]);
  }

  /** Deletes a survey nobody has answered; false when it has answers (they keep it). */
  async deleteUnanswered(projectId: string, id: string): Promise<boolean> {
    // TypeORM answers a DELETE with [rows, affected count].
    const [, deleted]: [unknown[], number] = await this.db.query(
      `DELETE FROM survey s WHERE s.project_id = $1 AND s.id = $2
          AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.project_id = s.project_id AND f.survey_id = s.id)`,
      [projectId, id],
    );
    return deleted === 1;
  }
}
