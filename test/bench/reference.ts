import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/paths';

/**
 * The reference the nested-read targets were set against: the auto-generated PostGraphile v5 server (one SQL
 * statement per request), run on this machine beside the API, on the same database, so both are measured in one run.
 * PostGraphile v5 needs Node 22; both come from the npm registry as packages (`node-<platform>-<arch>` ships the
 * official Node binary) into `.data/reference/` (ignored by git), installed on first use. Nothing of it is part of
 * the product.
 */
export const REFERENCE = { postgraphile: '5.1.5', node: '22.23.3' } as const;

/**
 * The same page as the API's nested read, in PostGraphile's generated names: 100 strategies with legs, tags,
 * metrics.
 */
export const REFERENCE_QUERY = `query($p: UUID!, $first: Int) { portfolioByRowId(rowId: $p) {
  strategiesByPortfolioId(first: $first, orderBy: [CREATED_AT_ASC, PRIMARY_KEY_ASC], condition: { status: ACTIVE }) {
    totalCount edges { node {
    rowId name type stale
    legsByStrategyId(orderBy: [LEG_ORDER_ASC, PRIMARY_KEY_ASC]) {
      totalCount nodes { rowId symbol quantity entryPrice multiplier positionType } }
    strategyTagsByStrategyId { nodes { tagByTagId { rowId name } } }
    strategyMetricByStrategyId { marketValue unrealizedPnl netDelta }
} } } } }`;

const DIR = path.join(PROJECT_ROOT, '.data/reference');

function install(): { node: string; cli: string } {
  const nodePkg = `node-${process.platform}-${process.arch}`;
  const node = path.join(DIR, 'node_modules', nodePkg, 'bin/node');
  const cli = path.join(DIR, 'node_modules/postgraphile/dist/cli-run.js');
  const installed =
    existsSync(node) &&
    existsSync(cli) &&
    JSON.parse(readFileSync(path.join(DIR, 'node_modules/postgraphile/package.json'), 'utf8')).version ===
      REFERENCE.postgraphile;
  if (!installed) {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(path.join(DIR, 'package.json'), JSON.stringify({ name: 'nested-read-reference', private: true }));
    console.error(
      `installing the reference (postgraphile@${REFERENCE.postgraphile}, ${nodePkg}@${REFERENCE.node}) ` +
        'into .data/reference',
    );
    const r = spawnSync(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `${nodePkg}@${REFERENCE.node}`,
        `postgraphile@${REFERENCE.postgraphile}`,
      ],
      { cwd: DIR, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (r.status !== 0 || !existsSync(node))
      throw new Error(`could not install the reference server (npm exit ${r.status}); run without --reference`);
  }
  return { node, cli };
}

/** Starts PostGraphile on `databaseUrl` (schema public, Amber preset, production mode) and waits until it answers. */
export async function startReference(
  databaseUrl: string,
  port: number,
): Promise<{ url: string; process: ChildProcess }> {
  const { node, cli } = install();
  const config = path.join(DIR, 'graphile.config.mjs');
  writeFileSync(
    config,
    `import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
export default {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ connectionString: process.env.REFERENCE_DATABASE_URL, schemas: ["public"] })],
  grafserv: { port: Number(process.env.REFERENCE_PORT), graphiql: false, watch: false },
  grafast: { explain: false },
};
`,
  );
  const child = spawn(node, [cli, '-C', config], {
    cwd: DIR,
    env: { ...process.env, NODE_ENV: 'production', REFERENCE_DATABASE_URL: databaseUrl, REFERENCE_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the reference server exited (${child.exitCode})`);
    const ok = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
    }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, process: child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  throw new Error('the reference server did not answer within 30 s');
}
