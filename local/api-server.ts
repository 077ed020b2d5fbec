import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ServedRoute as Route } from '../functions/registry';
import { JWKS_PATH } from './auth/local-issuer';
import { LOCAL_ACCOUNT } from './template/names';
import { listenOnLoopback } from './listen';
import { CORS_ALLOW_HEADERS, CORS_MAX_AGE_SECONDS } from '../layers/common/cors';

/**
 * The REST API on localhost: matches the route table (API Gateway path templates),
 * builds API Gateway REST (v1) proxy events, invokes the route's function and writes
 * its proxy result. Tokens are not checked here: the handlers verify them, as they
 * do behind API Gateway. Also serves the local issuer's JWKS.
 */

export interface ApiServerOptions {
  readonly routes: readonly Route[];
  /** Invokes the function of a route with the proxy event; resolves to its result. */
  readonly invoke: (route: Route, event: APIGatewayProxyEvent) => Promise<unknown>;
  readonly jwks: () => Promise<unknown>;
  readonly port?: number;
  readonly log?: (message: string) => void;
  /** Largest accepted body (API Gateway's limit is 10 MB). */
  readonly maxBodyBytes?: number;
  /** Origins whose CORS preflights are answered, as API Gateway does with context `apiOrigins`; default none. */
  readonly corsOrigins?: readonly string[];
  /** The portal's static site (local/portal/site.ts), tried before the routes; it answers true when it handled the request. */
  readonly site?: (req: http.IncomingMessage, url: URL, body: Buffer, res: http.ServerResponse) => Promise<boolean>;
}

export interface ApiServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

interface CompiledRoute {
  readonly route: Route;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

/** `/submissions/{submissionId}` → a regex with one group per parameter (`{name+}` is greedy). */
export function compileRoute(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const m = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment);
      if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1] as string);
      return m[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}/?$`), names };
}

export function matchRoute(
  compiled: readonly CompiledRoute[],
  method: string,
  path: string,
): { route: Route; pathParameters: Record<string, string> } | { allowed: string[] } | undefined {
  const allowed: string[] = [];
  for (const c of compiled) {
    const m = c.pattern.exec(path);
    if (!m) continue;
    if (c.route.method !== method) {
      allowed.push(c.route.method);
      continue;
    }
    const pathParameters = dictionary<string>();
    c.names.forEach((name, i) => {
      pathParameters[name] = safeDecode(m[i + 1] ?? '');
    });
    return { route: c.route, pathParameters };
  }
  return allowed.length ? { allowed } : undefined;
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript)|[^;]*\+(json|xml))/i;

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const log = options.log ?? (() => undefined);
  // Static segments win over parameters, as in API Gateway (`/studies/search` before `/studies/{id}`).
  const compiled = options.routes.map(compileRoute).sort((a, b) => a.names.length - b.names.length);
  const maxBody = options.maxBodyBytes ?? 10 * 1024 * 1024;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBody) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) {
        sendJson(res, 413, { message: 'Request Too Long' });
        return;
      }
      handle(req, Buffer.concat(chunks), res).catch((error: unknown) => {
        log(`api: ${req.method ?? '?'} failed before the handler: ${error instanceof Error ? error.name : 'Error'}`);
        if (!res.headersSent) sendJson(res, 500, { message: 'Internal server error' });
        else res.end();
      });
    });
  });

  async function handle(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname === JWKS_PATH && (method === 'GET' || method === 'HEAD')) {
      sendJson(res, 200, await options.jwks(), { 'cache-control': 'max-age=300' });
      return;
    }
    if (options.site && (await options.site(req, url, body, res))) return;
    const match = matchRoute(compiled, method, url.pathname);
    if (!match) {
      sendJson(res, 404, { message: `No route for ${method} ${url.pathname}` });
      return;
    }
    if ('allowed' in match) {
      if (method === 'OPTIONS') {
        // API Gateway has an OPTIONS method only with apiOrigins, and its mock echoes only those.
        const origin = req.headers.origin;
        if (origin && (options.corsOrigins ?? []).includes(origin)) res.writeHead(204, corsHeaders(origin, match.allowed)).end();
        else sendJson(res, 403, { message: 'Missing Authentication Token' });
        return;
      }
      sendJson(res, 405, { message: `Method ${method} not allowed on ${url.pathname}` }, { allow: match.allowed.join(', ') });
      return;
    }
    const event = proxyEvent(req, url, body, match.route, match.pathParameters);
    let result: unknown;
    try {
      result = await options.invoke(match.route, event);
    } catch (error) {
      // API Gateway answers a function error with 502 and no details.
      log(`api: ${match.route.fn} threw ${error instanceof Error ? error.name : 'Error'}`);
      sendJson(res, 502, { message: 'Internal server error' });
      return;
    }
    writeProxyResult(res, result, method === 'HEAD', log);
  }

  const { port, stop } = await listenOnLoopback(server, options.port);
  return { url: `http://127.0.0.1:${port}`, port, stop };
}

