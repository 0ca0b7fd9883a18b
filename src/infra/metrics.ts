import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of this process (GET /metrics). */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const requestDuration = new Histogram({
  name: 'graphql_request_duration_seconds', help: 'GraphQL request duration by operation name', labelNames: ['operation'],
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [metricsRegistry],
});
const errorsByCode = new Counter({ name: 'graphql_errors_total', help: 'GraphQL errors by code', labelNames: ['code'], registers: [metricsRegistry] });
export const activeSubscriptions = new Gauge({ name: 'graphql_active_subscriptions', help: 'Open graphql-ws subscriptions', registers: [metricsRegistry] });
export const queueDepth = new Gauge({ name: 'queue_depth', help: 'Jobs waiting per queue', labelNames: ['queue'], registers: [metricsRegistry] });
export const jobDuration = new Histogram({
  name: 'job_duration_seconds', help: 'Job durations by queue', labelNames: ['queue'], buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30], registers: [metricsRegistry],
});
export const recomputations = new Counter({ name: 'strategy_recomputations_total', help: 'Strategies recomputed', registers: [metricsRegistry] });

export function observe(operation: string, seconds: number, errorCodes: string[]): void {
  requestDuration.observe({ operation }, seconds);
  for (const code of errorCodes) errorsByCode.inc({ code });
}
