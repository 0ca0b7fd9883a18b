import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, parse, specifiedRules, validate, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { timingSafeEqual } from 'node:crypto';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { App } from './app';
import { databaseError } from './common/errors';
import type { Context } from './context';
import { DomainError } from './domain/errors';
import { jitGateway } from './executor';
import { logger } from './logger';
import { CorsPolicy } from './common/cors';
import { serveIde } from './ide/graphiql';
import { RedisApqCache } from './infra/apq-cache';
import {
  activeSubscriptions,
  metricsRegistry,
  metricsText,
  observe,
  operationLabel,
  setMaxOperationLabels,
} from './infra/metrics';
import { serveWebApp } from './web-app';

export const MAX_BODY_BYTES = 2 * 1024 * 1024;
export const MAX_DEPTH = 12;
/**
 * Cost as graphql-armor counts it (fields weighted 1.5× per level, lists multiplied by `first`): a 500-strategy page
 * with legs, tags and metrics fits; a page of pages does not.
 */
export const MAX_COST = 200_000;
/** Lexical tokens per document, counted by graphql-js's parser itself (it stops reading at the limit). */
export const MAX_TOKENS = 5000;
const PARSE_OPTIONS = { maxTokens: MAX_TOKENS };

/** Query depth, cost, aliases and tokens are limited before execution (graphql-armor). */
const armor = new ApolloArmor({
  maxDepth: { n: MAX_DEPTH },
  costLimit: { maxCost: MAX_COST },
  maxAliases: { n: 30 },
  maxDirectives: { n: 30 },
  // graphql-armor's token limit parses in a hook whose errors escape Apollo's handling (HTTP 500): graphql-js's
  // parser counts tokens instead (PARSE_OPTIONS), and its error becomes QUERY_TOO_COMPLEX below.
  maxTokens: { enabled: false },
  // Suggestions are removed in formatError, on both transports, when introspection is off.
  blockFieldSuggestion: { enabled: false },
});
const protection = armor.protect();

const CLIENT_CODES = new Set([
  'UNAUTHENTICATED',
  'NOT_FOUND',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'CONFLICT',
  'LIMIT_EXCEEDED',
  'QUERY_TOO_COMPLEX',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * The error as a client may see it (a code from API.md, field where known); null for an unexpected error. With
 * `hideSuggestions` (introspection off), "Did you mean …?" suggestions are cut too: they reveal the schema.
 */
function clientError(
  formatted: GraphQLFormattedError,
  error: unknown,
  hideSuggestions = false,
): GraphQLFormattedError | null {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  const message = hideSuggestions ? formatted.message.replace(/\s*Did you mean .*$/s, '') : formatted.message;
  const base = { message, locations: formatted.locations, path: formatted.path };
  if (original instanceof DomainError)
    return { ...base, extensions: { code: 'BAD_USER_INPUT', ...(original.field ? { field: original.field } : {}) } };
  const db = databaseError(original);
  if (db) return { ...base, message: db.message, extensions: db.extensions };
  let code = formatted.extensions?.code as string | undefined;
  // graphql-js's wording ("more that") may be corrected some day.
  if (/^Syntax Error: Document contains more tha[nt] \d+ tokens/.test(message)) {
    const tooMany = `Query too complex: more than ${MAX_TOKENS} tokens`;
    return { ...base, message: tooMany, extensions: { code: 'QUERY_TOO_COMPLEX' } };
  }
  // A literal our scalars refused fails validation; it is the same BAD_USER_INPUT as the same value in a variable.
  if (original instanceof GraphQLError && original !== error && original.extensions?.code === 'BAD_USER_INPUT') {
    code = 'BAD_USER_INPUT';
  }
  // Apollo's APQ check sends this without a code; API.md: bad input.
  if (formatted.message === 'provided sha does not match query') code = 'BAD_USER_INPUT';
  // graphql-armor rejects depth and cost as validation errors; API.md names them QUERY_TOO_COMPLEX.
  if (/Query Cost limit|Query depth limit|Max tokens|Aliases limit|Directives limit/i.test(message)) {
    code = 'QUERY_TOO_COMPLEX';
  }
  if (code && CLIENT_CODES.has(code)) {
    const { stacktrace: _s, ...ext } = formatted.extensions ?? {};
    return { ...base, extensions: { ...ext, code } };
  }
  return null;
}

/** Every error leaves with a code from API.md; anything unexpected is a bare message (logged by logUnexpected). */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  hideSuggestions = false,
): GraphQLFormattedError {
  return (
    clientError(formatted, error, hideSuggestions) ?? {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    }
  );
}

/** Logs each unexpected error of one operation once, with its stack and the request id the client was sent. */
function logUnexpected(errors: readonly GraphQLError[], requestId: string | undefined): void {
  for (const e of errors) {
    if (clientError(e.toJSON(), e)) continue;
    logger.error({ err: e.originalError ?? e, requestId, path: e.path }, 'unexpected error');
  }
}

/** formatError's answer as a GraphQLError, for graphql-ws (which sends GraphQLError objects). */
function formatted(e: GraphQLError, hideSuggestions: boolean, requestId?: string): GraphQLError {
  logUnexpected([e], requestId);
  const f = formatError(e.toJSON(), e, hideSuggestions);
  return new GraphQLError(f.message, { path: f.path, extensions: f.extensions });
}

/** Reads the body up to MAX_BODY_BYTES; null when it is larger (the rest is drained, not buffered). */
function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: string, type = 'application/json') {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Listens on `port`; a port in use or not permitted rejects with a sentence saying so (no unhandled 'error' event). */
export function listen(server: http.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') {
        reject(new Error(`port ${port} is already in use by another process: stop it or set PORT to a free port`));
      } else if (e.code === 'EACCES') {
        reject(new Error(`port ${port} may not be opened by this user: set PORT to a port above 1023`));
      } else {
        reject(e);
      }
    };
    server.once('error', failed);
    server.listen(port, '0.0.0.0', () => {
      server.off('error', failed);
      resolve();
    });
  });
}

