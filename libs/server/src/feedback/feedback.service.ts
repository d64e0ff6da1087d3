import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { sentimentOf } from '@loupe/analytics';
import type { Assignee, CurrentUser, FeedbackItem, FeedbackListQuery, FeedbackNote, TriageRequest } from '@loupe/contracts';
import { ProjectsService } from '../projects/projects.service';
import { FeedbackRepository, type FeedbackRow, type NoteRow } from './feedback.repository';

const notFound = () => new NotFoundException('No such answer in this project. Pick one from GET /api/v1/feedback.');

/** The inbox: answers with their replays, and their triage by the team (members and up). */
@Injectable()
export class FeedbackService {
  constructor(
    private readonly projects: ProjectsService,
    private readonly feedback: FeedbackRepository,
  ) {}

  async list(user: CurrentUser, q: FeedbackListQuery): Promise<{ feedback: FeedbackItem[]; nextCursor: string | null }> {
    await this.projects.requireAccess(user, q.project);
    const rows = await this.feedback.list(q, q.cursor ? decodeCursor(q.cursor) : null);
    const last = rows[rows.length - 1];
    return { feedback: rows.map((r) => toItem(r, q.project)), nextCursor: rows.length === q.limit && last ? encodeCursor(last) : null };
  }

  async get(user: CurrentUser, projectId: string, id: string): Promise<{ feedback: FeedbackItem; notes: FeedbackNote[] }> {
    await this.projects.requireAccess(user, projectId);
    return this.withNotes(projectId, id);
  }

  async triage(user: CurrentUser, projectId: string, id: string, change: TriageRequest): Promise<{ feedback: FeedbackItem; notes: FeedbackNote[] }> {
    const project = await this.projects.requireAccess(user, projectId, 'write');
    if (change.assigneeId) {
      const members = await this.feedback.members(project.organizationId);
      if (!members.some((m) => m.id === change.assigneeId)) {
        throw new BadRequestException('The assignee is not a member of this project\'s organization. Pick one from GET /api/v1/feedback/assignees.');
      }
    }
    if (!(await this.feedback.triage(projectId, id, change))) throw notFound();
    return this.withNotes(projectId, id);
  }

  async addNote(user: CurrentUser, projectId: string, id: string, body: string): Promise<{ feedback: FeedbackItem; notes: FeedbackNote[] }> {
    await this.projects.requireAccess(user, projectId, 'write');
    if (!(await this.feedback.find(projectId, id))) throw notFound();
    await this.feedback.addNote(projectId, id, user.id, body);
    return this.withNotes(projectId, id);
  }

  async assignees(user: CurrentUser, projectId: string): Promise<Assignee[]> {
    const project = await this.projects.requireAccess(user, projectId);
    return this.feedback.members(project.organizationId);
  }

  private async withNotes(projectId: string, id: string): Promise<{ feedback: FeedbackItem; notes: FeedbackNote[] }> {
    const row = await this.feedback.find(projectId, id);
    if (!row) throw notFound();
    return { feedback: toItem(row, projectId), notes: (await this.feedback.notes(projectId, id)).map(toNote) };
  }
}

function toItem(r: FeedbackRow, projectId: string): FeedbackItem {
  const scale = r.scale_min !== null && r.scale_max !== null ? { min: r.scale_min, max: r.scale_max } : null;
  // The player counts time from the session's start; an answer sent before the first batch arrived is still inside the session.
  const offsetMs = Math.max(0, r.answered_at.getTime() - r.session_started_at.getTime());
  return {
    id: r.id,
    survey: { id: r.survey_id, name: r.survey_name },
    kind: r.kind,
    score: r.score,
    scale,
    sentiment: sentimentOf(r.kind, scale, r.score),
    comment: r.comment,
    commentQuestion: r.comment_question,
    url: r.url,
    device: r.device,
    sessionId: r.session_id,
    visitorId: r.visitor_id,
    userId: r.user_id,
    variants: r.variants,
    status: r.status,
    assignee: r.assignee_id ? { id: r.assignee_id, name: r.assignee_name ?? '', email: r.assignee_email ?? '' } : null,
    tags: r.tags,
    noteCount: r.note_count,
    createdAt: r.created_at.toISOString(),
    answeredAt: r.answered_at.toISOString(),
    resolvedAt: r.resolved_at?.toISOString() ?? null,
    ttrMs: r.resolved_at ? r.resolved_at.getTime() - r.created_at.getTime() : null,
    replay: { path: `/p/${projectId}/sessions/${encodeURIComponent(r.session_id)}?t=${offsetMs}`, offsetMs },
  };
}

const toNote = (n: NoteRow): FeedbackNote => ({
  id: n.id,
  body: n.body,
  author: n.author_id ? { id: n.author_id, name: n.author_name ?? '' } : null,
  createdAt: n.created_at.toISOString(),
});

function encodeCursor(r: FeedbackRow): string {
  return Buffer.from(JSON.stringify([r.created_at.toISOString(), r.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    if (typeof createdAt !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(createdAt)) || !/^[0-9a-f-]{36}$/.test(id)) throw new Error('shape');
    return { createdAt, id };
  } catch {
    throw new BadRequestException('The cursor is not one this API gave out: use nextCursor from the previous page.');
  }
}
