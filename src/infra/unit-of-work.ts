import type Redis from 'ioredis';
import type { DataSource, EntityManager } from 'typeorm';
import type { PortfolioChangeKind } from '../common/enums';
import { conflict } from '../common/errors';
import { publishAll } from './pubsub';
import { TOPICS, type RecomputeProducer } from './queues';

/** Thrown inside a transaction when rows moved between reading and locking; the transaction is retried. */
export class RetryTransaction extends Error {}

const RETRYABLE = new Set(['40P01', '40001']); // deadlock, serialization failure

export const MAX_ATTEMPTS = 8;

export interface PortfolioChangeEvent {
  portfolioId: string;
  kind: PortfolioChangeKind;
  strategyIds: string[];
  at: string;
}

/**
 * What a committed transaction must announce: strategies to recompute and portfolio changes to publish.
 * Collected inside the transaction, delivered only after the commit (UnitOfWork.run).
 */
export class Changes {
  readonly recompute = new Set<string>();
  readonly events: PortfolioChangeEvent[] = [];

  touch(portfolioId: string, kind: PortfolioChangeKind, strategyIds: string[], recompute = true): void {
    if (recompute) strategyIds.forEach((id) => this.recompute.add(id));
    this.events.push({ portfolioId, kind, strategyIds: [...new Set(strategyIds)], at: new Date().toISOString() });
  }

  get empty(): boolean {
    return !this.recompute.size && !this.events.length;
  }
}

/**
 * Announces committed changes: recomputations go to the queue (the stale flag is already committed, so a lost job
 * is found by the sweeper), portfolio changes to Redis pub/sub. Neither ever fails the caller.
 */
export class ChangeDelivery {
  constructor(
    private readonly producer: RecomputeProducer,
    private readonly publisher: Redis,
  ) {}

  async deliver(c: Changes): Promise<void> {
    if (c.empty) return;
    await this.producer.enqueue([...c.recompute]);
    await publishAll(
      this.publisher,
      c.events.map((e) => [TOPICS.portfolioChanged(e.portfolioId), e] as const),
    );
  }
}

const retryable = (e: unknown) => {
  const code =
    (e as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (e as { code?: string }).code;
  return e instanceof RetryTransaction || (code !== undefined && RETRYABLE.has(code));
};

/**
 * The write path: every service writes through `run`. One transaction, retried with jittered backoff on deadlocks,
 * serialization failures and RetryTransaction (each attempt starts with empty Changes); when contention outlasts
 * MAX_ATTEMPTS the client gets CONFLICT (nothing was written), never an internal error. What the committed attempt
 * collected in its Changes is delivered after the commit; a rolled-back transaction announces nothing.
 */
export class UnitOfWork {
  constructor(
    private readonly ds: DataSource,
    private readonly delivery: ChangeDelivery,
  ) {}

  async run<T>(fn: (m: EntityManager, changes: Changes) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const changes = new Changes();
      let result: T;
      try {
        result = await this.ds.transaction((m) => fn(m, changes));
      } catch (e) {
        if (!retryable(e)) throw e;
        if (attempt >= MAX_ATTEMPTS)
          throw conflict('The same positions were changed concurrently; nothing was written, please retry');
        await new Promise((r) => setTimeout(r, Math.random() * 10 * 2 ** Math.min(attempt, 5)));
        continue;
      }
      await this.delivery.deliver(changes);
      return result;
    }
  }
}
