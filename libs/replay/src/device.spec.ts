import { describe, expect, it } from 'vitest';
import { deviceOf } from './device';

const UA = {
  iphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  ipad: 'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
  mac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  androidTablet: 'Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  pixel: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  edge: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51',
  firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  chromebook: 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  samsung:
    'Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36',
};

describe('deviceOf', () => {
  it('reads device class, browser and OS from common user agents', () => {
    expect(deviceOf(UA.iphone)).toEqual({ device: 'mobile', browser: 'Safari', os: 'iOS' });
    expect(deviceOf(UA.ipad)).toEqual({ device: 'tablet', browser: 'Safari', os: 'iOS' });
    expect(deviceOf(UA.mac)).toEqual({ device: 'desktop', browser: 'Safari', os: 'macOS' });
    expect(deviceOf(UA.androidTablet)).toEqual({ device: 'tablet', browser: 'Chrome', os: 'Android' });
    expect(deviceOf(UA.pixel)).toEqual({ device: 'mobile', browser: 'Chrome', os: 'Android' });
    expect(deviceOf(UA.edge)).toEqual({ device: 'desktop', browser: 'Microsoft Edge', os: 'Windows' });
    expect(deviceOf(UA.firefoxLinux)).toEqual({ device: 'desktop', browser: 'Firefox', os: 'Linux' });
    expect(deviceOf(UA.chromebook)).toEqual({ device: 'desktop', browser: 'Chrome', os: 'Chrome OS' });
    expect(deviceOf(UA.samsung)).toEqual({ device: 'mobile', browser: 'Samsung Internet for Android', os: 'Android' });
  });

  it('trusts the user agent over the viewport: a narrow desktop window is still a desktop', () => {
    expect(deviceOf(UA.edge, 400).device).toBe('desktop');
    expect(deviceOf(UA.iphone, 1000).device).toBe('mobile');
  });

  it('falls back on the viewport width when the user agent names no platform', () => {
    expect(deviceOf('', 414)).toEqual({ device: 'mobile', browser: 'Other', os: 'Other' });
    expect(deviceOf('', 800).device).toBe('tablet');
    expect(deviceOf('', 1166).device).toBe('desktop');
    expect(deviceOf('').device).toBe('desktop');
    expect(deviceOf('curl/8.4.0', 375).device).toBe('mobile');
    expect(deviceOf(undefined as unknown as string, Number.NaN)).toEqual({ device: 'desktop', browser: 'Other', os: 'Other' });
  });

  it('keeps names short whatever the user agent says', () => {
    const info = deviceOf(`${'x'.repeat(5000)}/1.0`);
    expect(info.browser.length).toBeLessThanOrEqual(64);
    expect(info.os.length).toBeLessThanOrEqual(64);
  });
});
