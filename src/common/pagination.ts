import { badInput } from './errors';

export const MAX_PAGE_SIZE = 500;

/** Opaque cursor over the stable order (created_at, id); created_at travels as PostgreSQL text to keep microseconds. */
export function encodeCursor(createdAtText: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAtText, id])).toString('base64url');
}

export function decodeCursor(cursor: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'string' &&
      /^[0-9a-f-]{36}$/i.test(v[1]) &&
      !Number.isNaN(Date.parse(v[0]))
    ) {
      return [v[0], v[1]];
    }
  } catch {
    // fall through to the error below
  }
  throw badInput('after is not a cursor returned by this API', 'after');
}

export function checkPageSize(first: number): number {
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE)
    throw badInput(`first must be between 0 and ${MAX_PAGE_SIZE}`, 'first');
  return first;
}
