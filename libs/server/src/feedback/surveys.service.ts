import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { SurveyDefinition, type CurrentUser, type Survey, type UpdateSurveyRequest } from '@loupe/contracts';
import { scaleOf, type PublicSurvey } from '@loupe/contracts/feedback';
import { ZodPipe } from '../http/zod.pipe';
import { ProjectsService } from '../projects/projects.service';
import { SurveysRepository, type SurveyRow } from './surveys.repository';

export const surveyNotFound = () => new NotFoundException('No such survey in this project. Pick one from GET /api/v1/surveys.');

/** Surveys are built by members and up (write), seen by everyone in the project (read). */
@Injectable()
export class SurveysService {
  private readonly wholeSurvey = new ZodPipe(SurveyDefinition);

  constructor(
    private readonly projects: ProjectsService,
    private readonly surveys: SurveysRepository,
  ) {}

  async list(user: CurrentUser, projectId: string): Promise<Survey[]> {
    await this.projects.requireAccess(user, projectId);
    return (await this.surveys.list(projectId)).map(toSurvey);
  }

  async get(user: CurrentUser, projectId: string, id: string): Promise<Survey> {
    await this.projects.requireAccess(user, projectId);
    return toSurvey(await this.existing(projectId, id));
  }

  async create(user: CurrentUser, projectId: string, definition: SurveyDefinition): Promise<Survey> {
    await this.projects.requireAccess(user, projectId, 'write');
    const id = await this.surveys.create(projectId, definition, user.id);
    return toSurvey(await this.existing(projectId, id));
  }

  /** The fields given replace the stored ones, and the result is checked as a whole before it is saved. */
  async update(user: CurrentUser, projectId: string, id: string, patch: UpdateSurveyRequest): Promise<Survey> {
    await this.projects.requireAccess(user, projectId, 'write');
    const current = await this.existing(projectId, id);
    const merged = {
      ...definitionOf(current),
      ...patch,
      presentation: { ...current.definition.presentation, ...patch.presentation },
      targeting: { ...current.definition.targeting, ...patch.targeting },
    };
    await this.surveys.update(projectId, id, this.wholeSurvey.transform(merged));
    return toSurvey(await this.existing(projectId, id));
  }

  async remove(user: CurrentUser, projectId: string, id: string): Promise<void> {
    await this.projects.requireAccess(user, projectId, 'write');
    const current = await this.existing(projectId, id);
    if (!(await this.surveys.deleteUnanswered(projectId, id))) {
      throw new ConflictException(`"${current.name}" has answers, which would be lost with it. End it instead (status "ended"): it stops appearing and keeps its answers.`);
    }
  }

  private async existing(projectId: string, id: string): Promise<SurveyRow> {
    const row = await this.surveys.find(projectId, id);
    if (!row) throw surveyNotFound();
    return row;
  }
}

function definitionOf(row: SurveyRow): SurveyDefinition {
  return { ...row.definition, name: row.name, kind: row.kind, status: row.status };
}

export function toSurvey(row: SurveyRow): Survey {
  const d = row.definition;
  return {
    ...toPublicSurvey(row),
    projectId: row.projectId,
    name: row.name,
    ...(d.points !== undefined ? { points: d.points } : {}),
    status: row.status,
    answers: row.answers,
    shown: row.shown,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** What a page may know of a running survey: what it asks and where, nothing the team wrote for itself. */
export function toPublicSurvey(row: Pick<SurveyRow, 'id' | 'kind' | 'definition'>): PublicSurvey {
  const d = row.definition;
  return {
    id: row.id,
    kind: row.kind,
    scale: scaleOf(row.kind, d.points),
    question: d.question,
    labels: d.labels,
    followUps: d.followUps,
    commentLabel: d.commentLabel,
    thankYou: d.thankYou,
    presentation: d.presentation,
    targeting: d.targeting,
  };
}
