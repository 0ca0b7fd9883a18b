import type Redis from 'ioredis';

/** How long an automatic persisted query is kept after it was last registered (seconds). */
export const APQ_TTL_SECONDS = 24 * 3600;
/** How many persisted queries are kept at most; the oldest registrations go first. */
export const APQ_MAX_ENTRIES = 10_000;
/** Longer queries are executed but not persisted (the client simply sends them in full). */
export const APQ_MAX_QUERY_BYTES = 64 * 1024;

/**
 * Stores the query under its key with the TTL, records it in an index sorted by registration time, drops index
 * entries older than the TTL, and deletes the oldest entries beyond the maximum: one atomic script.
 */
const SET_SCRIPT = `
local prefix, key, value = ARGV[1], ARGV[2], ARGV[3]
local ttl, max, now = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
redis.call('SET', prefix .. key, value, 'EX', ttl)
redis.call('ZADD', KEYS[1], now, key)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ttl * 1000)
local over = redis.call('ZCARD', KEYS[1]) - max
if over > 0 then
  local old = redis.call('ZPOPMIN', KEYS[1], over)
  for i = 1, #old, 2 do redis.call('DEL', prefix .. old[i]) end
end
redis.call('PEXPIRE', KEYS[1], ttl * 1000)
return 1`;

/**
 * Apollo Server's KeyValueCache for automatic persisted queries, in Redis: every API process (and host) shares the
 * queries any of them registered, bounded in count (APQ_MAX_ENTRIES) and age (APQ_TTL_SECONDS). Redis runs with
 * `noeviction` for BullMQ, so the bounds are kept here rather than by Redis evicting keys.
 */
export class RedisApqCache {
  private readonly index: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limits = { ttlSeconds: APQ_TTL_SECONDS, maxEntries: APQ_MAX_ENTRIES },
  ) {
    this.index = `${prefix}index`;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string): Promise<void> {
    if (Buffer.byteLength(value) > APQ_MAX_QUERY_BYTES) return;
    const { ttlSeconds, maxEntries } = this.limits;
    await this.redis.eval(SET_SCRIPT, 1, this.index, this.prefix, key, value, ttlSeconds, maxEntries, Date.now());
  }

  async delete(key: string): Promise<boolean> {
    await this.redis
      .multi()
      .del(this.prefix + key)
      .zrem(this.index, key)
      .exec();
    return true;
  }
}
