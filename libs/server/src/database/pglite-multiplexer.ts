import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';

interface Pending {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (err: unknown) => void;
}

const SYNC = 0x53; // 'S': ends an extended-query exchange (Parse, Bind, Describe, Execute...)
const QUERY = 0x51; // 'Q': a simple query is a whole exchange by itself
const TERMINATE = 0x58; // 'X'
const PASSWORD = 0x70; // 'p': part of the start-up exchange, answered at once

/** Whether, after this message, another connection may speak to the one PostgreSQL session. */
function endsExchange(message: Uint8Array): boolean {
  // Start-up, SSL and cancel requests have no type byte: they begin with their length.
  if (message.length >= 8 && message[0] === 0) return true;
  const type = message[0];
  return type === SYNC || type === QUERY || type === TERMINATE || type === PASSWORD;
}

/**
 * PGlite is one PostgreSQL session; many pool connections take turns on it. Turns must follow whole
 * exchanges, not single messages: node-postgres sends Parse, Bind, Describe, Execute, Sync for each
 * parameterised query, and another connection's Parse in between replaces the unnamed statement
 * ("bind message supplies 3 parameters, but prepared statement requires 1", "portal does not
 * exist"). A connection keeps the session until its exchange ends with Sync (or a simple query), and
 * for as long as it has a transaction open. A failing message never stops the line.
 */
export class ExchangeQueue {
  private queue: Pending[] = [];
  private processing = false;
  /** The connection whose exchange or transaction is under way. */
  private owner: number | null = null;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.process();
    });
  }

  private async process(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const index = this.owner === null ? 0 : this.queue.findIndex((p) => p.handlerId === this.owner);
        // The owner's next message has not arrived yet: wait for it (enqueue calls process again).
        if (index === -1) break;
        const [item] = this.queue.splice(index, 1) as [Pending];
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
          item.resolve(bytes);
        } catch (err) {
          item.reject(err);
        }
        this.owner = !endsExchange(item.message) || this.db.isInTransaction() ? item.handlerId : null;
      }
    } finally {
      this.processing = false;
    }
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.queue = this.queue.filter((p) => {
      if (p.handlerId !== handlerId) return true;
      p.reject(new Error('connection closed'));
      return false;
    });
  }

  /** A connection that goes away mid-transaction must not leave the session inside it. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK').catch(() => undefined);
    this.owner = null;
    void this.process();
  }
}

/** Serves PGlite on loopback to any number of `pg` connections, taking turns by exchange. */
export async function servePglite(db: PGlite): Promise<{ port: number; stop(): Promise<void> }> {
  const queue = new ExchangeQueue(db);
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // The handler only parses messages and passes them to the queue it is given.
    const handler = new PGLiteSocketHandler({ queryQueue: queue as never, closeOnDetach: true });
    handler.attach(socket).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
