import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AlertThresholds } from '@loupe/contracts';
import { findAlerts, type PageAlert } from '@loupe/signals';
import { CONFIG } from '../config/config.module';
import type { LoupeConfig } from '../config/config';
import type { ChatMessage } from '../integrations/webhook';
import { readSettings } from '../projects/projects.service';
import { JobHandler, type JobHandlerClass } from '../queue/job-handler';
import type { JobResults } from '../queue/queue.definitions';
import { QueueService } from '../queue/queue.service';
import { AlertsRepository } from './alerts.repository';

const METRIC_WORDS: Record<PageAlert['metric'], { what: string; signal: string }> = {
  rage_click_rate: { what: 'Rage clicks', signal: 'rage_click' },
  error_rate: { what: 'Errors', signal: 'any' },
};

const fmt = (rate: number) => (rate >= 1 ? rate.toFixed(1) : rate.toFixed(2));

/**
 * Every few minutes: for each project with an alerts webhook, each page's rage clicks and errors per
 * view in the recent window against the page's own baseline before it; a page well above its usual
 * level is announced once per cooldown.
 */
@Injectable()
@JobHandler('alerts.check')
export class CheckAlertsJob implements JobHandlerClass<unknown, JobResults['alerts.check']> {
  private readonly log = new Logger('Alerts');

  constructor(
    private readonly alerts: AlertsRepository,
    private readonly queue: QueueService,
    @Inject(CONFIG) private readonly config: LoupeConfig,
  ) {}

  handle(): Promise<JobResults['alerts.check']> {
    return this.check(new Date());
  }

  async check(now: Date): Promise<JobResults['alerts.check']> {
    const projects = await this.alerts.projectsWithAlerts();
    let sent = 0;
    for (const project of projects) {
      const t = readSettings(project.settings).alerts;
      if (!t.webhookUrl) continue;
      const windowStart = new Date(now.getTime() - t.windowMinutes * 60_000);
      const baselineStart = new Date(windowStart.getTime() - t.baselineDays * 24 * 3600_000);
      const [recent, baseline] = await Promise.all([this.alerts.activity(project.id, windowStart, now), this.alerts.activity(project.id, baselineStart, windowStart)]);
      for (const alert of findAlerts(recent, baseline, t)) {
        if (!(await this.alerts.recordUnlessRecent(project.id, alert, t.cooldownMinutes))) continue;
        await this.queue.add('webhook.deliver', { url: t.webhookUrl, message: this.message(project, alert, t, windowStart, now), projectId: project.id, purpose: 'alert' }, { attempts: 6, backoff: { type: 'exponential', delay: 5000 } });
        sent++;
      }
    }
    if (sent) this.log.log(`sent ${sent} alert(s)`);
    return { projects: projects.length, alerts: sent };
  }

  private message(project: { id: string; name: string }, a: PageAlert, t: AlertThresholds, from: Date, to: Date): ChatMessage {
    const words = METRIC_WORDS[a.metric];
    const hours = t.windowMinutes % 60 === 0 ? `${t.windowMinutes / 60} hour${t.windowMinutes === 60 ? '' : 's'}` : `${t.windowMinutes} minutes`;
    const text = `${words.what} on ${a.pageKey} (${project.name}) rose to ${fmt(a.rate)} per view in the last ${hours}: ${a.count} in ${a.views} views, against ${fmt(a.baselineRate)} per view over the ${t.baselineDays} days before.`;
    const base = this.config.http.publicUrl;
    const sessions = base
      ? `${base}/p/${project.id}/sessions?${new URLSearchParams({ range: 'custom', from: from.toISOString(), to: to.toISOString(), signalPage: a.pageKey, ...(words.signal === 'any' ? {} : { signal: words.signal }) })}`
      : null;
    return {
      text,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `*${words.what} are up on \`${a.pageKey}\`* (${project.name})\n${text}` } },
        ...(sessions ? [{ type: 'section', text: { type: 'mrkdwn', text: `<${sessions}|Watch the sessions>` } }] : []),
      ],
    };
  }
}
