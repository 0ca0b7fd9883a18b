import { badInput, notFound } from './errors';

// Transactions, their retries and RetryTransaction live in infra/unit-of-work.ts; what is left here are the id checks.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (id: string) => UUID.test(id);

/** Ids as given by a client: malformed ids simply do not exist (NOT_FOUND), duplicates are a bad request. */
export function checkIds(ids: readonly string[], field: string, what: string): string[] {
  if (new Set(ids).size !== ids.length) throw badInput(`${field} contains duplicates`, field);
  if (ids.some((id) => !isUuid(id))) throw notFound(what, field);
  return [...ids];
}
