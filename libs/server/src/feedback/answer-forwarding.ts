import { Inject, Injectable, Logger, Module } from '@nestjs/common';
import { sentimentOf, type Sentiment } from '@loupe/analytics';
import type { ProjectSettings } from '@loupe/contracts';
import { CONFIG } from '../config/config.module';
import type { LoupeConfig } from '../config/config';
import { ProjectsService } from '../projects/projects.service';
import { JobHandler, type JobHandlerClass } from '../queue/job-handler';
import type { JobResults } from '../queue/queue.definitions';
import { QueueService, withTimeout } from '../queue/queue.service';
import { feedbackMessage, type ForwardedAnswer } from './feedback-message';
import { FeedbackRepository } from './feedback.repository';

/** An answer stored this long ago and still not queued for its webhook is queued again. */
const MISSED_AFTER_MS = 30_000;
const BATCH = 200;

/**
 * Forwards answers to the project's webhook: the `webhook.deliver` job sends each, retried with
 * backoff (2, 4, 8, 16, 32 s), and its job id makes it queued once. An answer is stored marked as
 * waiting and unmarked once its message is queued, so a queue that does not answer costs a delay,
 * never the message: the `feedback.forward-missed` job queues what was left.
 */
@Injectable()
export class AnswerForwarding {
  private readonly log = new Logger('AnswerForwarding');

  constructor(
    private readonly projects: ProjectsService,
    private readonly feedback: FeedbackRepository,
    private readonly queue: QueueService,
    @Inject(CONFIG) private readonly config: LoupeConfig,
  ) {}

  /** Whether the project's settings forward an answer of this sentiment. */
  async applies(projectId: string, sentiment: Sentiment | null): Promise<boolean> {
    return forwards((await this.projects.settingsOf(projectId)).integrations, sentiment);
  }

  /** Queues the message; true once it is queued (and the answer no longer marked as waiting). */
  async queueMessage(projectId: string, id: string, a: ForwardedAnswer & { sessionId: string }): Promise<boolean> {
    const { integrations } = await this.projects.settingsOf(projectId);
    if (!integrations.webhookUrl || !forwards(integrations, a.sentiment)) {
      await this.feedback.forwardQueued(projectId, id);
      return false;
    }
    const base = this.config.http.publicUrl?.replace(/\/+$/, '');
    const links = base
      ? { replay: `${base}/p/${projectId}/sessions/${encodeURIComponent(a.sessionId)}`, inbox: `${base}/p/${projectId}/feedback?answer=${id}` }
      : {};
    try {
      await withTimeout(
        this.queue.add(
          'webhook.deliver',
          { url: integrations.webhookUrl, message: feedbackMessage(a, links), projectId, purpose: 'feedback' },
          { jobId: `webhook.feedback.${id}`, attempts: 6, backoff: { type: 'exponential', delay: 2000 } },
        ),
        1000,
        'the queue did not answer in time',
      );
    } catch (err) {
      this.log.warn(`answer ${id} stored, its webhook message will be queued later (${(err as Error).message})`);
      return false;
    }
    await this.feedback.forwardQueued(projectId, id);
    return true;
  }

  /** Queues the messages of answers stored while the queue could not take them. */
  async queueMissed(olderThanMs = MISSED_AFTER_MS): Promise<number> {
    let queued = 0;
    for (const p of await this.feedback.pendingForwards(olderThanMs, BATCH)) {
      const scale = p.scaleMin !== null && p.scaleMax !== null ? { min: p.scaleMin, max: p.scaleMax } : null;
      const answer: ForwardedAnswer & { sessionId: string } = {
        kind: p.kind,
        surveyName: p.surveyName,
        score: p.score,
        scale,
        sentiment: sentimentOf(p.kind, scale, p.score),
        comment: p.comment,
        commentQuestion: p.commentQuestion,
        url: p.url,
        device: p.device,
        variants: p.variants,
        sessionId: p.sessionId,
      };
      if (await this.queueMessage(p.projectId, p.id, answer)) queued++;
    }
    if (queued) this.log.log(`queued ${queued} answer(s) for their webhook that were stored while the queue was unavailable`);
    return queued;
  }
}

const forwards = (integrations: ProjectSettings['integrations'], sentiment: Sentiment | null): boolean =>
  !!integrations.webhookUrl && integrations.forwardFeedback !== 'off' && (integrations.forwardFeedback !== 'detractors' || sentiment === 'negative');

@Injectable()
@JobHandler('feedback.forward-missed')
export class ForwardMissedAnswersJob implements JobHandlerClass<unknown, JobResults['feedback.forward-missed']> {
  constructor(private readonly forwarding: AnswerForwarding) {}

  async handle(): Promise<JobResults['feedback.forward-missed']> {
    return { queued: await this.forwarding.queueMissed() };
  }
}

/** The missed-forwarding job, for whichever process runs workers. */
@Module({ providers: [FeedbackRepository, AnswerForwarding, ForwardMissedAnswersJob] })
export class FeedbackJobsModule {}
