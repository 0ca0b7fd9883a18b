import path from 'node:path';
import { createPubSub } from '@graphql-yoga/subscription';
import { buildSchema, emitSchemaDefinitionFile, type PubSub } from 'type-graphql';
import type { GraphQLSchema } from 'graphql';
import './common/enums';
import { directFieldResolvers } from './common/direct-resolvers';
import { installNodeTypeResolver } from './common/node';
import { DateTimeScalar } from './common/scalars';
import { AuthResolver } from './modules/auth/auth.resolver';
import { BatchResolver } from './modules/batch/batch.resolver';
import { LegResolver } from './modules/leg/leg.resolver';
import { NodeResolver } from './modules/node/node.resolver';
import { MarketDataResolver } from './modules/market-data/market-data.resolver';
import { PortfolioResolver } from './modules/portfolio/portfolio.resolver';
import { PayoffResolver, StrategyMetricsResolver } from './modules/strategy/metrics.resolver';
import { StrategyDetectionResolver, StrategyResolver } from './modules/strategy/strategy.resolver';
import { SubscriptionResolver } from './modules/strategy/subscription.resolver';
import { TagResolver } from './modules/tag/tag.resolver';
import {
  LegHistoryResolver,
  LifecycleResolver,
  MetricsHistoryResolver,
  PortfolioHistoryResolver,
  StrategyHistoryResolver,
  TotalsHistoryResolver,
} from './modules/history/history.resolver';
import {
  PayoffRiskResolver,
  PortfolioRiskResolver,
  StrategyPreviewResolver,
  StrategyRiskResolver,
} from './modules/risk/risk.resolver';
import { PROJECT_ROOT } from './paths';
import { describeSchema } from './schema-descriptions';

export const SCHEMA_FILE = path.join(PROJECT_ROOT, 'schema.graphql');

export const RESOLVERS = [
  AuthResolver,
  PortfolioResolver,
  StrategyResolver,
  StrategyDetectionResolver,
  StrategyMetricsResolver,
  PayoffResolver,
  LegResolver,
  TagResolver,
  MarketDataResolver,
  BatchResolver,
  SubscriptionResolver,
  NodeResolver,
  LegHistoryResolver,
  MetricsHistoryResolver,
  TotalsHistoryResolver,
  StrategyHistoryResolver,
  PortfolioHistoryResolver,
  LifecycleResolver,
  StrategyRiskResolver,
  PortfolioRiskResolver,
  PayoffRiskResolver,
  StrategyPreviewResolver,
] as const;

/**
 * The schema, built from the resolvers. Every subscription subscribes through the app's Redis-backed pubSub
 * (see SubscriptionResolver); `emit` writes schema.graphql (npm run schema) and a test checks it is committed.
 */
export async function createSchema(pubSub: PubSub = createPubSub(), emit = false): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [...RESOLVERS],
    pubSub,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: false,
  });
  // Every element carries a description: its decorator's, else the table's (schema-descriptions.ts).
  describeSchema(schema);
  if (emit) await emitSchemaDefinitionFile(SCHEMA_FILE, schema, { sortedSchema: false });
  // No global middlewares and no auth checker above: field resolvers of root and context only may be called directly.
  directFieldResolvers(schema);
  installNodeTypeResolver(schema);
  return schema;
}
