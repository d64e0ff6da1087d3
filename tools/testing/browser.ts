import { accessSync, constants } from 'node:fs';
import { chromium, type Browser, type LaunchOptions, type Page } from 'playwright-core';

const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * Flags for a machine without outside network or a display: no sandbox (containers run as root),
 * and nothing that phones home, so a test never waits on a connection that cannot succeed.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's Chromium, or the one `CHROMIUM_PATH` names; null when it is not installed. */
export function chromiumPath(): string | null {
  const path = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return null;
  }
}

/**
 * Whether browser tests can run here. Use as `describe.skipIf(!browserAvailable() && !isCI)`: on a
 * laptop without Chromium they are skipped, under CI they run and `launchBrowser` fails loudly.
 */
export function browserAvailable(): boolean {
  return chromiumPath() !== null;
}

export async function launchBrowser(options: Omit<LaunchOptions, 'executablePath'> = {}): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) {
    const where = process.env.CHROMIUM_PATH ? ` (CHROMIUM_PATH is ${process.env.CHROMIUM_PATH})` : '';
    throw new Error(`Chromium is not installed: apt-get install -y chromium${where}`);
  }
  return chromium.launch({ ...options, executablePath, args: [...CHROMIUM_ARGS, ...(options.args ?? [])] });
}

/**
 * A page of its own browser context, logged in through the console's form as `account`, on the
 * Sessions page of `projectId`. Errors the page throws are pushed onto `pageErrors`.
 */
export async function signedInPage(
  browser: Browser,
  base: string,
  account: { email: string; password: string },
  projectId: string,
  pageErrors: string[],
  viewport = { width: 1280, height: 800 },
): Promise<Page> {
  const context = await browser.newContext({ baseURL: base, viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto('/login');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`**/p/${projectId}/sessions`);
  return page;
}
