import type http from 'node:http';

/** What a browser on an allowed origin may send: JSON bodies and a bearer token. Nothing else is exposed. */
const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const ALLOWED_HEADERS = 'content-type, authorization';

/** The allowed origins from CORS_ORIGINS: exact origins, or `*` for any (refused in production by the config). */
export class CorsPolicy {
  private readonly any: boolean;
  private readonly origins: Set<string>;

  constructor(list: readonly string[]) {
    this.any = list.includes('*');
    this.origins = new Set(list);
  }

  allows(origin: string | undefined): boolean {
    return !!origin && (this.any || this.origins.has(origin));
  }

  /**
   * Sets the CORS headers of an allowed origin's request; for a preflight (OPTIONS) answers it, and returns true.
   * An origin not listed gets no CORS headers, so its browser withholds the answer.
   */
  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const origin = req.headers.origin;
    res.setHeader('vary', 'origin');
    const allowed = this.allows(origin);
    if (allowed) res.setHeader('access-control-allow-origin', origin!);
    if (req.method !== 'OPTIONS') return false;
    if (allowed && req.headers['access-control-request-method']) {
      res.setHeader('access-control-allow-methods', ALLOWED_METHODS);
      res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
      res.setHeader('access-control-max-age', '600');
    }
    res.setHeader('allow', ALLOWED_METHODS);
    res.writeHead(204).end();
    return true;
  }

  /**
   * A WebSocket upgrade: browsers always send Origin, other clients usually none. Allowed: no Origin (not a
   * browser), the API's own origin (its IDE), or a listed one.
   */
  allowsUpgrade(req: http.IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (!origin) return true;
    if (this.allows(origin)) return true;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }
}

/** Parses CORS_ORIGINS: comma-separated origins (`https://app.example.com`, `http://localhost:5173`) or `*`. */
export function parseOrigins(raw: string): { origins: string[]; problem?: string } {
  const origins = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const o of origins) {
    if (o === '*') continue;
    let parsed: URL;
    try {
      parsed = new URL(o);
    } catch {
      return { origins, problem: `"${o}" is not an origin (scheme://host[:port])` };
    }
    if (!/^https?:$/.test(parsed.protocol) || parsed.origin !== o) {
      return { origins, problem: `"${o}" is not an origin (scheme://host[:port], no path or trailing slash)` };
    }
  }
  return { origins };
}
