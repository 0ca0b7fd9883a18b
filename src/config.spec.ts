import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { API_NODE_FLAGS, loadConfig } from './config';

describe('configuration', () => {
  it('refuses production without JWT_SECRET, naming the variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a-long-enough-secret' }).JWT_SECRET).toBe(
      'a-long-enough-secret',
    );
  });

  it('names the variable of a bad value', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ REDIS_URL: 'not a url' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ DEFAULT_IMPLIED_VOLATILITY: '0' })).toThrow(/DEFAULT_IMPLIED_VOLATILITY/);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
    for (const bad of ['0', '65', 'two', '1.5', '-1'])
      expect(() => loadConfig({ API_PROCESSES: bad })).toThrow(/API_PROCESSES/);
  });

  it('starts the API with API_NODE_FLAGS everywhere it is started', () => {
    const root = path.join(__dirname, '..');
    const scripts = (
      JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    const compose = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
    expect(scripts.start).toContain(`node ${API_NODE_FLAGS.join(' ')} dist/src/main.js`);
    expect(scripts['start:api']).toContain(`node ${API_NODE_FLAGS.join(' ')} dist/src/api.js`);
    expect(compose).toContain(
      `command: ['node', ${API_NODE_FLAGS.map((f) => `'${f}'`).join(', ')}, 'dist/src/api.js']`,
    );
  });

  it('reads API_PROCESSES as a count, "auto" as one per core', () => {
    expect(loadConfig({}).API_PROCESSES).toBe(1);
    expect(loadConfig({ API_PROCESSES: '4' }).API_PROCESSES).toBe(4);
    expect(loadConfig({ API_PROCESSES: 'auto' }).API_PROCESSES).toBe(availableParallelism());
  });

  it('applies the documented defaults and a random development secret', () => {
    const c = loadConfig({ ADMIN_USERS: ' Alice, bob ,' });
    expect(c).toMatchObject({
      PORT: 4000,
      REDIS_URL: 'redis://127.0.0.1:6379',
      RISK_FREE_RATE: 0.04,
      DEFAULT_IMPLIED_VOLATILITY: 0.3,
      LOG_LEVEL: 'info',
    });
    expect([...c.adminUsers]).toEqual(['alice', 'bob']);
    expect(c.JWT_SECRET).toHaveLength(64);
    expect(loadConfig({}).JWT_SECRET).not.toBe(c.JWT_SECRET);
  });
});
