import { ApolloClient, ApolloLink, gql, HttpLink, InMemoryCache, type TypedDocumentNode } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition, relayStylePagination } from '@apollo/client/utilities';
import { createClient } from 'graphql-ws';

/**
 * An Apollo Client for the API: queries and mutations over HTTP, subscriptions over graphql-ws, one token.
 * `close()` stops the client and its socket. In a browser, leave out webSocketImpl.
 */
export function createApiClient(url: string, token: string, webSocketImpl?: unknown) {
  const authorization = `Bearer ${token}`;
  const http = new HttpLink({ uri: url, headers: { authorization } });
  const socket = createClient({ url: url.replace(/^http/, 'ws'), connectionParams: { authorization }, webSocketImpl });
  const ws = new GraphQLWsLink(socket);
  const isSubscription = ({ query }: ApolloLink.Operation) => {
    const d = getMainDefinition(query);
    return d.kind === 'OperationDefinition' && d.operation === 'subscription';
  };
  const byId = (__typename: string) => ({
    read: (_: unknown, { args, toReference }: any) => toReference({ __typename, id: args?.id }),
  });
  const client = new ApolloClient({
    link: ApolloLink.split(isSubscription, ws, http),
    cache: new InMemoryCache({
      // Relay identification: node(id) returns any of these.
      possibleTypes: { Node: ['Portfolio', 'Strategy', 'Leg', 'Tag', 'BatchRun'] },
      typePolicies: {
        // Portfolio, Strategy, Leg, Tag, BatchRun and User are normalised by their id (Apollo's default key,
        // "Strategy:<id>"); strategy lists page Relay-style, one list per filter.
        Portfolio: { fields: { strategies: relayStylePagination(['filter']) } },
        Tag: { fields: { strategies: relayStylePagination(['filter']) } },
        // Values without an id belong to their parent and are replaced by newer reads.
        StrategyMetrics: { keyFields: false, merge: true },
        PayoffAnalysis: { keyFields: false, merge: true },
        PortfolioTotals: { keyFields: false, merge: true },
        Greeks: { keyFields: false, merge: true },
        // Single-object reads answered from the cache when the object is already there.
        Query: {
          fields: { portfolio: byId('Portfolio'), strategy: byId('Strategy'), leg: byId('Leg'), tag: byId('Tag') },
        },
      },
    }),
  });
  return {
    client,
    close: () => {
      client.stop();
      return socket.dispose();
    },
  };
}

export interface StrategyNode {
  id: string;
  name: string;
  type: string;
  metrics: { unrealizedPnl: string; stale: boolean } | null;
}
export interface PortfolioStrategies {
  portfolio: {
    id: string;
    name: string;
    strategies: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: { cursor: string; node: StrategyNode }[];
    };
  } | null;
}

/** One page of a portfolio's strategies (Relay-style: `first`/`after`, merged by relayStylePagination). */
export const PORTFOLIO_STRATEGIES: TypedDocumentNode<
  PortfolioStrategies,
  { id: string; first: number; after?: string | null }
> = gql`
  query PortfolioStrategies($id: ID!, $first: Int!, $after: String) {
    portfolio(id: $id) {
      id
      name
      strategies(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          cursor
          node {
            id
            name
            type
            metrics {
              unrealizedPnl
              stale
            }
          }
        }
      }
    }
  }
`;

/** Any object by id (Relay's node). */
export const NODE: TypedDocumentNode<
  { node: { __typename: string; id: string; name?: string } | null },
  { id: string }
> = gql`
  query Node($id: ID!) {
    node(id: $id) {
      __typename
      id
      ... on Portfolio {
        name
      }
      ... on Strategy {
        name
      }
      ... on Tag {
        name
      }
    }
  }
`;

/** Structural changes of a portfolio, live. */
export const PORTFOLIO_CHANGED: TypedDocumentNode<
  { portfolioChanged: { kind: string; strategyIds: string[] } },
  { id: string }
> = gql`
  subscription PortfolioChanged($id: ID!) {
    portfolioChanged(portfolioId: $id) {
      kind
      strategyIds
    }
  }
`;
