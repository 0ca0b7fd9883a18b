import { spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dropDatabase, ensureDatabase, migrate } from '../src/infra/bootstrap';
import { checkPostgresUserAccess, embeddedBinariesDir } from '../src/infra/services';

/** A newcomer's first `npm start`: what stops it says so in one sentence, never as an unhandled 'error' event. */
const ROOT = path.resolve(__dirname, '..');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs src/main.ts (the main job) from `root` and resolves with its exit code and output. */
function mainJob(
  root: string,
  env: Record<string, string>,
  ms = 120_000,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(process.execPath, ['-r', './test/helpers/ts-register.js', 'src/main.ts'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH!,
        HOME: process.env.HOME ?? '/tmp',
        LOG_LEVEL: 'info',
        REDIS_URL: process.env.TEST_REDIS_URL!,
        DEMO_SEED: 'off',
        ...env,
      },
    });
    child.stdout.on('data', (c) => {
      output += c;
    });
    child.stderr.on('data', (c) => {
      output += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const oneSentence = (output: string) => {
  expect(output).not.toMatch(/Unhandled 'error' event|EACCES|at .*\.(js|ts):\d+/);
  const lines = output
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('Failed to start: '));
  expect(lines).toHaveLength(1);
  return lines[0];
};

(isRoot ? describe : describe.skip)('npm start as root from a directory other users cannot enter', () => {
  let closed: string;
  beforeAll(() => {
    closed = mkdtempSync(path.join(tmpdir(), 'closed-'));
    chmodSync(closed, 0o700);
  });
  afterAll(() => rmSync(closed, { recursive: true, force: true }));

  it('is checked before PostgreSQL is started: the postgres user cannot enter it', async () => {
    const dir = path.join(closed, 'project', '.data', 'postgres');
    const binaries = await embeddedBinariesDir();
    expect(() => checkPostgresUserAccess(dir, binaries)).toThrow(`cannot enter ${closed}`);
    // The project's own directories (this checkout) are open to it.
    expect(() => checkPostgresUserAccess(path.join(ROOT, '.data', 'x'), path.join(ROOT, 'node_modules'))).not.toThrow();
  });

  it('stops with one sentence saying why and what to do, before starting anything', async () => {
    // A copy of the project inside the closed directory (its packages linked, as an install there would have them).
    const project = path.join(closed, 'strategy-graph');
    mkdirSync(project);
    for (const f of ['src', 'workers', 'migrations', 'package.json', 'tsconfig.json', 'test/helpers/ts-register.js']) {
      cpSync(path.join(ROOT, f), path.join(project, f), { recursive: true });
    }
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'));
    const r = await mainJob(project, {});
    expect(r.code).toBe(1);
    const line = oneSentence(r.output);
    expect(line).toMatch(
      /runs as root.*'postgres' user.*cannot enter .*: run it as a normal user, move the project .* or set DATABASE_URL/,
    );
  }, 180_000);
});

describe('npm start when the port is taken', () => {
  const DB = `${process.env.TEST_DATABASE}_firstrun`;
  let databaseUrl: string;
  beforeAll(async () => {
    databaseUrl = await ensureDatabase(process.env.TEST_SERVER_URL!, DB);
    await migrate(databaseUrl);
  }, 120_000);
  afterAll(() => dropDatabase(process.env.TEST_SERVER_URL!, DB), 60_000);

  it('says which port is in use and what to do, and exits 1', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '0.0.0.0', r));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const r = await mainJob(ROOT, {
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        QUEUE_PREFIX: `${process.env.TEST_QUEUE_PREFIX}_fr`,
      });
      expect(r.code).toBe(1);
      expect(oneSentence(r.output)).toBe(
        `Failed to start: port ${port} is already in use by another process: stop it or set PORT to a free port`,
      );
    } finally {
      taken.close();
    }
  }, 180_000);
});
