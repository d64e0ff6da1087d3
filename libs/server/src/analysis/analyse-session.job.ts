import { Injectable, Logger } from '@nestjs/common';
import { JobHandler, type JobHandlerClass } from '../queue/job-handler';
import { endDedupId, type JobPayloads, type JobResults } from '../queue/queue.definitions';
import { QueueService } from '../queue/queue.service';
import { SessionAnalysisService } from './session-analysis.service';

/** A visit ends this long after the last batch arrived: the recorder starts a new session after 30 idle minutes. */
export const VISIT_ENDS_AFTER_MS = 30 * 60_000;

/**
 * Analyses a session after each processed chunk (at most one at a time per session) and pushes its
 * end-of-visit job back to 30 minutes after the latest batch.
 */
@Injectable()
@JobHandler('session.analyse')
export class AnalyseSessionJob implements JobHandlerClass<JobPayloads['session.analyse'], JobResults['session.analyse']> {
  private readonly log = new Logger('Analysis');

  constructor(
    private readonly analysis: SessionAnalysisService,
    private readonly queue: QueueService,
  ) {}

  async handle(key: JobPayloads['session.analyse']): Promise<JobResults['session.analyse']> {
    const { lastReceivedAt, ...result } = await this.analysis.analyse(key);
    if (lastReceivedAt) {
      const delay = Math.max(0, lastReceivedAt.getTime() + VISIT_ENDS_AFTER_MS - Date.now());
      await this.queue
        .add('session.end', key, { delay, deduplication: { id: endDedupId(key), reschedule: true }, removeOnComplete: true })
        .catch((err: Error) => this.log.warn(`could not schedule the end of a visit: ${err.message}`));
    }
    return result;
  }
}