export interface RunningServer {
  url: string;
  wsUrl: string;
  port: number;
  /** Where /metrics is served: on PORT, or on METRICS_PORT when that is set. */
  metricsUrl: string;
  close(): Promise<void>;
}

/** GET /metrics, answered only with `Authorization: Bearer <METRICS_TOKEN>` when that is set. */
async function serveMetrics(req: http.IncomingMessage, res: http.ServerResponse, token?: string): Promise<void> {
  if (token) {
    const given = Buffer.from(req.headers.authorization ?? '');
    const expected = Buffer.from(`Bearer ${token}`);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.setHeader('www-authenticate', 'Bearer');
      return send(res, 401, '{"error":"/metrics needs Authorization: Bearer <METRICS_TOKEN>"}');
    }
  }
  send(res, 200, await metricsText(), metricsRegistry.contentType);
}

/** Apollo Server and graphql-ws on one http.Server, with /healthz, /readyz and /metrics. */
export async function startServer(app: App, schema: GraphQLSchema, port: number): Promise<RunningServer> {
  const cfg = app.cfg;
  const introspection = cfg.NODE_ENV !== 'production';
  const hide = !introspection;
  setMaxOperationLabels(cfg.METRICS_MAX_OPERATIONS);
  const httpServer = http.createServer();
  // Open graphql-ws operations per user in this process (MAX_SUBSCRIPTIONS_PER_USER).
  const perUser = new Map<string, number>();
  const release = (userId: string | undefined, n: number) => {
    if (!userId || !n) return;
    const left = (perUser.get(userId) ?? 0) - n;
    if (left > 0) perUser.set(userId, left);
    else perUser.delete(userId);
  };
  const cors = new CorsPolicy(app.cfg.corsOrigins);
  // A browser page on an origin not listed in CORS_ORIGINS cannot open a socket (its Origin is checked; 403).
  const wss = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: 1024 * 1024,
    verifyClient: (info: { req: http.IncomingMessage }) => cors.allowsUpgrade(info.req),
  });
  const rules = [...specifiedRules, ...protection.validationRules];
  const wsCleanup = useServer<{ authorization?: string }, { user: Context['user']; active?: Set<string> }>(
    {
      schema,
      onConnect: async (ctx) => {
        const user = await app.auth.authenticate(ctx.connectionParams?.authorization);
        if (!user) return false; // closes with 4403 Forbidden
        ctx.extra.user = user;
        return true;
      },
      onSubscribe: (ctx, id, payload) => {
        let document;
        try {
          document = parse(payload.query, PARSE_OPTIONS);
        } catch (e) {
          // A syntax error fails this operation only, not the connection's other subscriptions.
          const parseError = new GraphQLError((e as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
          return [formatted(parseError, hide)];
        }
        const errors = validate(schema, document, rules);
        // graphql-js's validation errors carry no code (Apollo adds one on HTTP): the same code here.
        const invalid = (e: GraphQLError) =>
          new GraphQLError(e.message, {
            nodes: e.nodes,
            originalError: e.originalError,
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...e.extensions },
          });
        if (errors.length) return errors.map((e) => formatted(invalid(e), hide));
        const active = (ctx.extra.active ??= new Set());
        const userId = ctx.extra.user?.id;
        if (active.size >= cfg.MAX_SUBSCRIPTIONS_PER_CONNECTION) {
          const max = cfg.MAX_SUBSCRIPTIONS_PER_CONNECTION;
          return [tooMany(`At most ${max} operations may be open on one connection`, max)];
        }
        if (userId && (perUser.get(userId) ?? 0) >= cfg.MAX_SUBSCRIPTIONS_PER_USER) {
          const max = cfg.MAX_SUBSCRIPTIONS_PER_USER;
          return [tooMany(`At most ${max} operations may be open per user`, max)];
        }
        active.add(id);
        if (userId) perUser.set(userId, (perUser.get(userId) ?? 0) + 1);
        activeSubscriptions.inc();
        return undefined;
      },
      // The gauge follows subscriptions that complete, and those still open when their socket closes.
      onComplete: (ctx, id) => {
        if (!ctx.extra.active?.delete(id)) return;
        activeSubscriptions.dec();
        release(ctx.extra.user?.id, 1);
      },
      onClose: (ctx) => {
        const open = ctx.extra.active?.size ?? 0;
        activeSubscriptions.dec(open);
        release(ctx.extra.user?.id, open);
        ctx.extra.active?.clear();
      },
      context: (ctx): Context => ({
        app,
        user: ctx.extra.user ?? null,
        loaders: app.createLoaders(),
        requestId: randomUUID(),
        address: ctx.extra.request.socket.remoteAddress ?? '',
      }),
      // Socket errors get the same codes and the same redaction as HTTP ones.
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatted(e, hide)),
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors?.length) return undefined;
        const requestId = (args.contextValue as Context | undefined)?.requestId;
        return { ...result, errors: result.errors.map((e) => formatted(e, hide, requestId)) };
      },
    },
    wss,
  );

  const metricsPlugin: ApolloServerPlugin<Context> = {
    async requestDidStart({ request, contextValue }) {
      const start = process.hrtime.bigint();
      return {
        async didEncounterErrors({ errors }) {
          logUnexpected(errors, contextValue.requestId);
        },
        async willSendResponse({ errors, operationName, operation: resolved, response }) {
          const seconds = Number(process.hrtime.bigint() - start) / 1e9;
          // The codes clients were sent (the response's errors are formatted; `errors` are not).
          const sent = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const codes = (sent ?? errors ?? []).map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          // Only operations that resolved and validated (no error outside a path) can earn a label of their own.
          const ran = resolved !== undefined && !errors?.some((e) => !e.path);
          const operation = operationLabel(operationName ?? request.operationName, ran);
          observe(operation, seconds, codes);
          // One structured line per operation, with the id also sent back as x-request-id.
          logger.info(
            {
              requestId: contextValue.requestId,
              operation,
              ms: Math.round(seconds * 1e4) / 10,
              errors: codes.length ? codes : undefined,
            },
            'graphql',
          );
        },
      };
    },
  };
  const apollo = new ApolloServer<Context>({
    // Same schema, compiled execution (see executor.ts).
    gateway: jitGateway(schema),
    // Compact JSON: Apollo's default pretty-prints every response (2.3× the bytes of a 100-strategy page).
    stringifyResult: (value) => JSON.stringify(value),
    formatError: (f, e) => formatError(f, e, hide),
    introspection,
    parseOptions: PARSE_OPTIONS,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // The processes stop in order themselves (API, then workers, then connections and local services).
    stopOnTerminationSignals: false,
    validationRules: protection.validationRules,
    // Automatic persisted queries, shared by every API process through Redis (bounded; see apq-cache.ts).
    persistedQueries: { cache: new RedisApqCache(app.redis, `${app.cfg.QUEUE_PREFIX}:apq:`), ttl: null },
    plugins: [
      // Apollo's landing pages load their code from Apollo's CDN; the IDE is served below instead (GRAPHQL_IDE).
      ApolloServerPluginLandingPageDisabled(),
      ...(protection.plugins as ApolloServerPlugin<Context>[]),
      // Cache-control hints are unused and its per-field hook wrapped every resolver: off.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      metricsPlugin,
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  httpServer.on('request', async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const requestId = randomUUID();
    try {
      if (url.pathname === '/healthz') return send(res, 200, '{"status":"ok"}');
      if (url.pathname === '/readyz') {
        const r = await app.readiness();
        return send(res, r.ready ? 200 : 503, JSON.stringify(r));
      }
      if (url.pathname === '/metrics' && cfg.METRICS_PORT === undefined) {
        return await serveMetrics(req, res, cfg.METRICS_TOKEN);
      }
      if (app.cfg.graphqlIde && serveIde(req, res, url.pathname)) return;
      if (app.cfg.WEB_APP && serveWebApp(req, res, url.pathname)) return;
      if (url.pathname !== '/graphql') return send(res, 404, '{"error":"not found"}');
      if (cors.handle(req, res)) return;
      const headers = new HeaderMap();
      for (const [k, v] of Object.entries(req.headers))
        if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
      const raw = req.method === 'POST' ? await readBody(req) : '';
      if (raw === null)
        return send(
          res,
          413,
          JSON.stringify({
            errors: [
              { message: `Request body larger than ${MAX_BODY_BYTES} bytes`, extensions: { code: 'BAD_REQUEST' } },
            ],
          }),
        );
      let body: unknown = raw;
      if (raw && (headers.get('content-type') ?? '').includes('application/json')) {
        try {
          body = JSON.parse(raw);
        } catch {
          return send(
            res,
            400,
            JSON.stringify({ errors: [{ message: 'Malformed JSON body', extensions: { code: 'BAD_REQUEST' } }] }),
          );
        }
      }
      const result = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: async () => ({
          app,
          user: await app.auth.authenticate(headers.get('authorization')),
          loaders: app.createLoaders(),
          requestId,
          address: req.socket.remoteAddress ?? '',
        }),
      });
      for (const [k, v] of result.headers) res.setHeader(k, v);
      res.setHeader('x-request-id', requestId);
      res.statusCode = result.status ?? 200;
      if (result.body.kind === 'complete') return res.end(result.body.string);
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    } catch (e) {
      logger.error({ err: e, requestId }, 'request failed');
      if (!res.headersSent) {
        res.setHeader('x-request-id', requestId);
        const internal = { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
        send(res, 500, JSON.stringify({ errors: [internal] }));
      }
    }
  });

  try {
    await listen(httpServer, port);
  } catch (e) {
    await apollo.stop().catch(() => undefined);
    throw e;
  }
  const actual = (httpServer.address() as { port: number }).port;
  let metricsServer: http.Server | undefined;
  let metricsPort = actual;
  if (cfg.METRICS_PORT !== undefined) {
    metricsServer = http.createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path !== '/metrics') return send(res, 404, '{"error":"not found"}');
      serveMetrics(req, res, cfg.METRICS_TOKEN).catch((e) => {
        logger.error({ err: e }, '/metrics failed');
        if (!res.headersSent) send(res, 500, '{"error":"metrics unavailable"}');
      });
    });
    await new Promise<void>((resolve) => metricsServer!.listen(cfg.METRICS_PORT, '0.0.0.0', resolve));
    metricsPort = (metricsServer.address() as { port: number }).port;
  }
  return {
    port: actual,
    url: `http://localhost:${actual}/graphql`,
    wsUrl: `ws://localhost:${actual}/graphql`,
    metricsUrl: `http://localhost:${metricsPort}/metrics`,
    close: async () => {
      await apollo.stop();
      if (metricsServer) await new Promise<void>((resolve) => metricsServer!.close(() => resolve()));
    },
  };
}

function tooMany(message: string, limit: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'LIMIT_EXCEEDED', limit } });
}
