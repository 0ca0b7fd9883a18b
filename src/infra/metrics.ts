import cluster from 'node:cluster';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of this process (GET /metrics). */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const METRICS_REQUEST = 'strategy-graph:metrics?';
const METRICS_RESPONSE = 'strategy-graph:metrics!';
interface MetricsMessage {
  type: string;
  id: number;
  text?: string;
  error?: string;
}
if (cluster.isWorker) {
  // An API process of `start:api` with API_PROCESSES > 1: its registry answers the primary's collection requests
  // (prom-client's cluster protocol; constructing an AggregatorRegistry installs the responder).
  AggregatorRegistry.setRegistries([metricsRegistry]);
  new AggregatorRegistry();
}

/** The primary of the API processes: sums their metrics (by each metric's aggregator) for whichever one is asked. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, m: MetricsMessage) => {
    if (m?.type !== METRICS_REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: METRICS_RESPONSE, id: m.id, text }),
      (e: Error) => worker.send({ type: METRICS_RESPONSE, id: m.id, error: e.message }),
    );
  });
}

let nextRequest = 0;
/**
 * GET /metrics: this process's metrics, or, in one of several API processes, those of all of them (a scrape reaches
 * one process; counters and histograms are summed, so totals do not depend on which one answered).
 */
export async function metricsText(): Promise<string> {
  if (!cluster.isWorker || !process.send) return metricsRegistry.metrics();
  const id = nextRequest++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error('the API primary did not send metrics within 5 s'));
    }, 5000);
    function onMessage(m: MetricsMessage) {
      if (m?.type !== METRICS_RESPONSE || m.id !== id) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      if (m.error !== undefined) reject(new Error(m.error));
      else resolve(m.text ?? '');
    }
    process.on('message', onMessage);
    process.send!({ type: METRICS_REQUEST, id });
  });
}

const requestDuration = new Histogram({
  name: 'graphql_request_duration_seconds',
  help: 'GraphQL request duration by operation name',
  labelNames: ['operation'],
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metricsRegistry],
});
const errorsByCode = new Counter({
  name: 'graphql_errors_total',
  help: 'GraphQL errors by code',
  labelNames: ['code'],
  registers: [metricsRegistry],
});
export const activeSubscriptions = new Gauge({
  name: 'graphql_active_subscriptions',
  help: 'Open graphql-ws subscriptions',
  registers: [metricsRegistry],
});
// The same number wherever it is read: summing it over processes would multiply it.
export const queueDepth = new Gauge({
  name: 'queue_depth',
  help: 'Jobs waiting per queue',
  labelNames: ['queue'],
  registers: [metricsRegistry],
  aggregator: 'max',
});
export const jobDuration = new Histogram({
  name: 'job_duration_seconds',
  help: 'Job durations by queue',
  labelNames: ['queue'],
  buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
  registers: [metricsRegistry],
});
export const recomputations = new Counter({
  name: 'strategy_recomputations_total',
  help: 'Strategies recomputed',
  registers: [metricsRegistry],
});

export const strategyRecomputeFailures = new Counter({
  name: 'strategy_recompute_failures_total',
  help: 'Strategy recomputations that failed (each retried with backoff)',
  registers: [metricsRegistry],
});
// The same number wherever it is read (a count in PostgreSQL, refreshed by each worker's sweeper).
export const strategiesFailing = new Gauge({
  name: 'strategies_recompute_failing',
  help: 'Strategies whose last recomputation failed',
  registers: [metricsRegistry],
  aggregator: 'max',
});

/** The label for operations beyond the known ones; "anonymous" for operations without a name. */
export const OTHER_OPERATION = 'other';
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const knownOperations = new Set<string>();
let maxOperations = 200;
/** How many distinct operation names get a label of their own (METRICS_MAX_OPERATIONS). */
export function setMaxOperationLabels(n: number): void {
  maxOperations = n;
}

/**
 * The operation label: the first METRICS_MAX_OPERATIONS names that ran (passed validation), up to 64 characters; the
 * rest are "other". Clients choose operation names, so one label per name would grow /metrics without bound.
 */
export function operationLabel(name: string | null | undefined, ran: boolean): string {
  if (!name) return 'anonymous';
  if (knownOperations.has(name)) return name;
  if (!ran || !OPERATION_NAME.test(name) || knownOperations.size >= maxOperations) return OTHER_OPERATION;
  knownOperations.add(name);
  return name;
}

export function observe(operation: string, seconds: number, errorCodes: string[]): void {
  requestDuration.observe({ operation }, seconds);
  for (const code of errorCodes) errorsByCode.inc({ code });
}
