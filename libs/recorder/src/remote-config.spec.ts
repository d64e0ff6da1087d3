import { describe, expect, it, vi } from 'vitest';
import { loadRemoteConfig, REMOTE_CONFIG_TTL_MS } from './remote-config';
import { memoryStore } from './storage';

const o = { endpoint: 'https://loupe.example.com', key: 'pk_test_key_123' };
const answer = (body: unknown, status = 200) => vi.fn(async () => new Response(JSON.stringify(body), { status }));

describe('the SDK configuration from the server', () => {
  it('asks the server with the public key, and keeps the answer for the tab', async () => {
    const store = memoryStore();
    const fetchImpl = answer({ v: 1, privacy: { maskAllText: true } });
    expect(await loadRemoteConfig(o, store, 1_000, fetchImpl)).toEqual({ v: 1, privacy: { maskAllText: true } });
    expect(fetchImpl).toHaveBeenCalledWith('https://loupe.example.com/v1/config?key=pk_test_key_123', expect.objectContaining({ credentials: 'omit' }));
    expect(await loadRemoteConfig(o, store, 1_000 + REMOTE_CONFIG_TTL_MS - 1, fetchImpl)).toEqual({ v: 1, privacy: { maskAllText: true } });
    expect(fetchImpl).toHaveBeenCalledTimes(1);
  });

  it('asks again once the copy is old, and falls back to it when the server fails', async () => {
    const store = memoryStore();
    await loadRemoteConfig(o, store, 1_000, answer({ v: 1, surveys: [1] }));
    const failing = answer({ message: 'down' }, 503);
    expect(await loadRemoteConfig(o, store, 1_000 + REMOTE_CONFIG_TTL_MS, failing)).toEqual({ v: 1, surveys: [1] });
    expect(failing).toHaveBeenCalledTimes(1);
    const unreachable = vi.fn(async () => {
      throw new TypeError('network');
    });
    expect(await loadRemoteConfig(o, store, 1_000 + 2 * REMOTE_CONFIG_TTL_MS, unreachable)).toEqual({ v: 1, surveys: [1] });
  });

  it('answers an empty configuration when there is nothing to fall back to, and ignores a foreign answer', async () => {
    expect(await loadRemoteConfig(o, memoryStore(), 0, answer({ v: 2 }))).toEqual({ v: 1 });
    const slow = vi.fn((_url: string, init?: RequestInit) => new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted')))));
    expect(await loadRemoteConfig(o, memoryStore(), 0, slow as unknown as typeof fetch, 10)).toEqual({ v: 1 });
  });
});
