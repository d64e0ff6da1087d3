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

  /** Every key the SDK keeps in the page's storage. */
  const loupeKeys = () =>
    s.page.evaluate(() => [...Object.keys(localStorage), ...Object.keys(sessionStorage)].filter((k) => k.startsWith('loupe.') && !k.startsWith('loupe.config.')).sort());

  it('with requireConsent, records, sends and stores nothing until Loupe.consent(true), then records, remembering the answer on the next page', async () => {
    const { page, h } = s;
    const url = h.url({ init: { requireConsent: true } });
    await page.goto(url);
    await page.getByTestId('buy').click();
    await page.evaluate(() => window.Loupe!.track('before-consent'));
    expect(await flush(page)).toBe('resolved');
    await page.waitForTimeout(300);
    expect(h.received).toHaveLength(0);
    expect(await loupeKeys()).toEqual([]);
    expect(await page.evaluate(() => window.Loupe!.getVisitorId())).toBeNull();

    await page.evaluate(() => window.Loupe!.consent(true));
    await page.locator('#counter').click();
    expect(await flush(page)).toBe('resolved');
    expect(h.custom('loupe.click').map((c) => c.selector)).toEqual(['#counter']);
    // What was done before consent was not kept for later either.
    expect(h.allJson()).not.toContain('before-consent');

    h.reset();
    await page.goto(url);
    await page.locator('#counter').click();
    expect(await flush(page)).toBe('resolved');
    expect(h.custom('loupe.click').map((c) => c.selector)).toEqual(['#counter']);
  });

  it('Loupe.consent(false) stops recording and drops what was not sent yet, with the visitor ids', async () => {
    const { page, h } = s;
    await page.goto(h.url({ init: { flushIntervalMs: 60_000 } }));
    await page.locator('#counter').click();
    await page.evaluate(() => window.Loupe!.track('queued-before-refusal'));
    expect(await page.evaluate(() => window.Loupe!.getVisitorId())).toEqual(expect.any(String));
    await page.evaluate(() => window.Loupe!.consent(false));
    await page.getByTestId('buy').click();
    expect(await flush(page)).toBe('resolved');
    // The page being hidden or closed would send what is buffered: it must not find anything.
    await page.goto('about:blank');
    await page.waitForTimeout(500);
    expect(h.allJson()).not.toContain('queued-before-refusal');
    expect(h.custom('loupe.click')).toEqual([]);

    // The refusal holds on the next page, even one whose init does not ask for consent.
    await page.goto(h.url({ init: { flushIntervalMs: 500 } }));
    await page.locator('#counter').click();
    expect(await flush(page)).toBe('resolved');
    expect(h.received).toHaveLength(0);
    expect(await loupeKeys()).toEqual(['loupe.consent']);
  });

  it('honours Do Not Track and Global Privacy Control when the project asks, and only then', async () => {
    const { page, h } = s;
    h.control.config = { v: 1, privacy: { honorDoNotTrack: true, maskAllText: false, maskSelectors: [], blockSelectors: [] } };
    const gpc = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true });";
    await page.goto(h.url({ before: gpc }));
    await page.getByTestId('buy').click();
    expect(await flush(page)).toBe('resolved');
    await page.waitForTimeout(300);
    expect(h.received).toHaveLength(0);
    expect(await loupeKeys()).toEqual([]);

    // The same browser on a project that does not ask is recorded.
    h.control.config = { v: 1, privacy: { honorDoNotTrack: false, maskAllText: false, maskSelectors: [], blockSelectors: [] } };
    await page.evaluate(() => sessionStorage.clear());
    await page.goto(h.url({ before: gpc }));
    await page.getByTestId('buy').click();
    expect(await flush(page)).toBe('resolved');
    expect(h.custom('loupe.click').map((c) => c.selector)).toEqual(['[data-testid="buy"]']);
  });

  it("applies the project's masking from the first snapshot: extra masked and blocked selectors, mask all text", async () => {
    const { page, h } = s;
    h.control.config = { v: 1, privacy: { honorDoNotTrack: false, maskAllText: false, maskSelectors: ['#heading'], blockSelectors: ['[data-testid="buy"]', 'not a [valid selector'] } };
    await page.goto(h.url());
    await page.locator('#far').click();
    expect(await flush(page)).toBe('resolved');
    const all = h.allJson();
    expect(all).not.toContain('Test shop');
    expect(all).not.toContain('Buy now');
    expect(all).toContain('Far below');

    h.reset();
    h.control.config = { v: 1, privacy: { honorDoNotTrack: false, maskAllText: true, maskSelectors: [], blockSelectors: [] } };
    await page.evaluate(() => sessionStorage.clear());
    await page.goto(h.url());
    await page.locator('#far').click();
    expect(await flush(page)).toBe('resolved');
    for (const text of ['Test shop', 'Buy now', 'Far below']) expect(h.allJson()).not.toContain(text);
  });
});
