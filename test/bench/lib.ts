import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface Row {
  benchmark: string;
  metric: string;
  value: number;
  unit: string;
  target?: string;
  pass?: boolean;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** Times `fn` n times sequentially after `warmup` runs; returns sorted milliseconds. */
export async function timeSeq(
  n: number,
  fn: () => Promise<unknown> | unknown,
  warmup = Math.min(20, n),
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

/**
 * One read as the load generators send it: `body` POSTed to `url` through node:http on `agent`'s kept-alive connections
 * (lighter than fetch), checked (status 200, a data object, no errors) on the raw bytes without decoding them.
 */
export function postRead(agent: http.Agent, url: string, body: string, authorization: string): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization };
    const req = http.request(url, { method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        if (res.statusCode !== 200 || buf.indexOf('{"data":{') !== 0 || buf.includes('"errors":'))
          reject(new Error(buf.toString('utf8', 0, 500)));
        else resolve(buf);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `clients` concurrent loops for `ms` milliseconds (bounded); returns completed requests per second and latencies. */
export async function load(
  clients: number,
  ms: number,
  fn: () => Promise<unknown>,
): Promise<{ rps: number; latencies: number[]; errors: number; firstError?: unknown }> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: unknown;
  const end = performance.now() + ms;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          await fn();
        } catch (e) {
          errors++;
          firstError ??= e;
        }
        latencies.push(performance.now() - t);
      }
    }),
  );
  const rps = (latencies.length / (performance.now() - start)) * 1000;
  return { rps, latencies: latencies.sort((a, b) => a - b), errors, firstError };
}

export function printTable(rows: Row[]): void {
  const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
  const lines = rows.map((r) => [
    r.benchmark,
    r.metric,
    `${fmt(r.value)} ${r.unit}`,
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'yes' : 'NO',
  ]);
  const head = ['benchmark', 'metric', 'measured', 'target', 'met'];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(line(l));
}
