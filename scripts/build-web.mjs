#!/usr/bin/env node
// Builds the portfolio screen (src/web → dist/web) when its sources, schema.graphql or the lockfile changed since the
// last build: graphql-codegen (types from schema.graphql), tsc (type check), vite build. `--force` always builds.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'src', 'web');
const out = path.join(root, 'dist', 'web');
const stamp = path.join(out, '.source-hash');

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (name === 'gql' || name === 'node_modules') return [];
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

const hash = createHash('sha256');
for (const f of [
  ...files(web).sort(),
  path.join(root, 'schema.graphql'),
  path.join(root, 'package-lock.json'),
  fileURLToPath(import.meta.url),
]) {
  hash.update(path.relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
}
const digest = hash.digest('hex');
const upToDate = () =>
  existsSync(stamp) && readFileSync(stamp, 'utf8') === digest && existsSync(path.join(out, 'index.html'));
if (!process.argv.includes('--force') && upToDate()) process.exit(0);

// One build at a time (parallel test files build before they start): the others wait for it and use its result.
const lock = path.join(root, 'dist', '.web-build.lock');
mkdirSync(path.dirname(lock), { recursive: true });
for (;;) {
  try {
    mkdirSync(lock);
    break;
  } catch (e) {
    if (e.code !== 'EEXIST') throw e;
    // A lock older than 5 minutes was left by a killed build.
    if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 300_000)
      rmSync(lock, { recursive: true, force: true });
    await new Promise((r) => setTimeout(r, 250));
    if (!process.argv.includes('--force') && upToDate()) process.exit(0);
  }
}
process.on('exit', () => rmSync(lock, { recursive: true, force: true }));

function run(bin, args, cwd = root) {
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', ...bin), ...args], {
    cwd,
    stdio: ['ignore', 'inherit', 'inherit'],
    // Always the production build of React and Apollo, also when called from the tests (NODE_ENV=test).
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (r.status !== 0) {
    console.error(`web app build failed: ${bin.at(-1)} ${args.join(' ')}`);
    process.exit(r.status ?? 1);
  }
}
console.log('Building the web app (src/web → dist/web)…');
run(['@graphql-codegen', 'cli', 'cjs', 'bin.js'], ['--config', 'codegen.yml', '--silent'], web);
run(['typescript', 'bin', 'tsc'], ['-p', path.join(web, 'tsconfig.json')]);
run(['vite', 'bin', 'vite.js'], ['build', '--config', path.join(web, 'vite.config.mts'), '--logLevel', 'warn']);
writeFileSync(stamp, digest);
