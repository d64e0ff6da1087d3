import { Injectable } from '@nestjs/common';
import type { CurrentUser } from '@loupe/contracts';
import { AuditLog } from '../accounts/audit-log';
import { ProjectsService } from '../projects/projects.service';
import { PeopleRepository, type PersonDeletion } from './people.repository';

/** Data subject requests: what a project holds about one person, and its erasure. */
@Injectable()
export class PeopleService {
  constructor(
    private readonly projects: ProjectsService,
    private readonly people: PeopleRepository,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Everything the project holds about the person, as one JSON document. A person of whom nothing
   * is held is an answer too (empty lists): the request was heard and the answer is "nothing".
   */
  async export(user: CurrentUser, projectId: string, personId: string) {
    await this.projects.requireAccess(user, projectId, 'read');
    const found = await this.people.find(projectId, personId);
    const exposures = found.events
      .filter((e) => e['kind'] === 'exposure')
      .map((e) => ({ sessionId: e['session_id'], at: e['ts'], experiment: e['name'], variant: (e['props'] as Record<string, unknown> | null)?.['variant'] ?? null, url: e['url'] }));
    return {
      person: personId,
      project: projectId,
      exportedAt: new Date().toISOString(),
      sessions: found.sessions,
      recordings: found.chunks.map((c) => ({ ...c, download: `/api/v1/sessions/${String(c['session_id'])}/export?project=${projectId}` })),
      events: found.events,
      signals: found.signals,
      pageViews: found.pageViews,
      feedback: found.feedback,
      feedbackNotes: found.notes,
      surveyImpressions: found.impressions,
      exposures,
    };
  }

  /** Erases the person from the project; the audit log keeps that it was done, by whom, and how much went. */
  async delete(user: CurrentUser, projectId: string, personId: string): Promise<{ person: string; deleted: PersonDeletion }> {
    const project = await this.projects.requireAccess(user, projectId, 'admin');
    const deleted = await this.people.delete(projectId, personId, (m, counts) =>
      this.audit.record(user, { organizationId: project.organizationId, projectId, action: 'person.deleted', target: personId, details: { ...counts } }, m),
    );
    return { person: personId, deleted };
  }
}
