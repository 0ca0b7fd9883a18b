import { GraphQLError } from 'graphql';

/** The error codes of API.md; every client-facing failure is a GraphQLError with one of them. */
export type ErrorCode = 'UNAUTHENTICATED' | 'NOT_FOUND' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'CONFLICT' | 'LIMIT_EXCEEDED' | 'QUERY_TOO_COMPLEX';

export function appError(code: ErrorCode, message: string, field?: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: field ? { code, field, ...extra } : { code, ...extra } });
}
export const notFound = (what: string, field?: string) => appError('NOT_FOUND', `${what} not found`, field);
export const badInput = (message: string, field?: string) => appError('BAD_USER_INPUT', message, field);
export const conflict = (message: string, field?: string) => appError('CONFLICT', message, field);
export const limitExceeded = (message: string, field?: string) => appError('LIMIT_EXCEEDED', message, field);
export const forbidden = (message = 'Only administrators may do this') => appError('FORBIDDEN', message);
export const unauthenticated = () => appError('UNAUTHENTICATED', 'You must be logged in');
