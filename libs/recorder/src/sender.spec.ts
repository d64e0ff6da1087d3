import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KEEPALIVE_MAX, newBatch, Sender, type PostResult, type SenderOptions, type Settled } from './sender';

/** A sender whose requests wait until the test answers them; each body's first byte is its seq. */
function setup(over: Partial<SenderOptions> = {}) {
  const posts: Array<{ seq: number; keepalive: boolean; answer: (r: PostResult) => void }> = [];
  const beacons: number[] = [];
  const settled: Array<[number, Settled, number | undefined]> = [];
  const sender = new Sender({
    post: (_url, body, keepalive) => new Promise((answer) => posts.push({ seq: body[0]!, keepalive, answer })),
    beacon: (_url, body) => (beacons.push(body[0]!), true),
    baseDelayMs: 1000,
    maxDelayMs: 8000,
    attempts: 3,
    maxQueueBytes: 10_000_000,
    onSettled: (b, how, status) => settled.push([b.seq, how, status]),
    random: () => 1,
    ...over,
  });
  const add = (seq: number, size = 100, send = true) => {
    const b = newBatch({ sessionId: 'sess', windowId: 'win', seq, url: 'u', size, body: new Uint8Array(size).fill(seq) });
    sender.enqueue(b, send);
    return b;
  };
  const ok: PostResult = { outcome: 'ok', status: 202 };
  const retry: PostResult = { outcome: 'retry', status: 503 };
  return { sender, posts, beacons, settled, add, ok, retry };
}

const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

describe('Sender', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends one batch at a time, in order, and never again once acknowledged', async () => {
    const { posts, add, ok, settled } = setup();
    add(0);
    add(1);
    add(2);
    expect(posts.map((p) => p.seq)).toEqual([0]);
    for (let i = 0; i < 3; i++) {
      posts[i]!.answer(ok);
      await tick();
    }
    expect(posts.map((p) => p.seq)).toEqual([0, 1, 2]);
    expect(settled).toEqual([
      [0, 'ok', undefined],
      [1, 'ok', undefined],
      [2, 'ok', undefined],
    ]);
    await tick(10 * 60_000);
    expect(posts).toHaveLength(3);
  });

  it('retries with growing delays, and flush waits for the acknowledgement', async () => {
    const { sender, posts, add, ok, retry } = setup();
    add(0);
    let done = false;
    void sender.settled().then(() => (done = true));
    posts[0]!.answer(retry);
    await tick(999);
    expect(posts).toHaveLength(1);
    await tick(1);
    expect(posts).toHaveLength(2);
    posts[1]!.answer(retry);
    await tick(1999);
    expect(posts).toHaveLength(2);
    await tick(1);
    expect(posts.map((p) => p.seq)).toEqual([0, 0, 0]);
    expect(done).toBe(false);
    posts[2]!.answer(ok);
    await tick();
    expect(done).toBe(true);
  });

  it('waits as long as Retry-After says, for every batch', async () => {
    const { posts, add, ok } = setup();
    add(0);
    add(1);
    posts[0]!.answer({ outcome: 'retry', status: 429, retryAfterMs: 20_000 });
    await tick(19_999);
    expect(posts).toHaveLength(1);
    await tick(1);
    posts[1]!.answer(ok);
    await tick();
    expect(posts.map((p) => p.seq)).toEqual([0, 0, 1]);
  });

  it('drops a refused batch at once, rejects flush, and goes on with the next', async () => {
    const { sender, posts, add, settled } = setup();
    add(0);
    add(1);
    const flushed = sender.settled();
    posts[0]!.answer({ outcome: 'drop', status: 400 });
    await expect(flushed).rejects.toThrow(/HTTP 400/);
    await tick();
    expect(posts.map((p) => p.seq)).toEqual([0, 1]);
    expect(settled).toEqual([[0, 'drop', 400]]);
  });

  it('gives up after the attempts, then tries again after a later success or a flush', async () => {
    const { sender, posts, add, ok, retry } = setup();
    add(0);
    const flushed = sender.settled().then(
      () => 'resolved',
      (e: Error) => e.message,
    );
    for (let i = 0; i < 3; i++) {
      posts.at(-1)!.answer(retry);
      await tick(8000);
    }
    expect(await flushed).toMatch(/could not be reached/);
    expect(posts).toHaveLength(3);
    await tick(60_000);
    expect(posts).toHaveLength(3);

    add(1);
    await tick(8000);
    expect(posts.at(-1)!.seq).toBe(1);
    posts.at(-1)!.answer(ok);
    await tick();
    // The success brings the parked batch back.
    expect(posts.at(-1)!.seq).toBe(0);
    posts.at(-1)!.answer(retry);
    for (let i = 0; i < 2; i++) {
      await tick(8000);
      posts.at(-1)!.answer(retry);
    }
    await tick(8000);
    const count = posts.length;
    const again = sender.settled();
    await tick(8000);
    expect(posts.length).toBe(count + 1);
    posts.at(-1)!.answer(ok);
    await expect(again).resolves.toBeUndefined();
  });

  it('at page exit sends by keepalive within 64 KB in flight, and by beacon what does not fit', async () => {
    const { sender, posts, beacons, add } = setup();
    add(0, 50 * 1024, false);
    add(1, 30 * 1024, false);
    add(2, KEEPALIVE_MAX + 1, false);
    add(3, 10 * 1024, false);
    sender.expedite();
    expect(posts.map((p) => [p.seq, p.keepalive])).toEqual([
      [0, true],
      [3, true],
    ]);
    expect(beacons).toEqual([1, 2]);
    // In flight or beaconed: a second exit event sends nothing twice.
    sender.expedite();
    expect(posts).toHaveLength(2);
    expect(beacons).toEqual([1, 2]);
  });

  it('sends with keepalive whenever the body fits, so that a request under way survives the page', () => {
    const { posts, add } = setup();
    add(0, 1000);
    expect(posts[0]!.keepalive).toBe(true);
    const big = setup();
    big.add(0, KEEPALIVE_MAX + 1);
    expect(big.posts[0]!.keepalive).toBe(false);
  });

  it('bounds the memory it holds by letting the oldest waiting batches go', () => {
    const { add, settled, posts } = setup({ maxQueueBytes: 250 });
    add(0);
    add(1);
    add(2);
    expect(posts.map((p) => p.seq)).toEqual([0]);
    expect(settled).toEqual([[1, 'evicted', undefined]]);
  });
});
