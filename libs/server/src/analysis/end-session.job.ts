import { Injectable, Logger } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { compressForStorage } from '../recordings/process-chunk.job';
import { RecordingsRepository } from '../recordings/recordings.repository';
import { decodeStoredChunk } from '../recordings/sessions.service';
import { JobHandler, type JobHandlerClass } from '../queue/job-handler';
import type { JobPayloads, JobResults } from '../queue/queue.definitions';
import { VISIT_ENDS_AFTER_MS } from './analyse-session.job';
import { SessionAnalysisRepository } from './session-analysis.repository';
import { SessionAnalysisService } from './session-analysis.service';

/**
 * Closes a visit once it has been quiet for 30 minutes: clicks whose outcome the recording could
 * not show yet are decided, the final analysis is written, and the chunks kept as the browser sent
 * them (gzip) are re-encoded with brotli, a third to half smaller. A batch arriving late opens the
 * visit again and this runs again later.
 */
@Injectable()
@JobHandler('session.end')
export class EndSessionJob implements JobHandlerClass<JobPayloads['session.end'], JobResults['session.end']> {
  private readonly log = new Logger('Analysis');

  constructor(
    private readonly repo: SessionAnalysisRepository,
    private readonly analysis: SessionAnalysisService,
    private readonly recordings: RecordingsRepository,
  ) {}

  async handle(key: JobPayloads['session.end'], job: Job, token?: string): Promise<JobResults['session.end']> {
    const session = await this.repo.session(key);
    if (!session) return { ended: false, recompressed: 0, skipped: 'the session is no longer stored' };
    const due = session.lastReceivedAt.getTime() + VISIT_ENDS_AFTER_MS;
    if (due > Date.now() + 1000 && token) {
      // Batches came in after this was scheduled: wait for the visit to go quiet.
      await job.moveToDelayed(due, token);
      throw new DelayedError();
    }
    await this.repo.markEnded(key);
    await this.analysis.analyse(key);
    let recompressed = 0;
    for (const chunk of await this.recordings.gzipChunks(key.projectId, key.sessionId)) {
      const stored = await this.recordings.findChunk(chunk);
      if (!stored || stored.encoding !== 'gzip') continue;
      const smaller = await compressForStorage(await decodeStoredChunk('gzip', stored.body));
      if (smaller.length < stored.body.length && (await this.recordings.replaceBodyIfEncoded(chunk, 'gzip', smaller, 'br'))) recompressed++;
    }
    if (recompressed) this.log.debug(`re-encoded ${recompressed} chunk(s) of an ended visit`);
    return { ended: true, recompressed };
  }
}
