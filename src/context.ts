import type { AppServices } from './app';
import { unauthenticated } from './common/errors';
import type { Loaders } from './loaders';

export interface AuthUser {
  id: string;
  username: string;
  isAdmin: boolean;
}

/** Per-request (or per-subscription) context: the acting user and request-scoped DataLoaders. */
export interface Context {
  app: AppServices;
  user: AuthUser | null;
  loaders: Loaders;
  requestId: string;
  /** Client address, for login throttling. */
  address: string;
}

export function requireUser(ctx: Context): AuthUser {
  if (!ctx.user) throw unauthenticated();
  return ctx.user;
}
