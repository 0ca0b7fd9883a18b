import type { DataSource, EntityManager } from 'typeorm';
import { badInput, conflict, notFound } from './errors';

/** Thrown inside a transaction when rows moved between reading and locking; the transaction is retried. */
export class RetryTransaction extends Error {}

const RETRYABLE = new Set(['40P01', '40001']); // deadlock, serialization failure

const MAX_ATTEMPTS = 8;

/**
 * Runs `fn` in one transaction, retrying with jittered backoff on deadlocks and on rows that moved under us;
 * when contention outlasts the retries the client gets CONFLICT (nothing was written), never an internal error.
 */
export async function inTransaction<T>(ds: DataSource, fn: (m: EntityManager) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ds.transaction(fn);
    } catch (e) {
      const code =
        (e as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (e as { code?: string }).code;
      const retry = e instanceof RetryTransaction || (code !== undefined && RETRYABLE.has(code));
      if (!retry) throw e;
      if (attempt >= MAX_ATTEMPTS)
        throw conflict('The same positions were changed concurrently; nothing was written, please retry');
      await new Promise((r) => setTimeout(r, Math.random() * 10 * 2 ** Math.min(attempt, 5)));
    }
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (id: string) => UUID.test(id);

/** Ids as given by a client: malformed ids simply do not exist (NOT_FOUND), duplicates are a bad request. */
export function checkIds(ids: readonly string[], field: string, what: string): string[] {
  if (new Set(ids).size !== ids.length) throw badInput(`${field} contains duplicates`, field);
  if (ids.some((id) => !isUuid(id))) throw notFound(what, field);
  return [...ids];
}
