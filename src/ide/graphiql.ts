import { readFileSync } from 'node:fs';
import path from 'node:path';
import type http from 'node:http';
import { gzipSync } from 'node:zlib';

/** Where the IDE's files are served: below /graphql, so the IDE claims no other path. */
export const IDE_ASSET_PATH = '/graphql/ide/';

/**
 * GraphiQL served by the API itself, from npm packages: graphiql 4 (its last release with prebuilt browser bundles;
 * graphiql 5 ships ES modules and Monaco workers for a bundler) on React 18's UMD builds, and graphql-ws's browser
 * bundle for subscriptions. Nothing is loaded from another host (the page's Content-Security-Policy forbids it), and
 * the page holds no token or configuration: the user pastes a token into the Headers editor.
 */
const ASSETS: Record<string, { module: string; type: string }> = {
  'react.js': { module: 'react/umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.js': { module: 'react-dom/umd/react-dom.production.min.js', type: 'text/javascript' },
  'graphiql.js': { module: 'graphiql/graphiql.min.js', type: 'text/javascript' },
  'graphiql.css': { module: 'graphiql/graphiql.min.css', type: 'text/css' },
  'graphql-ws.js': { module: 'graphql-ws/umd/graphql-ws.min.js', type: 'text/javascript' },
};

const DEFAULT_QUERY = `# Log in (demo users: demo_growth, demo_value, demo_balanced; password demo123), then put
#   { "Authorization": "Bearer <token>" }
# into the Headers editor below. Subscriptions run over graphql-ws with the same header.
mutation Login {
  login(input: { usernameOrEmail: "demo_balanced", password: "demo123" }) { token }
}

query Portfolios {
  portfolios { id name totals { marketValue unrealizedPnl netDelta } }
}
`;

/** Runs in the browser: GraphiQL with a fetcher for HTTP POST and graphql-ws, both sending the edited headers. */
const INIT = `(function () {
  var url = location.origin + '/graphql';
  var wsUrl = url.replace(/^http/, 'ws');
  var sockets = {};
  function socket(authorization) {
    var key = authorization || '';
    if (!sockets[key]) {
      sockets[key] = graphqlWs.createClient({
        url: wsUrl, lazy: true, retryAttempts: 0,
        connectionParams: authorization ? { authorization: authorization } : {},
      });
    }
    return sockets[key];
  }
  function header(headers, name) {
    for (var k in headers || {}) if (k.toLowerCase() === name) return headers[k];
    return undefined;
  }
  // The operation's type from the text itself (the editor's parsed document can lag behind a click): the top-level
  // definitions, comments and strings skipped, the one named operationName or else the first.
  function operationOf(params) {
    var src = (params.query || '').replace(/"""[\\s\\S]*?"""|"(?:\\\\.|[^"\\\\])*"|#[^\\n]*/g, ' ');
    var depth = 0, first = null, re = /[{}]|[_A-Za-z][_0-9A-Za-z]*/g, m, prev = null;
    while ((m = re.exec(src))) {
      var t = m[0];
      if (t === '{') { if (depth === 0 && first === null) first = prev || 'query'; depth++; prev = null; continue; }
      if (t === '}') { depth--; continue; }
      if (depth !== 0) continue;
      if (t === 'query' || t === 'mutation' || t === 'subscription') {
        var name = /\\s*([_A-Za-z][_0-9A-Za-z]*)/y; name.lastIndex = re.lastIndex;
        var n = name.exec(src);
        if (params.operationName && n && n[1] === params.operationName) return t;
        prev = t;
      } else if (t === 'fragment') { prev = 'fragment'; }
    }
    return first === 'fragment' || first === null ? 'query' : first;
  }
  function fetcher(params, opts) {
    var headers = (opts && opts.headers) || {};
    if (operationOf(params) === 'subscription') {
      return socket(header(headers, 'authorization')).iterate(params);
    }
    var sent = { 'content-type': 'application/json', accept: 'application/json' };
    for (var k in headers) sent[k] = headers[k];
    return fetch(url, { method: 'POST', headers: sent, body: JSON.stringify(params) })
      .then(function (r) { return r.json(); });
  }
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: ${JSON.stringify(DEFAULT_QUERY)},
    defaultHeaders: '{\\n  "Authorization": "Bearer <token from the login mutation>"\\n}',
    defaultEditorToolsVisibility: 'headers',
    isHeadersEditorEnabled: true,
  }));
})();
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Strategy Graph — GraphiQL</title>
<link rel="stylesheet" href="${IDE_ASSET_PATH}graphiql.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="${IDE_ASSET_PATH}react.js"></script>
<script src="${IDE_ASSET_PATH}react-dom.js"></script>
<script src="${IDE_ASSET_PATH}graphiql.js"></script>
<script src="${IDE_ASSET_PATH}graphql-ws.js"></script>
<script src="${IDE_ASSET_PATH}init.js"></script>
</body>
</html>
`;

/** Only this origin's scripts, styles, images and connections (HTTP and WebSocket). */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
}
let assets: Map<string, Asset> | undefined;

function asset(type: string, text: string | Buffer): Asset {
  const body = Buffer.from(text);
  return { type, body, gzip: gzipSync(body) };
}

/** A file of an installed package, found through its package.json (the packages' exports do not list these files). */
function packageFile(spec: string): string {
  const [pkg, ...rest] = spec.split('/');
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), ...rest);
}

/** Read (and compressed) once, on the first request for the IDE. */
function loadAssets(): Map<string, Asset> {
  const m = new Map<string, Asset>();
  for (const [name, a] of Object.entries(ASSETS)) m.set(name, asset(a.type, readFileSync(packageFile(a.module))));
  m.set('init.js', asset('text/javascript', INIT));
  m.set('', asset('text/html; charset=utf-8', PAGE));
  return m;
}

/**
 * Answers GET /graphql from a browser asking for a page (Accept: text/html; GraphQL GET requests of clients ask for
 * JSON) and GET /graphql/ide/<file>; false for anything else.
 */
export function serveIde(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): boolean {
  if (req.method !== 'GET') return false;
  const page = pathname === '/graphql' && (req.headers.accept ?? '').includes('text/html');
  const name = page ? '' : pathname.startsWith(IDE_ASSET_PATH) ? pathname.slice(IDE_ASSET_PATH.length) : null;
  if (name === null) return false;
  assets ??= loadAssets();
  const a = assets.get(name);
  if (!a) return false;
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? a.gzip : a.body;
  res.writeHead(200, {
    'content-type': a.type,
    'content-length': body.length,
    'cache-control': name ? 'public, max-age=3600' : 'no-store',
    'x-content-type-options': 'nosniff',
    vary: 'accept-encoding',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    ...(name ? {} : { 'content-security-policy': CSP, 'referrer-policy': 'no-referrer' }),
  });
  res.end(body);
  return true;
}
