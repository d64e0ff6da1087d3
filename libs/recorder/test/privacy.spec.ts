import { describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from '../../../tools/testing/browser';
import { isCI } from '../../../tools/testing/services';
import { flush, useRecorderPages } from './harness';

const SECRETS = ['hunter2', 'Typed Plain', 'Ignored Notes', '4111', 'Secret Person', 'Blocked Content', 'Blocked button'];

describe.skipIf(!browserAvailable() && !isCI)('privacy of the recording, in Chromium', () => {
  const s = useRecorderPages(() => launchBrowser());

  async function typeEverywhere() {
    const { page } = s;
    await page.locator('#password').pressSequentially('hunter2-very-secret');
    await page.locator('#name').pressSequentially('Typed Plain Value');
    await page.locator('#ignored').pressSequentially('Ignored Notes Value');
    await page.locator('#card').pressSequentially('4111-card-number');
    await page.locator('#secret').click();
    await page.locator('#blocked-button').click();
  }

  it('sends no typed input, masks data-loupe-mask text and leaves data-loupe-block out, by default', async () => {
    const { page, h } = s;
    await page.goto(h.url());
    await typeEverywhere();
    expect(await flush(page)).toBe('resolved');

    const all = h.allJson();
    for (const secret of SECRETS) expect(all).not.toContain(secret);
    // Masked text keeps its shape, so the replay still shows where it was.
    expect(all).toContain('****** ****** ****');
    // The inputs were recorded, masked: typing is visible as stars.
    expect(all).toContain('*'.repeat('Typed Plain Value'.length));

    const clicks = h.custom('loupe.click');
    expect(clicks.find((c) => c.selector === '#secret')?.text).toBe('****** ****** ****');
    // A click inside a blocked element is reported on the blocked element, without any of its text.
    const blocked = clicks.find((c) => c.selector === '#blocked');
    expect(blocked).toMatchObject({ tag: 'div', text: '' });
  });

  it('keeps passwords masked when maskAllInputs is off, and records other inputs as typed', async () => {
    const { page, h } = s;
    await page.goto(h.url({ init: { maskAllInputs: false } }));
    await typeEverywhere();
    expect(await flush(page)).toBe('resolved');

    const all = h.allJson();
    expect(all).toContain('Typed Plain Value');
    for (const secret of ['hunter2', 'Ignored Notes', '4111', 'Secret Person', 'Blocked Content']) expect(all).not.toContain(secret);
  });

  it('masks every text with maskAllText, clicks included', async () => {
    const { page, h } = s;
    await page.goto(h.url({ init: { maskAllText: true } }));
    await page.getByTestId('buy').click();
    expect(await flush(page)).toBe('resolved');

    const all = h.allJson();
    for (const text of ['Test shop', 'test shop', 'Buy now', 'Far below']) expect(all).not.toContain(text);
    expect(h.custom('loupe.click')[0]).toMatchObject({ selector: '[data-testid="buy"]', text: '*** ***' });
  });
});
