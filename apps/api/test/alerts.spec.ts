import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckAlertsJob, loadConfig, WebhookSender } from '@loupe/server';
import { loginCookie } from '../../../tools/testing/api-client';
import { databaseShapes } from '../../../tools/testing/databases';
import { newId } from '../../../tools/testing/recordings';
import { seedAccount, startTestApi, type SeededAccount, type TestApi } from '../../../tools/testing/test-app';

describe.each(databaseShapes())('alerts to a webhook on the $name database', (shape) => {
  let api: TestApi;
  let account: SeededAccount;
  let cookie: string;
  let receiver: Server;
  let hook: string;
  const received: Array<{ text: string; blocks: Array<{ text: { text: string } }> }> = [];
  const now = new Date();
  const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

  /** Page views written as the analysis writes them, `rage` of them with a rage click. */
  async function views(pageKey: string, count: number, rage: number, minutesAgo: number) {
    const sessionId = newId();
    await api.platform.dataSource.query(
      `INSERT INTO session (project_id, id, visitor_id, started_at, last_event_at) VALUES ($1, $2, 'v', $3, $3)`,
      [account.project.id, sessionId, ago(minutesAgo)],
    );
    for (let i = 0; i < count; i++) {
      await api.platform.dataSource.query(
        `INSERT INTO page_view (project_id, session_id, idx, visitor_id, ts, url, page_key, duration_ms, is_entry, is_exit, bounced, signal_count, signals, error_count)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1000, false, false, false, $8, $9, 0)`,
        [account.project.id, sessionId, i, `v${i}`, ago(minutesAgo), `https://shop.example.com${pageKey}`, pageKey, i < rage ? 1 : 0, i < rage ? '{"rage_click":1}' : '{}'],
      );
    }
  }

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/loupe`;
    api = await startTestApi(shape.url, { LOUPE_WEBHOOKS_ALLOW_PRIVATE: 'true', PUBLIC_URL: 'https://loupe.example.com' });
    account = await seedAccount(api);
    cookie = await loginCookie(api, account);
    // A week of ordinary traffic, then a bad last half hour on the checkout page only.
    await views('/checkout', 60, 1, 2 * 24 * 60);
    await views('/home', 60, 0, 3 * 24 * 60);
    await views('/checkout', 12, 6, 30);
    await views('/home', 12, 0, 30);
  });
  afterAll(async () => {
    await api?.close();
    await new Promise((r) => receiver?.close(r));
  });

  it('refuses a webhook that is not an http(s) URL', async () => {
    const res = await request(api.http).patch(`/api/v1/projects/${account.project.id}/settings`).set('cookie', cookie).send({ alerts: { webhookUrl: 'ftp://hooks.example.com/x' } });
    expect(res.status).toBe(400);
    expect(res.body.issues[0].path).toBe('alerts.webhookUrl');
  });

  it('sends one Slack-compatible message when a page rises well above its own baseline, then keeps quiet', async () => {
    const patch = await request(api.http).patch(`/api/v1/projects/${account.project.id}/settings`).set('cookie', cookie).send({ alerts: { webhookUrl: hook, minViews: 10 } });
    expect(patch.status).toBe(200);
    const checks = api.app.get(CheckAlertsJob);
    expect(await checks.check(now)).toMatchObject({ alerts: 1 });
    for (let waited = 0; received.length === 0 && waited < 15_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    expect(received).toHaveLength(1);
    const [message] = received;
    expect(message!.text).toBe('Rage clicks on /checkout (Test project) rose to 0.50 per view in the last 1 hour: 6 in 12 views, against 0.02 per view over the 7 days before.');
    const link = message!.blocks.at(-1)!.text.text;
    expect(link).toContain(`https://loupe.example.com/p/${account.project.id}/sessions?`);
    expect(link).toContain('signalPage=%2Fcheckout');
    // The page is still bad a minute later: nothing new until the cooldown is over.
    expect(await checks.check(new Date(now.getTime() + 60_000))).toMatchObject({ alerts: 0 });
    const rows = await api.platform.dataSource.query('SELECT page_key, metric FROM alert_event WHERE project_id = $1', [account.project.id]);
    expect(rows).toEqual([{ page_key: '/checkout', metric: 'rage_click_rate' }]);
  });

  it('does not send to private network addresses unless the instance allows it', async () => {
    const strict = new WebhookSender(loadConfig({ NODE_ENV: 'test' }, 'api'));
    await expect(strict.send(hook, { text: 'x' })).rejects.toThrow(/private network; set LOUPE_WEBHOOKS_ALLOW_PRIVATE=true/);
    await expect(strict.send('http://[::1]:9/x', { text: 'x' })).rejects.toThrow(/private network/);
  });
});
