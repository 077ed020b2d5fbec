import { createReadStream, promises as fs } from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import { acceptsLocalSignIn, LOCAL_TOKEN_PATH, localTokenRequest } from './local-token';

/**
 * The built portal served by the local commons beside the API, on the same origin: its
 * assets, `index.html` for page navigations (the single-page app's routes), the generated
 * `/portal-config.json`, and the local sign-in (`POST /local/token`, local mode only: the
 * AWS API has no such route). Page navigations are told from API calls by what browsers
 * send: a navigation asks for text/html and carries no Authorization header, while the
 * portal's and every client's API calls carry a bearer token.
 */

export interface PortalSiteOptions {
  /** The built portal (`web/dist`). */
  readonly distDir: string;
  /** The key the role picker must present (printed in the portal's URL fragment). */
  readonly signInKey: string;
  readonly issueToken: (groups: readonly string[], username: string) => Promise<string>;
  /** Where browsers upload to and download from (presigned URLs): allowed by the page's CSP. */
  readonly s3Endpoint?: () => string | undefined;
}

export type PortalSite = (req: http.IncomingMessage, url: URL, body: Buffer, res: http.ServerResponse) => Promise<boolean>;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.ico': 'image/x-icon',
};

export function portalSite(options: PortalSiteOptions): PortalSite {
  const dist = path.resolve(options.distDir);
  return async (req, url, body, res) => {
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname === LOCAL_TOKEN_PATH && method === 'POST') {
      const refusal = acceptsLocalSignIn(req.headers, options.signInKey);
      if (refusal) return sendJson(res, refusal.status, { message: refusal.message });
      const parsed = localTokenRequest(body);
      if ('message' in parsed) return sendJson(res, 400, parsed);
      return sendJson(res, 200, { token: await options.issueToken(parsed.groups, parsed.username) }, { 'cache-control': 'no-store' });
    }
    if (method !== 'GET' && method !== 'HEAD') return false;
    if (url.pathname === '/portal-config.json') {
      // Same origin as the API locally: an empty apiUrl makes the portal call relative paths.
      return sendJson(res, 200, { apiUrl: '', mode: 'local' }, { 'cache-control': 'no-store' });
    }
    if (url.pathname.startsWith('/assets/')) {
      const file = path.join(dist, path.normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, ''));
      if (!file.startsWith(`${dist}${path.sep}`)) return false;
      // Hashed names: a file never changes under its name.
      return sendFile(res, file, method, { 'cache-control': 'public, max-age=31536000, immutable' });
    }
    if (!isPageRequest(url.pathname, req.headers)) return false;
    return sendFile(res, path.join(dist, 'index.html'), method, {
      'cache-control': 'no-cache',
      'content-security-policy': contentSecurityPolicy(options.s3Endpoint?.()),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
  };
}

/**
 * Whether a GET is for the portal's page rather than the API: a browser's navigation asks for
 * text/html and carries no Authorization header; the root (and `/index.html`), where the API has no
 * route, is the page for any client without a token (`curl http://127.0.0.1:3000/` gets the portal,
 * not "No route for GET /").
 */
export function isPageRequest(pathname: string, headers: { readonly authorization?: string; readonly accept?: string }): boolean {
  if (headers.authorization) return false;
  return pathname === '/' || pathname === '/index.html' || String(headers.accept ?? '').includes('text/html');
}

/** The page's CSP locally; CloudFront's response headers policy sets the AWS one (infra/constructs/portal.ts). */
export function contentSecurityPolicy(s3Endpoint?: string): string {
  const connect = ["'self'", ...(s3Endpoint ? [s3Endpoint] : [])].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src ${connect}`,
    "worker-src 'self' blob:",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

async function sendFile(res: http.ServerResponse, file: string, method: string, headers: Record<string, string>): Promise<boolean> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat?.isFile()) return false;
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': String(stat.size),
    ...headers,
  });
  if (method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
  return true;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): true {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...extra });
  res.end(text);
  return true;
}
