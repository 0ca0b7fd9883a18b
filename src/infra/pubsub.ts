import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from '@graphql-yoga/subscription';
import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import { logger } from '../logger';

export type EventPubSub = ReturnType<typeof createEventPubSub>;

/** Subscriptions fan out through Redis pub/sub (separate publisher and subscriber connections). */
export function createEventPubSub(publishClient: Redis, subscribeClient: Redis) {
  return createPubSub<Record<string, [unknown]>>({
    eventTarget: createRedisEventTarget({ publishClient, subscribeClient }),
  });
}

/** The event `resyncSignal`'s emitter sends when events may have been missed. */
export const RESYNC = 'resync';

/**
 * Emits RESYNC each time the subscriber connection is back after losing Redis: Redis pub/sub does not keep what
 * was published meanwhile, so subscribers are told they may have missed events (ioredis re-subscribes by itself).
 */
export function resyncSignal(subscriber: Redis): EventEmitter {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  let lost = false;
  subscriber.on('close', () => {
    lost = true;
  });
  subscriber.on('ready', () => {
    if (!lost) return;
    lost = false;
    logger.warn('event connection to Redis restored: subscribers are told to resync');
    events.emit(RESYNC);
  });
  return events;
}

/** Publishes without ever failing the caller: the data is committed, a lost event is only a missed push. */
export async function publishSafely(publisher: Redis, topic: string, payload: unknown): Promise<void> {
  try {
    await publisher.publish(topic, JSON.stringify(payload));
  } catch (e) {
    logger.warn({ err: (e as Error).message, topic }, 'event publish failed');
  }
}

/** Publishes many events in one pipeline; like publishSafely, a failure is logged, never thrown. */
export async function publishAll(publisher: Redis, events: readonly (readonly [string, unknown])[]): Promise<void> {
  if (!events.length) return;
  try {
    const pipe = publisher.pipeline();
    for (const [topic, payload] of events) pipe.publish(topic, JSON.stringify(payload));
    await pipe.exec();
  } catch (e) {
    logger.warn({ err: (e as Error).message, events: events.length }, 'event publish failed');
  }
}

/** Per-subscription buffer limit: a slow client keeps only the newest event per key, and at most this many keys. */
export const SUBSCRIPTION_BUFFER = 10_000;

/**
 * Drains `source` eagerly into a bounded buffer that keeps the newest event per key (a metrics update
 * supersedes the previous one for the same strategy), so a slow consumer cannot grow memory without limit.
 * `expand` turns one source event into several (a batch of strategy ids into one item per strategy).
 */
export function coalescing<S, T = S>(
  source: AsyncIterable<S>,
  key: (e: T) => string,
  cap = SUBSCRIPTION_BUFFER,
  expand: (e: S) => T[] = (e) => [e as unknown as T],
  resync?: { events: EventEmitter; item: () => T },
): AsyncIterableIterator<T> {
  const pending = new Map<string, T>();
  let waiter: ((r: IteratorResult<T>) => void) | null = null;
  let done = false;
  const it = source[Symbol.asyncIterator]();
  function push(item: T) {
    const w = waiter as ((r: IteratorResult<T>) => void) | null;
    if (w) {
      waiter = null;
      w({ value: item, done: false });
      return;
    }
    const k = key(item);
    pending.delete(k);
    if (pending.size >= cap) pending.delete(pending.keys().next().value as string);
    pending.set(k, item);
  }
  const onResync = () => {
    if (!done) push(resync!.item());
  };
  resync?.events.on(RESYNC, onResync);
  void (async () => {
    try {
      for (let r = await it.next(); !r.done && !done; r = await it.next()) {
        for (const item of expand(r.value)) push(item);
      }
    } catch (e) {
      logger.warn({ err: (e as Error).message }, 'subscription source failed');
    }
    finish();
  })();
  function finish() {
    resync?.events.off(RESYNC, onResync);
    done = true;
    const w = waiter as ((r: IteratorResult<T>) => void) | null;
    waiter = null;
    w?.({ value: undefined, done: true });
  }
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next(): Promise<IteratorResult<T>> {
      const first = pending.entries().next();
      if (!first.done) {
        pending.delete(first.value[0]);
        return Promise.resolve({ value: first.value[1], done: false });
      }
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => {
        waiter = resolve;
      });
    },
    async return(): Promise<IteratorResult<T>> {
      pending.clear();
      finish();
      await it.return?.();
      return { value: undefined, done: true };
    },
  };
}
