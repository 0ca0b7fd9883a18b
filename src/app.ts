import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import type { Config } from './config';
import { createDataSource } from './data-source';
import { createEventPubSub, publishSafely, type EventPubSub } from './infra/pubsub';
import { producerConnection, RecomputeProducer, TOPICS } from './infra/queues';
import { AuthService } from './modules/auth/auth.service';
import { LegService } from './modules/leg/leg.service';
import { MarketDataService } from './modules/market-data/market-data.service';
import { PortfolioService } from './modules/portfolio/portfolio.service';
import type { Changes } from './modules/strategy/changes';
import { MetricsService } from './modules/strategy/metrics.service';
import { StrategyQueries } from './modules/strategy/strategy.queries';
import { StrategyService } from './modules/strategy/strategy.service';
import { SuggestionService } from './modules/tag/suggestion.service';
import { TagService } from './modules/tag/tag.service';
import { CandleService } from './modules/market-data/candle.service';

/** The composition root: one DataSource, the Redis connections, and every service wired once per process. */
export class App {
  readonly producer: RecomputeProducer;
  readonly pubSub: EventPubSub;
  readonly auth: AuthService;
  readonly portfolios: PortfolioService;
  readonly strategies: StrategyService;
  readonly legs: LegService;
  readonly tags: TagService;
  readonly metrics: MetricsService;
  readonly marketData: MarketDataService;
  readonly queries: StrategyQueries;
  readonly suggestions: SuggestionService;
  readonly candles: CandleService;

  private constructor(
    readonly cfg: Config,
    readonly ds: DataSource,
    readonly redisUrl: string,
    readonly redis: Redis,
    readonly subscriber: Redis,
  ) {
    this.producer = new RecomputeProducer(redis);
    this.pubSub = createEventPubSub(redis, subscriber);
    this.auth = new AuthService(ds, cfg);
    this.portfolios = new PortfolioService(ds);
    this.strategies = new StrategyService(ds, (c) => this.deliver(c));
    this.legs = new LegService(ds, this.strategies);
    this.tags = new TagService(ds, this.strategies);
    this.metrics = new MetricsService(ds, cfg);
    this.marketData = new MarketDataService(ds, redis, this.producer);
    this.queries = new StrategyQueries(ds);
    this.suggestions = new SuggestionService(ds, this.strategies);
    this.candles = new CandleService(ds);
  }

  static async create(cfg: Config, databaseUrl: string, redisUrl: string, opts: { sqlLogger?: (sql: string) => void } = {}): Promise<App> {
    const ds = createDataSource(databaseUrl, { logger: opts.sqlLogger });
    await ds.initialize();
    // The subscriber must queue commands while reconnecting (it re-subscribes); the producer fails fast.
    const subscriber = producerConnection(redisUrl, { enableOfflineQueue: true, maxRetriesPerRequest: null });
    return new App(cfg, ds, redisUrl, producerConnection(redisUrl), subscriber);
  }

  /** After a commit: enqueue recomputations (the stale flag is already committed) and publish the changes. */
  async deliver(c: Changes): Promise<void> {
    await this.producer.enqueue([...c.recompute]);
    for (const e of c.events) await publishSafely(this.redis, TOPICS.portfolioChanged(e.portfolioId), e);
  }

  async close(): Promise<void> {
    await this.producer.queue.close().catch(() => undefined);
    this.redis.disconnect();
    this.subscriber.disconnect();
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}
