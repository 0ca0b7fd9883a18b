import { createReadStream, existsSync, statSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { PROJECT_ROOT } from './paths';

/** Where `npm run build:web` puts the portfolio screen (src/web/). */
export const WEB_ROOT = path.join(PROJECT_ROOT, 'dist', 'web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
};

/**
 * Serves the built web app (WEB_APP=true): GET / is its index.html, GET /assets/… its hashed files (cached for a
 * year). Answers false for any other path, so the caller's routes (/graphql, /healthz, …) are untouched.
 */
export function serveWebApp(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  pathname: string,
  root = WEB_ROOT,
): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const isIndex = pathname === '/' || pathname === '/index.html';
  if (!isIndex && !pathname.startsWith('/assets/') && pathname !== '/favicon.svg') return false;
  const file = path.join(
    root,
    isIndex ? 'index.html' : path.normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, ''),
  );
  if (!file.startsWith(root + path.sep)) return false;
  if (!existsSync(file) || !statSync(file).isFile()) {
    if (!isIndex) return false;
    const body = 'The web app is not built: run "npm run build" (or start with "npm start", which builds it).\n';
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return true;
  }
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': statSync(file).size,
    'cache-control': isIndex ? 'no-cache' : 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
  return true;
}
