import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { appError } from '../../common/errors';
import { logger } from '../../logger';

/** One counted key: at most `max` events within `windowMs` (a sliding window). */
export interface Limit {
  key: string;
  max: number;
  windowMs: number;
}
/** How long a Redis call may take before this process counts on its own (a throttle must not hang logins). */
const REDIS_TIMEOUT_MS = 1000;

/**
 * Failed-login counts, kept in Redis so that every API process (and every host) sees the same counts: with
 * several API processes behind one port, counts per process would multiply the allowed attempts. Each key is a
 * sorted set of failure times (a sliding window), expiring with the window. When Redis does not answer, the
 * process falls back to counting in memory, so logins keep working (and stay throttled per process).
 */
export class LoginThrottle {
  private readonly local = new Map<string, number[]>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(k: string): string {
    return `${this.prefix}:login-failures:${k}`;
  }

  /** Throws LIMIT_EXCEEDED (with retryAfterSeconds) when any key has used up its events in its window. */
  async check(limits: Limit[], what = 'failed logins'): Promise<void> {
    const now = Date.now();
    const oldest = await this.redisOr(
      async () => {
        const p = this.redis.pipeline();
        for (const l of limits) {
          const k = this.key(l.key);
          p.zremrangebyscore(k, '-inf', now - l.windowMs)
            .zcard(k)
            .zrange(k, 0, 0, 'WITHSCORES');
        }
        const res = (await p.exec()) ?? [];
        return limits.map((l, i) => {
          const [[e1], [e2, count], [e3, first]] = res.slice(i * 3, i * 3 + 3) as [Error | null, unknown][];
          if (e1 || e2 || e3) throw e1 ?? e2 ?? e3;
          return (count as number) >= l.max ? Number((first as string[])[1]) : null;
        });
      },
      () =>
        limits.map((l) => {
          const list = this.recent(l.key, now, l.windowMs);
          return list.length >= l.max ? list[0] : null;
        }),
    );
    for (const [i, first] of oldest.entries()) {
      if (first === null) continue;
      const waitS = Math.max(1, Math.ceil((first + limits[i].windowMs - now) / 1000));
      throw appError('LIMIT_EXCEEDED', `Too many ${what}; try again in ${waitS} s`, undefined, {
        retryAfterSeconds: waitS,
      });
    }
  }

  /** Counts one event (a failed login, a registration) against each key. */
  async record(limits: Limit[]): Promise<void> {
    const now = Date.now();
    await this.redisOr(
      async () => {
        const p = this.redis.pipeline();
        for (const l of limits) {
          p.zadd(this.key(l.key), now, `${now}:${randomUUID()}`).pexpire(this.key(l.key), l.windowMs);
        }
        const res = (await p.exec()) ?? [];
        const failed = res.find(([e]) => e);
        if (failed) throw failed[0];
      },
      () => {
        for (const l of limits) this.recent(l.key, now, l.windowMs).push(now);
      },
    );
  }

  async clear(keys: string[]): Promise<void> {
    await this.redisOr(
      async () => {
        await this.redis.del(...keys.map((k) => this.key(k)));
      },
      () => undefined,
    );
    for (const k of keys) this.local.delete(k);
  }

  private recent(k: string, now: number, windowMs: number): number[] {
    // Bounded like everything else: a flood of distinct keys empties the fallback rather than growing it.
    if (!this.local.has(k) && this.local.size >= 100_000) this.local.clear();
    const list = (this.local.get(k) ?? []).filter((t) => now - t < windowMs);
    this.local.set(k, list);
    return list;
  }

  private async redisOr<T>(viaRedis: () => Promise<T>, inMemory: () => T): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        viaRedis(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${REDIS_TIMEOUT_MS} ms`)), REDIS_TIMEOUT_MS);
        }),
      ]);
    } catch (e) {
      logger.warn({ err: e }, 'login throttle: Redis unavailable, counting in this process');
      return inMemory();
    } finally {
      clearTimeout(timer);
    }
  }
}
