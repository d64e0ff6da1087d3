import { createHash } from 'node:crypto';
import { HttpException, HttpStatus, Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { DataSource } from 'typeorm';
import type { Pool } from 'pg';
import { CONFIG } from '../config/config.module';
import type { LoupeConfig } from '../config/config';

/**
 * What is limited, per minute: the query API per user or key, ingest per public key and per client
 * address, and login attempts and password-reset requests per client address.
 */
export type RateLimitKind = 'api' | 'ingestKey' | 'ingestClient' | 'login' | 'passwordReset';

/** Enough for a person who mistyped their address a few times; too few to mail-bomb anyone from one address. */
const PASSWORD_RESETS_A_MINUTE = 5;

const WHAT: Record<RateLimitKind, string> = {
  api: 'requests to the API from this user or key',
  ingestKey: 'batches sent with this project key',
  ingestClient: 'batches sent from this address',
  login: 'login attempts from this address',
  passwordReset: 'password reset requests from this address',
};

/** A client address is counted under a hash, so the limits' table never holds the address itself. */
export const clientKey = (address: string) => createHash('sha256').update(`loupe-rate:${address}`).digest('hex').slice(0, 32);

/**
 * Counters shared by every api replica: in Redis when the installation has one (the queue's), in
 * PostgreSQL (`rate_limit`) otherwise. A store that does not answer lets requests through: the
 * limits protect the service, they must not be what takes it down.
 */
@Injectable()
export class RateLimits implements OnModuleDestroy {
  private readonly logger = new Logger('RateLimits');
  private readonly limiters: Record<RateLimitKind, RateLimiterAbstract>;
  private readonly redis: Redis | null;

  constructor(@Inject(CONFIG) config: LoupeConfig, db: DataSource) {
    const points: Record<RateLimitKind, number> = { ...config.rateLimits, passwordReset: PASSWORD_RESETS_A_MINUTE };
    if (config.queue.backend === 'redis') {
      this.redis = new Redis(config.queue.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      this.redis.on('error', () => undefined);
      const redis = this.redis;
      this.limiters = mapKinds((kind) => new RateLimiterRedis({ storeClient: redis, keyPrefix: `${config.queue.prefix}:rl:${kind}`, points: points[kind], duration: 60 }));
    } else {
      this.redis = null;
      const pool = (db.driver as unknown as { master: Pool }).master;
      // Unnamed statements: the embedded database is one session shared by the pool's connections,
      // where a statement prepared under a name by one connection would collide with another's.
      const storeClient = { query: (q: { text: string; values?: unknown[] }) => pool.query(q.text, q.values) };
      this.limiters = mapKinds(
        (kind) => new RateLimiterPostgres({ storeClient, storeType: 'pool', tableName: 'rate_limit', tableCreated: true, keyPrefix: kind, points: points[kind], duration: 60 }),
      );
    }
  }

  /** Counts one request; over the limit, a 429 that says when to come back (`Retry-After`). */
  async consume(kind: RateLimitKind, key: string): Promise<void> {
    try {
      await this.limiters[kind].consume(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) {
        this.logger.warn(`Rate limits unavailable, request let through: ${(err as Error).message}`);
        return;
      }
      const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw new HttpException(
        { statusCode: 429, error: 'Too Many Requests', message: `Too many ${WHAT[kind]} (${this.limiters[kind].points} a minute). Try again in ${seconds} seconds.`, retryAfter: seconds },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}

function mapKinds<T>(make: (kind: RateLimitKind) => T): Record<RateLimitKind, T> {
  return { api: make('api'), ingestKey: make('ingestKey'), ingestClient: make('ingestClient'), login: make('login'), passwordReset: make('passwordReset') };
}
