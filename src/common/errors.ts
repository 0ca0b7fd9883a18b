import { GraphQLError } from 'graphql';

/** The error codes of API.md; every client-facing failure is a GraphQLError with one of them. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'LIMIT_EXCEEDED'
  | 'QUERY_TOO_COMPLEX';

export function appError(
  code: ErrorCode,
  message: string,
  field?: string,
  extra: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: field ? { code, field, ...extra } : { code, ...extra } });
}
export const notFound = (what: string, field?: string) => appError('NOT_FOUND', `${what} not found`, field);
export const badInput = (message: string, field?: string) => appError('BAD_USER_INPUT', message, field);
export const conflict = (message: string, field?: string) => appError('CONFLICT', message, field);
export const limitExceeded = (message: string, field?: string) => appError('LIMIT_EXCEEDED', message, field);
export const forbidden = (message = 'Only administrators may do this') => appError('FORBIDDEN', message);
export const unauthenticated = () => appError('UNAUTHENTICATED', 'You must be logged in');

/**
 * PostgreSQL errors a client's input can cause (SQLSTATE → API code): the one place that maps database errors,
 * used for responses and for import rows alike. Their own messages never reach clients.
 */
const DATABASE_CODES: Record<string, [ErrorCode, string]> = {
  '23505': ['CONFLICT', 'Conflicts with an existing record'],
  '23514': ['BAD_USER_INPUT', 'Rejected by a database rule'],
  '22P02': ['BAD_USER_INPUT', 'Rejected by a database rule: a value has the wrong form'],
  '22003': ['BAD_USER_INPUT', 'Rejected by a database rule: a number is out of range'],
  '22007': ['BAD_USER_INPUT', 'Rejected by a database rule: a date or time has the wrong form'],
  '22008': ['BAD_USER_INPUT', 'Rejected by a database rule: a date or time is out of range'],
  '22001': ['BAD_USER_INPUT', 'Rejected by a database rule: a text is too long'],
  '22021': ['BAD_USER_INPUT', 'Rejected by a database rule: a text holds a character that cannot be stored'],
  '22P05': ['BAD_USER_INPUT', 'Rejected by a database rule: a text holds a character that cannot be stored'],
  '23503': ['NOT_FOUND', 'A referenced record was not found'],
};

/** The API error for a database error a client caused; null for anything else (an unexpected error). */
export function databaseError(e: unknown): GraphQLError | null {
  const err = e as { driverError?: { code?: unknown }; code?: unknown } | null;
  const sqlState = err?.driverError?.code ?? err?.code;
  const known = typeof sqlState === 'string' ? DATABASE_CODES[sqlState] : undefined;
  return known ? appError(known[0], known[1]) : null;
}
