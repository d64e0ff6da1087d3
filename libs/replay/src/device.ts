// Bowser (MIT, no dependencies) keeps up with the user-agent quirks of new browsers and devices
// (iPadOS, Android tablets without "Mobile", Samsung Internet, Edge...), which a hand-written table
// would let rot; ua-parser-js is not an option since v2 is AGPL.
import Bowser from 'bowser';
import { clip } from './bounds';

export type DeviceClass = 'desktop' | 'tablet' | 'mobile';

export interface DeviceInfo {
  device: DeviceClass;
  browser: string;
  os: string;
}

/** Said when the user agent does not tell. */
export const UNKNOWN_UA_NAME = 'Other';

const NAME_MAX = 64;
/** Below these CSS widths a page lays out for phones and tablets (common responsive breakpoints). */
const PHONE_MAX_WIDTH = 768;
const TABLET_MAX_WIDTH = 1024;
const DESKTOP_OSES = new Set(['Windows', 'macOS', 'Linux', 'Chrome OS']);

/**
 * Device class, browser and OS of a visit. The user agent decides when it can; the viewport width
 * only breaks the tie when the user agent names no platform (empty, unusual or bot-like), because a
 * narrow desktop window is still a desktop.
 */
export function deviceOf(userAgent: string, viewportWidth?: number): DeviceInfo {
  let browser = UNKNOWN_UA_NAME;
  let os = UNKNOWN_UA_NAME;
  let platform: string | undefined;
  if (typeof userAgent === 'string' && userAgent.trim().length > 0) {
    const parsed = Bowser.parse(userAgent);
    if (parsed.browser.name) browser = clip(parsed.browser.name, NAME_MAX);
    if (parsed.os.name) os = clip(parsed.os.name, NAME_MAX);
    platform = parsed.platform.type;
  }
  let device: DeviceClass;
  if (platform === 'mobile' || platform === 'tablet' || platform === 'desktop') device = platform;
  else if (DESKTOP_OSES.has(os)) device = 'desktop';
  else device = byWidth(viewportWidth);
  return { device, browser, os };
}

function byWidth(width: number | undefined): DeviceClass {
  if (typeof width !== 'number' || !Number.isFinite(width) || width <= 0) return 'desktop';
  if (width < PHONE_MAX_WIDTH) return 'mobile';
  if (width < TABLET_MAX_WIDTH) return 'tablet';
  return 'desktop';
}
