import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, parse, specifiedRules, validate, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { QueryFailedError } from 'typeorm';
import { WebSocketServer } from 'ws';
import type { App } from './app';
import type { Context } from './context';
import { DomainError } from './domain/errors';
import { jitGateway } from './executor';
import { createLoaders } from './loaders';
import { logger } from './logger';
import { activeSubscriptions, metricsRegistry, metricsText, observe } from './infra/metrics';
import { serveWebApp } from './web-app';

export const MAX_BODY_BYTES = 2 * 1024 * 1024;
export const MAX_DEPTH = 12;
/** Cost as graphql-armor counts it (fields weighted 1.5× per level, lists multiplied by `first`): a 500-strategy page with legs, tags and metrics fits; a page of pages does not. */
export const MAX_COST = 200_000;

/** Query depth, cost, aliases and tokens are limited before execution (graphql-armor). */
const armor = new ApolloArmor({
  maxDepth: { n: MAX_DEPTH },
  costLimit: { maxCost: MAX_COST },
  maxAliases: { n: 30 },
  maxDirectives: { n: 30 },
  maxTokens: { n: 5000 },
  blockFieldSuggestion: { enabled: false },
});
const protection = armor.protect();

const DB_CODES: Record<string, string> = { '23505': 'CONFLICT', '23514': 'BAD_USER_INPUT', '22P02': 'BAD_USER_INPUT', '22003': 'BAD_USER_INPUT', '23503': 'NOT_FOUND' };
const CLIENT_CODES = new Set([
  'UNAUTHENTICATED', 'NOT_FOUND', 'FORBIDDEN', 'BAD_USER_INPUT', 'CONFLICT', 'LIMIT_EXCEEDED', 'QUERY_TOO_COMPLEX',
  'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'OPERATION_RESOLUTION_FAILURE',
]);

/** Every error leaves with a code from API.md; anything unexpected is logged with its stack and shown as a bare message. */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? error.originalError ?? error : error;
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  if (original instanceof DomainError) return { ...base, extensions: { code: 'BAD_USER_INPUT', ...(original.field ? { field: original.field } : {}) } };
  if (original instanceof QueryFailedError) {
    const code = DB_CODES[(original.driverError as { code?: string }).code ?? ''];
    if (code) return { ...base, message: code === 'CONFLICT' ? 'Conflicts with an existing record' : 'Rejected by a database rule', extensions: { code } };
  }
  let code = formatted.extensions?.code as string | undefined;
  // graphql-armor rejects depth and cost as validation errors; API.md names them QUERY_TOO_COMPLEX.
  if (/Query Cost limit|Query depth limit|Max tokens|Aliases limit|Directives limit/i.test(formatted.message)) code = 'QUERY_TOO_COMPLEX';
  if (code && CLIENT_CODES.has(code)) {
    const { stacktrace: _s, ...ext } = formatted.extensions ?? {};
    return { ...base, extensions: { ...ext, code } };
  }
  logger.error({ err: original }, 'unexpected error');
  return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/** formatError's answer as a GraphQLError, for graphql-ws (which sends GraphQLError objects). */