function proxyEvent(
  req: http.IncomingMessage,
  url: URL,
  body: Buffer,
  route: Route,
  pathParameters: Record<string, string>,
): APIGatewayProxyEvent {
  // rawHeaders keeps the client's casing, as API Gateway does. Header and query names are
  // the client's: they go into dictionaries without a prototype, so `__proto__` or
  // `constructor` is a key like any other (the event then crosses a JSON boundary, as in AWS).
  const headers = dictionary<string>();
  const multiValueHeaders = dictionary<string[]>();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    const value = req.rawHeaders[i + 1] as string;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query = dictionary<string>();
  const multiQuery = dictionary<string[]>();
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    (multiQuery[k] ??= []).push(v);
  }
  const contentType = String(req.headers['content-type'] ?? '');
  const isText = body.length === 0 || contentType === '' || TEXT_TYPES.test(contentType);
  const method = (req.method ?? 'GET').toUpperCase();
  const requestId = randomUUID();
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const now = new Date();
  return {
    resource: route.path,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: Object.keys(query).length ? query : null,
    multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
    stageVariables: null,
    body: body.length === 0 ? null : isText ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: body.length > 0 && !isText,
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: 'local',
      authorizer: null,
      domainName: String(req.headers.host ?? '127.0.0.1'),
      domainPrefix: '127',
      extendedRequestId: requestId,
      httpMethod: method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp,
        user: null,
        userAgent: req.headers['user-agent'] ?? null,
        userArn: null,
      },
      path: `/local${url.pathname}`,
      protocol: `HTTP/${req.httpVersion}`,
      requestId,
      requestTime: now.toUTCString(),
      requestTimeEpoch: now.getTime(),
      resourceId: 'local',
      resourcePath: route.path,
      stage: 'local',
    },
  };
}

function writeProxyResult(res: http.ServerResponse, result: unknown, head: boolean, log: (m: string) => void): void {
  const r = result as {
    statusCode?: unknown;
    headers?: unknown;
    multiValueHeaders?: unknown;
    body?: unknown;
    isBase64Encoded?: unknown;
  } | null;
  if (!r || typeof r !== 'object' || typeof r.statusCode !== 'number' || !Number.isInteger(r.statusCode)) {
    log('api: the function returned a malformed proxy response');
    sendJson(res, 502, { message: 'Internal server error' });
    return;
  }
  const headers: Record<string, string | string[]> = {};
  if (r.headers && typeof r.headers === 'object') {
    for (const [k, v] of Object.entries(r.headers as Record<string, unknown>)) headers[k.toLowerCase()] = String(v);
  }
  if (r.multiValueHeaders && typeof r.multiValueHeaders === 'object') {
    for (const [k, v] of Object.entries(r.multiValueHeaders as Record<string, unknown>)) {
      if (Array.isArray(v)) headers[k.toLowerCase()] = v.map(String);
    }
  }
  const body =
    typeof r.body === 'string'
      ? r.isBase64Encoded === true
        ? Buffer.from(r.body, 'base64')
        : Buffer.from(r.body, 'utf8')
      : Buffer.alloc(0);
  headers['content-length'] = String(body.length);
  res.writeHead(r.statusCode, headers);
  res.end(head ? undefined : body);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

function corsHeaders(origin: string, allowed: readonly string[]): Record<string, string> {
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': allowed.join(','),
    'access-control-allow-headers': CORS_ALLOW_HEADERS.join(','),
    'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
    vary: 'Origin',
  };
}

/** A dictionary of client-chosen keys: no prototype, so no key is inherited or special. */
function dictionary<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
