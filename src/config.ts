import 'dotenv/config';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { parseOrigins } from './common/cors';

/** The environment, parsed and validated once; a bad value stops the process naming the variable. */
const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.string().url().optional(),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  ADMIN_USERS: z.string().default(''),
  RISK_FREE_RATE: z.coerce.number().min(-0.1).max(1).default(0.04),
  DEFAULT_IMPLIED_VOLATILITY: z.coerce.number().gt(0).max(5).default(0.3),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Parsed legs rows (with their last valuation) each API and worker process keeps, about 1 KB each.
  LEG_CACHE_SIZE: z.coerce.number().int().min(100).max(10_000_000).default(50_000),
  M2M_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  DEMO_SEED: z.enum(['auto', 'off']).default('auto'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,40}$/)
    .default('bull'),
  // start:api only: how many API processes share PORT (node:cluster); "auto" is one per core.
  API_PROCESSES: z
    .string()
    .regex(/^(auto|[1-9]|[1-5][0-9]|6[0-4])$/, 'must be "auto" or a whole number from 1 to 64')
    .default('1')
    .transform((v) => (v === 'auto' ? availableParallelism() : Number(v))),
  // /metrics: on a port of its own (then not on PORT), and/or only with `Authorization: Bearer <METRICS_TOKEN>`.
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // Distinct operation names /metrics labels; the rest are counted as "other" (the label set stays bounded).
  METRICS_MAX_OPERATIONS: z.coerce.number().int().min(0).max(10_000).default(200),
  // Open graphql-ws operations per socket, and per user over all sockets of one API process.
  MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).max(100_000).default(100),
  MAX_SUBSCRIPTIONS_PER_USER: z.coerce.number().int().min(1).max(1_000_000).default(500),
  // Failed logins within LOGIN_WINDOW_MINUTES: per account from one address, and per address over all accounts.
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(10_000).default(10),
  LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(100),
  LOGIN_WINDOW_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  // register calls per address per hour (each hashes a password: ~0.4 s of CPU).
  REGISTER_MAX_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(20),
  // Browser origins allowed to call the API (CORS and WebSocket upgrades), comma-separated; `*` outside production.
  CORS_ORIGINS: z.string().default(''),
  // GraphiQL at GET /graphql for browsers; unset: on outside production.
  GRAPHQL_IDE: z.enum(['true', 'false']).optional(),
  // The portfolio screen (src/web/, built into dist/web) at GET /.
  WEB_APP: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});

export type Config = ReturnType<typeof loadConfig>;

/**
 * V8 flags the API is started with (`npm start`, `npm run start:api`, docker-compose's api, the benchmark): a young
 * generation of 64 MB per semi-space, from the start, instead of one that grows from 1 to 16 MB and shrinks again when
 * idle. A nested read allocates a few MB that die at once (result rows, the response tree, its JSON), so with the
 * default the young generation fills every few requests. Measured on the options book with 10 clients, alternating
 * builds: +9% throughput for the larger maximum, +3% more for starting at it (README, Benchmarks). It costs ~50 MB
 * more RSS when idle.
 */
export const API_NODE_FLAGS = ['--max-semi-space-size=64', '--min-semi-space-size=64'] as const;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const c = parsed.data;
  if (c.NODE_ENV === 'production' && !c.JWT_SECRET) {
    throw new Error('Invalid configuration: JWT_SECRET: required when NODE_ENV=production');
  }
  const cors = parseOrigins(c.CORS_ORIGINS);
  if (cors.problem) throw new Error(`Invalid configuration: CORS_ORIGINS: ${cors.problem}`);
  if (c.NODE_ENV === 'production' && cors.origins.includes('*')) {
    throw new Error('Invalid configuration: CORS_ORIGINS: "*" is refused when NODE_ENV=production; list the origins');
  }
  return {
    ...c,
    corsOrigins: cors.origins,
    graphqlIde: c.GRAPHQL_IDE ? c.GRAPHQL_IDE === 'true' : c.NODE_ENV !== 'production',
    // Outside production a random per-process secret keeps development friction-free; tokens die with the process.
    JWT_SECRET: c.JWT_SECRET ?? randomBytes(32).toString('hex'),
    adminUsers: new Set(
      c.ADMIN_USERS.split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    ),
  };
}

let current: Config | undefined;
/** The process-wide configuration; the first call parses the environment. */
export function config(): Config {
  current ??= loadConfig();
  return current;
}
/** Tests and the main job set configuration explicitly (e.g. after starting embedded services). */
export function setConfig(c: Config): void {
  current = c;
}
