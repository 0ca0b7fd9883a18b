import http from 'node:http';
import { load, postRead } from './lib';

/** What one measurement sends: `clients` keep-alive loops POSTing `body` to `url` for `ms` milliseconds. */
export interface LoadJob {
  url: string;
  body: string;
  authorization: string;
  clients: number;
  ms: number;
}

/** What it reports on stdout, as JSON. */
export interface LoadResult {
  rps: number;
  requests: number;
  errors: number;
  firstError?: string;
}

/**
 * A load generator in a process of its own (`node load-process.js '<LoadJob as JSON>'`), for the interleaved rounds:
 * the benchmark's own process also hosts an App and the results, and during the rounds of a full run it used ~1.1 ms
 * of CPU per request against 0.3 ms when measuring one server alone (README, Benchmarks). A fresh process per
 * measurement costs each side the same. A response counts as postRead checks it.
 */
async function main() {
  const job = JSON.parse(process.argv[2]) as LoadJob;
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.clients });
  const once = () => postRead(agent, job.url, job.body, job.authorization);
  const r = await load(job.clients, job.ms, once);
  agent.destroy();
  const result: LoadResult = {
    rps: r.rps,
    requests: r.latencies.length,
    errors: r.errors,
    firstError: r.firstError === undefined ? undefined : String(r.firstError),
  };
  process.stdout.write(JSON.stringify(result));
}

if (require.main === module)
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
