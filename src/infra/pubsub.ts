import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from '@graphql-yoga/subscription';
import type Redis from 'ioredis';
import { logger } from '../logger';

export type EventPubSub = ReturnType<typeof createEventPubSub>;

/** Subscriptions fan out through Redis pub/sub (separate publisher and subscriber connections). */
export function createEventPubSub(publishClient: Redis, subscribeClient: Redis) {
  return createPubSub<Record<string, [unknown]>>({ eventTarget: createRedisEventTarget({ publishClient, subscribeClient }) });
}

/** Publishes without ever failing the caller: the data is committed, a lost event is only a missed push. */
export async function publishSafely(publisher: Redis, topic: string, payload: unknown): Promise<void> {
  try {
    await publisher.publish(topic, JSON.stringify(payload));
  } catch (e) {
    logger.warn({ err: (e as Error).message, topic }, 'event publish failed');
  }
}

/** Per-subscription buffer limit: a slow client keeps only the newest event per key, and at most this many keys. */
export const SUBSCRIPTION_BUFFER = 1000;

/**
 * Drains `source` eagerly into a bounded buffer that keeps the newest event per key (a metrics update
 * supersedes the previous one for the same strategy), so a slow consumer cannot grow memory without limit.
 */
export function coalescing<T>(source: AsyncIterable<T>, key: (e: T) => string, cap = SUBSCRIPTION_BUFFER): AsyncIterableIterator<T> {
  const pending = new Map<string, T>();
  let waiter: ((r: IteratorResult<T>) => void) | null = null;
  let done = false;
  const it = source[Symbol.asyncIterator]();
  (async () => {
    try {
      for (let r = await it.next(); !r.done && !done; r = await it.next()) {
        const w = waiter as ((r: IteratorResult<T>) => void) | null;
        if (w) {
          waiter = null;
          w({ value: r.value, done: false });
          continue;
        }
        const k = key(r.value);
        pending.delete(k);
        if (pending.size >= cap) pending.delete(pending.keys().next().value as string);
        pending.set(k, r.value);
      }
    } catch (e) {
      logger.warn({ err: (e as Error).message }, 'subscription source failed');
    }
    finish();
  })();
  function finish() {
    done = true;
    const w = waiter as ((r: IteratorResult<T>) => void) | null;
    waiter = null;
    w?.({ value: undefined, done: true });
  }
  return {
    [Symbol.asyncIterator]() { return this; },
    next(): Promise<IteratorResult<T>> {
      const first = pending.entries().next();
      if (!first.done) {
        pending.delete(first.value[0]);
        return Promise.resolve({ value: first.value[1], done: false });
      }
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => { waiter = resolve; });
    },
    async return(): Promise<IteratorResult<T>> {
      pending.clear();
      finish();
      await it.return?.();
      return { value: undefined, done: true };
    },
  };
}
