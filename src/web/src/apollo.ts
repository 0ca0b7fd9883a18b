import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { relayStylePagination } from '@apollo/client/utilities';
import { OperationTypeNode } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { store } from './store';

// The operation context's headers (HttpLink sends them), typed: Apollo's context is otherwise a record of `any`.
declare module '@apollo/client' {
  interface DefaultContext {
    headers?: Record<string, string>;
  }
}

/** The text of an API error (the server's messages, joined), for showing where the user acted. */
export function errorText(e: unknown): string {
  if (CombinedGraphQLErrors.is(e)) return e.errors.map((x) => x.message).join('; ');
  return e instanceof Error ? e.message : String(e);
}

/** Normalised cache: strategies by id; a portfolio's strategies pages merged Relay-style per filter. */
export function createCache() {
  return new InMemoryCache({
    typePolicies: {
      Portfolio: { fields: { strategies: relayStylePagination(['filter']) } },
      // Aggregates without ids live inside their parent.
      PortfolioTotals: { keyFields: false },
      StrategyMetrics: { keyFields: false, merge: true },
      PayoffAnalysis: { keyFields: false },
      Greeks: { keyFields: false, merge: true },
    },
  });
}

export interface Api {
  client: ApolloClient;
  ws: Client;
  dispose(): void;
}

/** One Apollo client per login: HTTP for queries and mutations, graphql-ws (same /graphql URL) for subscriptions. */
export function createApi(token: string): Api {
  const http = new HttpLink({ uri: '/graphql' });
  const auth = new SetContextLink(({ headers }) => ({ headers: { ...headers, authorization: `Bearer ${token}` } }));
  const logoutOnExpiry = new ErrorLink(({ error }) => {
    if (CombinedGraphQLErrors.is(error) && error.errors.some((x) => x.extensions?.code === 'UNAUTHENTICATED'))
      store.logout();
  });
  const ws = createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: async (retries) => new Promise((r) => setTimeout(r, Math.min(500 * 2 ** retries, 5000))),
    on: {
      connected: () => store.setConnection('connected'),
      closed: (event) => {
        // 4403: the server refused the token (e.g. it restarted with a new secret): log in again.
        if ((event as CloseEvent | undefined)?.code === 4403) store.logout();
        else store.setConnection('lost');
      },
    },
  });
  const link = ApolloLink.split(
    ({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION,
    new GraphQLWsLink(ws),
    ApolloLink.from([logoutOnExpiry, auth, http]),
  );
  const client = new ApolloClient({ link, cache: createCache() });
  return {
    client,
    ws,
    dispose: () => {
      void ws.dispose();
      client.stop();
    },
  };
}
