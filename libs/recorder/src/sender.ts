import { backoffDelay, type Outcome } from './backoff';
import { guard } from './guard';

/** Largest body sent with `keepalive`; larger ones at page exit go by `sendBeacon`. */
export const KEEPALIVE_MAX = 60 * 1024;
/** Browsers refuse keepalive requests once those in flight exceed 64 KiB together. */
export const KEEPALIVE_BUDGET = 64 * 1024;
/** A beacon's fate is unknown; if the page lives on, the batch is sent again after this long. */
const BEACON_GRACE_MS = 30_000;
const MAX_RETRY_AFTER_MS = 10 * 60_000;

export interface Batch {
  sessionId: string;
  windowId: string;
  seq: number;
  url: string;
  /** Compressed body, once compression is done. */
  body?: Uint8Array;
  /** Bytes the batch holds in memory, compressed or not, for the memory bound. */
  size: number;
  /** Settles when compression has finished: the batch then has a body, or is done (dropped). */
  ready: Promise<unknown>;
  /** Its outbox key, when it could be stored. */
  key?: string | null;
  attempts: number;
  notBefore: number;
  /** Gave up for now: waits for a success, a `flush()` or the next page. */
  parked: boolean;
  /** A request for it is under way. */
  inFlight: boolean;
  beaconed: boolean;
  done: boolean;
  waiters: Array<[() => void, (error: Error) => void]>;
}

export function newBatch(fields: Pick<Batch, 'sessionId' | 'windowId' | 'seq' | 'url' | 'size'> & Partial<Batch>): Batch {
  return { ready: Promise.resolve(), attempts: 0, notBefore: 0, parked: false, inFlight: false, beaconed: false, done: false, waiters: [], ...fields };
}

export interface PostResult {
  outcome: Outcome;
  status?: number;
  retryAfterMs?: number | null;
}

export type Settled = 'ok' | 'drop' | 'evicted';

export interface SenderOptions {
  post: (url: string, body: Uint8Array, keepalive: boolean) => Promise<PostResult>;
  beacon: (url: string, body: Uint8Array) => boolean;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Attempts before a batch is parked and its `flush()` callers are told. */
  attempts: number;
  /** Bound on the bytes queued in memory; the oldest batches beyond it are left to the outbox. */
  maxQueueBytes: number;
  onSettled: (batch: Batch, how: Settled, status?: number) => void;
  now?: () => number;
  random?: () => number;
}

/**
 * Sends batches one at a time in order, retrying with exponential backoff and jitter. One request
 * at a time keeps a struggling server from being hit by every queued batch at once, and a failure
 * delays all batches, since they go to the same server.
 */
export class Sender {
  readonly queue: Batch[] = [];
  private busy = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private notBefore = 0;
  private keepaliveBytes = 0;
  private readonly now: () => number;

  constructor(private readonly o: SenderOptions) {
    this.now = o.now ?? Date.now;
  }

  /** `send` false leaves the batch for `expedite`, when the page is being hidden. */
  enqueue(b: Batch, send = true): void {
    this.queue.push(b);
    this.bound();
    if (send) this.pump();
  }

  has(key: string): boolean {
    return this.queue.some((b) => b.key === key);
  }

  /** Resolves once every batch queued now is acknowledged; rejects when one is refused or given up. */
  settled(): Promise<void> {
    for (const b of this.queue) this.unpark(b);
    const all = this.queue.map((b) => new Promise<void>((resolve, reject) => b.waiters.push([resolve, reject])));
    this.pump();
    return Promise.all(all).then(() => undefined);
  }

  /**
   * Sends whatever can still leave a page being hidden or closed: `keepalive` requests survive the
   * page, within the browser's 64 KiB budget; a larger new batch goes by `sendBeacon`. Whatever
   * does not leave stays in the outbox for the next page.
   */
  expedite(): void {
    let budget = KEEPALIVE_BUDGET - this.keepaliveBytes;
    for (const b of [...this.queue]) {
      if (b.inFlight || b.parked || b.done || !b.body) continue;
      const size = b.body.length;
      if (size <= KEEPALIVE_MAX && size <= budget) {
        budget -= size;
        this.attempt(b, () => this.pump());
      } else if (!b.beaconed && b.attempts === 0 && this.o.beacon(b.url, b.body)) {
        b.beaconed = true;
        b.notBefore = this.now() + BEACON_GRACE_MS;
      }
    }
  }

