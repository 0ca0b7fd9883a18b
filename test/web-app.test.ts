/**
 * The web app's files as start:api serves them (src/web-app.ts): GET / and its assets with WEB_APP on (the
 * default), nothing with WEB_APP=false; the first load's JavaScript within its 350 KB gzipped budget.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { startHarness, type Harness } from './helpers/harness';

const ROOT = path.resolve(__dirname, '..');
const WEB = path.join(ROOT, 'dist', 'web');

/** The files index.html loads before the app runs (its module script, preloads and stylesheets). */
function firstLoad(): { js: string[]; css: string[] } {
  const html = readFileSync(path.join(WEB, 'index.html'), 'utf8');
  const js = [...html.matchAll(/<script[^>]+src="([^"]+)"|<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)].map(
    (m) => m[1] ?? m[2],
  );
  const css = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g)].map((m) => m[1]);
  return { js, css };
}

describe('web app files', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-web.mjs')], { cwd: ROOT, stdio: 'inherit' });
  }, 180_000);

  describe('WEB_APP on (default)', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ worker: false });
    });
    afterAll(async () => {
      await h?.close();
    });
    const base = () => `http://localhost:${h.server.port}`;

    it('serves index.html at GET / and its hashed assets with a year of caching', async () => {
      const res = await fetch(`${base()}/`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const html = await res.text();
      expect(html).toContain('<div id="root"></div>');
      const { js, css } = firstLoad();
      expect(js.length).toBeGreaterThan(0);
      for (const f of [...js, ...css]) {
        const a = await fetch(`${base()}${f}`);
        expect(a.status).toBe(200);
        expect(a.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
        expect(Buffer.from(await a.arrayBuffer()).equals(readFileSync(path.join(WEB, f)))).toBe(true);
      }
      expect((await fetch(`${base()}${js[0]}`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    });

    it('leaves the API routes alone and serves nothing outside dist/web', async () => {
      expect((await fetch(`${base()}/healthz`)).status).toBe(200);
      const gql = await fetch(`${base()}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
      });
      expect(await gql.json()).toEqual({ data: { __typename: 'Query' } });
      expect((await fetch(`${base()}/assets/missing.js`)).status).toBe(404);
      expect((await fetch(`${base()}/assets/%2e%2e/%2e%2e/package.json`)).status).toBe(404);
      expect((await fetch(`${base()}/package.json`)).status).toBe(404);
      expect((await fetch(`${base()}/`, { method: 'POST' })).status).toBe(404);
    });
  });

  describe('WEB_APP=false', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ worker: false, config: { WEB_APP: 'false' } });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('serves no app at GET /', async () => {
      expect((await fetch(`http://localhost:${h.server.port}/`)).status).toBe(404);
      expect((await fetch(`http://localhost:${h.server.port}${firstLoad().js[0]}`)).status).toBe(404);
      expect((await fetch(`http://localhost:${h.server.port}/healthz`)).status).toBe(200);
    });
  });

  it('keeps the first load within 350 KB of gzipped JavaScript', () => {
    const { js } = firstLoad();
    const gz = js.reduce((n, f) => n + gzipSync(readFileSync(path.join(WEB, f)), { level: 9 }).length, 0);
    console.log(`web: first-load JavaScript ${js.length} file(s), ${(gz / 1024).toFixed(1)} KiB gzipped`);
    expect(gz).toBeLessThanOrEqual(350 * 1024);
  });
});
