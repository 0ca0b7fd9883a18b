import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import type { Config } from './config';
import { createDataSource } from './data-source';
import { createLoaders, type Loaders } from './loaders';
import type { EventEmitter } from 'node:events';
import { createEventPubSub, publishAll, resyncSignal, type EventPubSub } from './infra/pubsub';
import { Queue } from 'bullmq';
import { producerConnection, QUEUES, RecomputeProducer, TOPICS, type BatchJob } from './infra/queues';
import { ChangeDelivery, UnitOfWork } from './infra/unit-of-work';
import { BatchService } from './modules/batch/batch.service';
import { PerformanceService } from './modules/batch/performance.service';
import type { RecomputeResult } from './modules/strategy/metrics.service';
import { AuthService } from './modules/auth/auth.service';
import { LoginThrottle } from './modules/auth/login-throttle';
import { LegCache } from './modules/leg/leg.cache';
import { LegService } from './modules/leg/leg.service';
import { MarketDataService } from './modules/market-data/market-data.service';
import { PortfolioService } from './modules/portfolio/portfolio.service';
import { MetricsService } from './modules/strategy/metrics.service';
import { RecomputeFailures } from './modules/strategy/recompute-failures';
import { StrategyQueries } from './modules/strategy/strategy.queries';
import { StrategyService } from './modules/strategy/strategy.service';
import { SuggestionService } from './modules/tag/suggestion.service';
import { TagService } from './modules/tag/tag.service';
import { CandleService } from './modules/market-data/candle.service';
import { HistoryService } from './modules/history/history.service';
import { RiskService } from './modules/risk/risk.service';

/**
 * What resolvers see of the App (`Context.app`): services, configuration and event streams; not the DataSource, the
 * unit of work or the Redis connections. Resolvers read and write through services.
 */
export type AppServices = Omit<App, 'ds' | 'uow' | 'producer' | 'batchQueue' | 'redis' | 'subscriber' | 'close'>;

/** The composition root: one DataSource, the Redis connections, and every service wired once per process. */
export class App {
  readonly producer: RecomputeProducer;
  /** The write path: one transaction with retries, then delivery of what it changed (see infra/unit-of-work.ts). */
  readonly uow: UnitOfWork;
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
  readonly batchQueue: Queue<BatchJob>;
  readonly batches: BatchService;
  readonly performance: PerformanceService;
  readonly recomputeFailures: RecomputeFailures;
  /** Emits when the event connection is back after an outage (see resyncSignal). */
  readonly resync: EventEmitter;
  readonly history: HistoryService;
  readonly risk: RiskService;
  /** This process's parsed legs rows and their valuations (see LegCache). */
  readonly legCache: LegCache;

  private constructor(
    readonly cfg: Config,
    readonly ds: DataSource,
    readonly redisUrl: string,
    readonly redis: Redis,
    readonly subscriber: Redis,
  ) {
    this.legCache = new LegCache(cfg.LEG_CACHE_SIZE);
    this.producer = new RecomputeProducer(redis, cfg.QUEUE_PREFIX);
    this.uow = new UnitOfWork(ds, new ChangeDelivery(this.producer, redis));
    this.pubSub = createEventPubSub(redis, subscriber);
    this.resync = resyncSignal(subscriber);
    this.recomputeFailures = new RecomputeFailures(redis, cfg.QUEUE_PREFIX);
    this.auth = new AuthService(ds, this.uow, cfg, new LoginThrottle(redis, cfg.QUEUE_PREFIX));
    this.portfolios = new PortfolioService(ds, this.uow);
    this.strategies = new StrategyService(ds, this.uow);
    this.legs = new LegService(this.uow, this.strategies, cfg);
    this.tags = new TagService(ds, this.uow, this.strategies);
    this.metrics = new MetricsService(ds, this.uow, cfg, this.legCache);
    this.marketData = new MarketDataService(this.uow, redis);
    this.queries = new StrategyQueries(ds, this.legCache);
    this.suggestions = new SuggestionService(ds, this.strategies);
    this.candles = new CandleService(ds);
    this.batchQueue = new Queue<BatchJob>(QUEUES.batch, {
      connection: redis,
      prefix: cfg.QUEUE_PREFIX,
      defaultJobOptions: { removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } },
    });
    this.batchQueue.on('error', () => undefined);
    this.batches = new BatchService(ds, this.uow, this.batchQueue, redis);
    this.performance = new PerformanceService(ds);
    this.history = new HistoryService(ds);
    this.risk = new RiskService(ds, cfg, this.queries, this.legCache);
  }

  static async create(
    cfg: Config,
    databaseUrl: string,
    redisUrl: string,
    opts: { sqlLogger?: (sql: string) => void } = {},
  ): Promise<App> {
    const ds = createDataSource(databaseUrl, { logger: opts.sqlLogger });
    await ds.initialize();
    // The subscriber must queue commands while reconnecting (it re-subscribes); the producer fails fast.
    const subscriber = producerConnection(redisUrl, { enableOfflineQueue: true, maxRetriesPerRequest: null });
    return new App(cfg, ds, redisUrl, producerConnection(redisUrl), subscriber);
  }

  /** New request-scoped loaders (one request's, or one subscription event's): see createLoaders. */
  createLoaders(): Loaders {
    return createLoaders(this);
  }

  /**
   * After a recomputation: one small event per portfolio listing the recomputed strategy ids (subscribers
   * expand it), and each strategy's new minute candle; sent in one pipeline.
   */
  async publishMetrics(r: RecomputeResult): Promise<void> {
    const byPortfolio = new Map<string, string[]>();
    for (const u of r.updated)
      byPortfolio.set(u.portfolioId, [...(byPortfolio.get(u.portfolioId) ?? []), u.strategyId]);
    await publishAll(this.redis, [
      ...[...byPortfolio].map(
        ([portfolioId, strategyIds]) => [TOPICS.strategyMetrics(portfolioId), { portfolioId, strategyIds }] as const,
      ),
      ...r.candles.map((c) => [TOPICS.m2m(c.strategyId), c] as const),
    ]);
  }

  /** /readyz: PostgreSQL and Redis answer, and every migration is applied. */
  async readiness(): Promise<{ ready: boolean; postgres: boolean; redis: boolean; migrations: boolean }> {
    const postgres = await this.ds.query('SELECT 1').then(
      () => true,
      () => false,
    );
    const redis = await this.redis.ping().then(
      (r) => r === 'PONG',
      () => false,
    );
    const migrations = postgres && !(await this.ds.showMigrations().catch(() => true));
    return { ready: postgres && redis && migrations, postgres, redis, migrations };
  }

  async close(): Promise<void> {
    await this.producer.queue.close().catch(() => undefined);
    await this.batchQueue.close().catch(() => undefined);
    this.redis.disconnect();
    this.subscriber.disconnect();
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}
