import { badInput } from './errors';

export const MAX_PAGE_SIZE = 500;

/** Opaque cursor over the stable order (created_at, id); created_at travels as PostgreSQL text to keep microseconds. */
export function encodeCursor(createdAtText: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAtText, id])).toString('base64url');
}

export function decodeCursor(cursor: string): [string, string] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isPair(v)) {
      const [at, id] = v;
      if (
        typeof at === 'string' &&
        typeof id === 'string' &&
        /^[0-9a-f-]{36}$/i.test(id) &&
        !Number.isNaN(Date.parse(at))
      )
        return [at, id];
    }
  } catch {
    // fall through to the error below
  }
  throw badInput('after is not a cursor returned by this API', 'after');
}

function isPair(v: unknown): v is [unknown, unknown] {
  return Array.isArray(v) && v.length === 2;
}

export function checkPageSize(first: number): number {
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE)
    throw badInput(`first must be between 0 and ${MAX_PAGE_SIZE}`, 'first');
  return first;
}
