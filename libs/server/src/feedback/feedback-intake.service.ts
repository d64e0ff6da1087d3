import { BadRequestException, ConflictException, ForbiddenException, Injectable, Logger, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { sentimentOf } from '@loupe/analytics';
import { FeedbackImpressionSchema, FeedbackSubmissionSchema, type FeedbackAccepted } from '@loupe/contracts';
import { INGEST_LIMITS } from '@loupe/contracts/recording';
import { commentQuestionFor, scaleOf, type SurveyKind } from '@loupe/contracts/feedback';
import { deviceOf } from '@loupe/replay';
import { LRUCache } from 'lru-cache';
import { ZodPipe } from '../http/zod.pipe';
import { originAllowed, ProjectKeys, type KeyedProject } from '../projects/project-keys';
import { AnswerForwarding } from './answer-forwarding';
import { FeedbackRepository } from './feedback.repository';
import { SurveysRepository, type SurveyRow } from './surveys.repository';

type SurveyForAnswer = Pick<SurveyRow, 'id' | 'name' | 'kind' | 'status' | 'definition'>;

export interface IntakeRequest {
  key: string | undefined;
  origin: string | undefined;
  userAgent: string | undefined;
  body: unknown;
}

const KIND_NAMES: Record<SurveyKind, string> = { nps: 'NPS', csat: 'CSAT', ces: 'CES', comment: 'comment' };
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * What the feedback widget sends with the project's public key, like ingest: answers and the
 * showings of surveys. Each is checked whole against its survey before anything is stored.
 */
@Injectable()
export class FeedbackIntakeService {
  private readonly log = new Logger('Feedback');
  private readonly answers = new ZodPipe(FeedbackSubmissionSchema);
  private readonly impressions = new ZodPipe(FeedbackImpressionSchema);
  /**
   * Surveys are read on every answer and showing, so they are kept a few seconds: a survey set back
   * to draft takes answers for up to that long. An unknown id is kept too (as null), so a flood of
   * them costs one query each.
   */
  private readonly surveyCache = new LRUCache<string, { survey: SurveyForAnswer | null }>({ max: 5_000, ttl: 10_000 });

  constructor(
    private readonly keys: ProjectKeys,
    private readonly surveys: SurveysRepository,
    private readonly feedback: FeedbackRepository,
    private readonly forwarding: AnswerForwarding,
  ) {}

  async answer(req: IntakeRequest): Promise<FeedbackAccepted> {
    const project = await this.project(req);
    const a = this.answers.transform(parseBody(req.body));
    checkClock(a.at);
    const survey = await this.survey(project.id, a.surveyId);
    const scale = scaleOf(survey.kind, survey.definition.points);
    const name = KIND_NAMES[survey.kind];
    if (!scale) {
      if (a.score !== null) throw new BadRequestException('This survey asks for a comment and takes no score: send score null.');
      if (!a.comment) throw new BadRequestException('The comment is empty: a comment survey needs some text.');
    } else if (a.score === null) {
      throw new BadRequestException(`The score is missing: this ${name} survey needs a whole number from ${scale.min} to ${scale.max}.`);
    } else if (a.score < scale.min || a.score > scale.max) {
      throw new BadRequestException(`The score ${a.score} is outside this ${name} survey's scale: send a whole number from ${scale.min} to ${scale.max}.`);
    }
    const commentQuestion = a.comment ? commentQuestionFor(survey.definition, a.score) : null;
    const device = deviceOf(req.userAgent ?? '', a.viewport?.width).device;
    const sentiment = sentimentOf(survey.kind, scale, a.score);
    const forwarded = await this.forwarding.applies(project.id, sentiment);
    const stored = await this.storedOrGone(() => this.feedback.insertAnswer({
      projectId: project.id,
      submissionId: a.id,
      surveyId: survey.id,
      sessionId: a.sessionId,
      visitorId: a.visitorId,
      windowId: a.windowId ?? null,
      kind: survey.kind,
      scaleMin: scale?.min ?? null,
      scaleMax: scale?.max ?? null,
      score: a.score,
      comment: a.comment,
      commentQuestion,
      url: a.url,
      device,
      variants: a.variants,
      answeredAt: a.at,
      userAgent: req.userAgent?.slice(0, 512) ?? null,
      forwardPending: forwarded,
    }));
    if (stored && forwarded) {
      await this.forwarding.queueMessage(project.id, stored.id, {
        kind: survey.kind,
        surveyName: survey.name,
        score: a.score,
        scale,
        sentiment,
        comment: a.comment,
        commentQuestion,
        url: a.url,
        device,
        variants: stored.variants,
        sessionId: a.sessionId,
      });
    }
    return { accepted: true, duplicate: stored === null };
  }

  async impression(req: IntakeRequest): Promise<FeedbackAccepted> {
    const project = await this.project(req);
    const i = this.impressions.transform(parseBody(req.body));
    checkClock(i.at);
    const survey = await this.survey(project.id, i.surveyId);
    const stored = await this.storedOrGone(() => this.feedback.insertImpression({
      projectId: project.id,
      impressionId: i.id,
      kind: i.kind,
      surveyId: survey.id,
      surveyKind: survey.kind,
      sessionId: i.sessionId,
      visitorId: i.visitorId,
      url: i.url,
      device: deviceOf(req.userAgent ?? '', i.viewport?.width).device,
      variants: i.variants,
      at: i.at,
      userAgent: req.userAgent?.slice(0, 512) ?? null,
    }));
    return { accepted: true, duplicate: !stored };
  }

  private async project(req: IntakeRequest): Promise<KeyedProject> {
    const project = await this.keys.find(req.key);
    if (!project) throw new UnauthorizedException('Unknown project key. Copy the key from the project settings into Loupe.init({ key }).');
    if (req.origin && !originAllowed(project, req.origin)) {
      throw new ForbiddenException(`This project does not take feedback from ${req.origin}. Add the origin to the project's allowed origins.`);
    }
    return project;
  }

  private async survey(projectId: string, surveyId: string): Promise<SurveyForAnswer> {
    const key = `${projectId}/${surveyId}`;
    let hit = this.surveyCache.get(key);
    if (!hit) {
      hit = { survey: await this.surveys.findForAnswer(projectId, surveyId) };
      this.surveyCache.set(key, hit);
    }
    const { survey } = hit;
    if (!survey) throw surveyGone();
    if (survey.status === 'draft') throw new ConflictException('This survey is a draft: it takes answers once it is running.');
    return survey;
  }

  /** A survey deleted while it was remembered fails the foreign key: that is an unknown survey. */
  private async storedOrGone<T>(store: () => Promise<T>): Promise<T> {
    try {
      return await store();
    } catch (err) {
      if ((err as { code?: string; constraint?: string }).code === '23503' && /survey_id/.test((err as { constraint?: string }).constraint ?? '')) throw surveyGone();
      throw err;
    }
  }
}

const surveyGone = () => new NotFoundException('No such survey in this project: check the survey id (Loupe.feedback.open), and that the survey was not deleted.');

/** JSON sent as `application/json` arrives parsed; sent as `text/plain` (no CORS preflight) it arrives as bytes. */
function parseBody(body: unknown): unknown {
  const value = Buffer.isBuffer(body) ? parseText(body) : body;
  if (value && typeof value === 'object' && !Array.isArray(value)) return value;
  throw new BadRequestException('Send the answer as a JSON object (Content-Type application/json or text/plain).');
}

function parseText(body: Buffer): unknown {
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    throw new BadRequestException('The body is not valid UTF-8 text.');
  }
  if (text.includes('"__proto__"')) throw new BadRequestException('The body holds a "__proto__" key, which is refused.');
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequestException('The body is not valid JSON: send the answer as a JSON object.');
  }
}

function checkClock(at: number): void {
  const off = Math.abs(at - Date.now());
  if (off > INGEST_LIMITS.maxClockSkewMs) {
    throw new BadRequestException(`"at" is ${Math.round(off / 86_400_000)} days away from the server's clock; answers are taken within ${INGEST_LIMITS.maxClockSkewMs / 86_400_000} days of it.`);
  }
}