function formatted(e: GraphQLError): GraphQLError {
  const f = formatError(e.toJSON(), e);
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

export interface RunningServer { url: string; wsUrl: string; port: number; close(): Promise<void> }

/** Apollo Server and graphql-ws on one http.Server, with /healthz, /readyz and /metrics. */
export async function startServer(app: App, schema: GraphQLSchema, port: number): Promise<RunningServer> {
  const httpServer = http.createServer();
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 1024 * 1024 });
  const rules = [...specifiedRules, ...protection.validationRules];
  const wsCleanup = useServer<{ authorization?: string }, { user: Context['user']; active?: Set<string> }>({
    schema,
    onConnect: (ctx) => {
      const user = app.auth.verify(ctx.connectionParams?.authorization);
      if (!user) return false; // closes with 4403 Forbidden
      ctx.extra.user = user;
      return true;
    },
    onSubscribe: (ctx, id, payload) => {
      let document;
      try {
        document = parse(payload.query);
      } catch (e) {
        // A syntax error fails this operation only, not the connection's other subscriptions.
        return [new GraphQLError((e as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
      }
      const errors = validate(schema, document, rules);
      if (errors.length) return errors.map(formatted);
      (ctx.extra.active ??= new Set()).add(id);
      activeSubscriptions.inc();
      return undefined;
    },
    // The gauge follows subscriptions that complete, and those still open when their socket closes.
    onComplete: (ctx, id) => {
      if (ctx.extra.active?.delete(id)) activeSubscriptions.dec();
    },
    onClose: (ctx) => {
      activeSubscriptions.dec(ctx.extra.active?.size ?? 0);
      ctx.extra.active?.clear();
    },
    context: (ctx): Context => ({
      app, user: ctx.extra.user ?? null, loaders: createLoaders(app.ds, app.cfg), requestId: randomUUID(), address: ctx.extra.request.socket.remoteAddress ?? '',
    }),
    // Socket errors get the same codes and the same redaction as HTTP ones.
    onError: (_ctx, _id, _payload, errors) => errors.map(formatted),
    onNext: (_ctx, _id, _payload, _args, result) => (result.errors?.length ? { ...result, errors: result.errors.map(formatted) } : undefined),
  }, wss);

  const metricsPlugin: ApolloServerPlugin<Context> = {
    async requestDidStart({ request, contextValue }) {
      const start = process.hrtime.bigint();
      return {
        async willSendResponse({ errors, operationName }) {
          const seconds = Number(process.hrtime.bigint() - start) / 1e9;
          const codes = errors?.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')) ?? [];
          const operation = operationName ?? request.operationName ?? 'anonymous';
          observe(operation, seconds, codes);
          // One structured line per operation, with the id also sent back as x-request-id.
          logger.info({ requestId: contextValue.requestId, operation, ms: Math.round(seconds * 1e4) / 10, errors: codes.length ? codes : undefined }, 'graphql');
        },
      };
    },
  };
  const apollo = new ApolloServer<Context>({
    // Same schema, compiled execution (see executor.ts).
    gateway: jitGateway(schema),
    // Compact JSON: Apollo's default pretty-prints every response (2.3× the bytes of a 100-strategy page).
    stringifyResult: (value) => JSON.stringify(value),
    formatError,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // The processes stop in order themselves (API, then workers, then connections and local services).
    stopOnTerminationSignals: false,
    validationRules: protection.validationRules,
    plugins: [
      ...(protection.plugins as ApolloServerPlugin<Context>[]),
      // Cache-control hints are unused and its per-field hook wrapped every resolver: off.
      ApolloServerPluginCacheControlDisabled(), ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }), metricsPlugin, {
      async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; },
    }],
  });
  await apollo.start();

  httpServer.on('request', async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (url.pathname === '/healthz') return send(res, 200, '{"status":"ok"}');
      if (url.pathname === '/readyz') {
        const r = await app.readiness();
        return send(res, r.ready ? 200 : 503, JSON.stringify(r));
      }
      if (url.pathname === '/metrics') return send(res, 200, await metricsText(), metricsRegistry.contentType);
      if (app.cfg.WEB_APP && serveWebApp(req, res, url.pathname)) return;
      if (url.pathname !== '/graphql') return send(res, 404, '{"error":"not found"}');
      const headers = new HeaderMap();
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
      const raw = req.method === 'POST' ? await readBody(req) : '';
      if (raw === null) return send(res, 413, JSON.stringify({ errors: [{ message: `Request body larger than ${MAX_BODY_BYTES} bytes`, extensions: { code: 'BAD_REQUEST' } }] }));
      let body: unknown = raw;
      if (raw && (headers.get('content-type') ?? '').includes('application/json')) {
        try { body = JSON.parse(raw); } catch { return send(res, 400, JSON.stringify({ errors: [{ message: 'Malformed JSON body', extensions: { code: 'BAD_REQUEST' } }] })); }
      }
      const requestId = randomUUID();
      const result = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: async () => ({
          app, user: app.auth.verify(headers.get('authorization')), loaders: createLoaders(app.ds, app.cfg), requestId, address: req.socket.remoteAddress ?? '',
        }),
      });
      for (const [k, v] of result.headers) res.setHeader(k, v);
      res.setHeader('x-request-id', requestId);
      res.statusCode = result.status ?? 200;
      if (result.body.kind === 'complete') return res.end(result.body.string);
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    } catch (e) {
      logger.error({ err: e }, 'request failed');
      if (!res.headersSent) send(res, 500, JSON.stringify({ errors: [{ message: 'Internal server error' }] }));
    }
  });

  await new Promise<void>((resolve) => httpServer.listen(port, '0.0.0.0', resolve));
  const actual = (httpServer.address() as { port: number }).port;
  return {
    port: actual,
    url: `http://localhost:${actual}/graphql`,
    wsUrl: `ws://localhost:${actual}/graphql`,
    close: async () => {
      await apollo.stop();
    },
  };
}