  /** Takes a batch out for good (it could not be compressed within the limits, say). */
  discard(b: Batch, error: Error): void {
    this.finish(b, 'drop', error);
  }

  pump(): void {
    if (this.busy) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.queue.find((b) => !b.inFlight && !b.parked);
    if (!next) return;
    const wait = Math.max(next.notBefore, this.notBefore) - this.now();
    if (wait > 0) {
      this.timer = setTimeout(guard('sending', () => this.pump()), wait);
      return;
    }
    this.busy = true;
    this.attempt(next, () => {
      this.busy = false;
      this.pump();
    });
  }

  private attempt(b: Batch, after: () => void): void {
    const go = () => {
      if (b.done || b.inFlight) return undefined;
      // Compression has settled without a body: trying again would spin.
      if (!b.body) return this.discard(b, new Error('Loupe: a part of the recording could not be compressed.'));
      return this.send(b, b.body);
    };
    // Without waiting when the body is ready, so that a request made while the page closes is
    // started before the page is gone.
    if (b.body) Promise.resolve(go()).then(after, after);
    else b.ready.then(go, () => undefined).then(after, after);
  }

  private async send(b: Batch, body: Uint8Array): Promise<void> {
    b.inFlight = true;
    const size = body.length;
    const keepalive = size <= KEEPALIVE_MAX && this.keepaliveBytes + size <= KEEPALIVE_BUDGET;
    if (keepalive) this.keepaliveBytes += size;
    let result: PostResult;
    try {
      result = await this.o.post(b.url, body, keepalive);
    } catch {
      result = { outcome: 'retry' };
    } finally {
      if (keepalive) this.keepaliveBytes -= size;
      b.inFlight = false;
    }
    this.settle(b, result);
  }

  private settle(b: Batch, r: PostResult): void {
    if (b.done) return;
    if (r.outcome === 'retry') {
      const now = this.now();
      this.failures++;
      b.attempts++;
      let delay = backoffDelay(this.failures, this.o.baseDelayMs, this.o.maxDelayMs, this.o.random);
      if (r.retryAfterMs != null) delay = Math.max(delay, Math.min(r.retryAfterMs, MAX_RETRY_AFTER_MS));
      this.notBefore = Math.max(this.notBefore, now + delay);
      if (b.attempts >= this.o.attempts) {
        b.parked = true;
        this.release(b, new Error('Loupe: the recording server could not be reached; what was recorded is kept and sent later.'));
      }
      return;
    }
    this.failures = 0;
    if (r.outcome === 'ok') {
      this.finish(b, 'ok');
      for (const p of this.queue) this.unpark(p);
    } else {
      this.finish(b, 'drop', new Error(`Loupe: the recording server refused a batch (HTTP ${r.status ?? '4xx'}).`), r.status);
    }
  }

  private finish(b: Batch, how: Settled, error?: Error, status?: number): void {
    if (b.done) return;
    b.done = true;
    const i = this.queue.indexOf(b);
    if (i >= 0) this.queue.splice(i, 1);
    if (error) this.release(b, error);
    else for (const [resolve] of b.waiters.splice(0)) resolve();
    this.o.onSettled(b, how, status);
  }

  private release(b: Batch, error: Error): void {
    for (const [, reject] of b.waiters.splice(0)) reject(error);
  }

  private unpark(b: Batch): void {
    if (!b.parked) return;
    b.parked = false;
    b.attempts = 0;
  }

  /** Beyond the memory bound the oldest batches leave memory; their outbox copies remain. */
  private bound(): void {
    let total = 0;
    for (const b of this.queue) total += b.size;
    for (const b of [...this.queue]) {
      if (total <= this.o.maxQueueBytes || this.queue.length <= 1) break;
      if (b.inFlight) continue;
      total -= b.size;
      this.finish(b, 'evicted', new Error('Loupe: too much is waiting to be sent; older recording is kept for a later page.'));
    }
  }
}
