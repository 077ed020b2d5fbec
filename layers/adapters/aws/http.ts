import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { z, ZodError, ZodTypeAny } from 'zod';
import { authenticate } from './token-verifier';
import type { Caller, Role } from '../../access/caller';
import { BadRequest, Forbidden, HttpError, Unauthorized } from '../../common/errors';
import { logger, publishMetrics, tracer } from './powertools';
import { authorizeRoute, routeKey, type Level } from '../../access';
import { RequestAudit, auditSink } from './request-audit';
import { ConfigurationError } from '../../common/config';
import { InvalidPageCursor, type CursorBinding, type PageCursorSealer } from '../../common/page-cursors';
import { corsHeaders, parseOrigins } from '../../common/cors';
import { ENV } from '../../common/env-names';
import { operationOutcomeOf, type DrsErrorBody, type ErrorBody } from '../../common/error-bodies';

/**
 * The one way an API handler is written: authenticate, let the authorization
 * module (layers/access) gate the route by the caller's roles, validate the path,
 * query and body with zod, call the route's logic, shape the answer, and append
 * the access decision (and what the handler recorded) to the audit log. A 5xx
 * never carries internals to the caller.
 */
export interface HttpRequest<B, P, Q> {
  readonly caller: Caller;
  /** How far the caller's roles reach on this route (the matrix cell): all, own records, or downloadable data. */
  readonly access: { readonly level: Level; readonly roles: readonly Role[] };
  /** What the handler decided about resources, and events it wants recorded. */
  readonly audit: RequestAudit;
  readonly body: B;
  readonly path: P;
  readonly query: Q;
  /** Page cursors of this route, caller and query: seal a position to hand out, open one received (invalid: 400). */
  readonly cursors: PageCursors;
  readonly event: APIGatewayProxyEvent;
}

export interface PageCursors {
  seal(position: string): Promise<string>;
  open(cursor: string): Promise<string>;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
  /** A non-JSON body (e.g. Markdown) sent as is; set its content-type in `headers`. */
  readonly text?: string;
  /** A binary body (sent base64-encoded, as API Gateway's binary media types expect); set its content-type. */
  readonly binary?: Uint8Array;
}

export interface RouteSpec<B extends ZodTypeAny, P extends ZodTypeAny, Q extends ZodTypeAny> {
  readonly body?: B;
  readonly path?: P;
  readonly query?: Q;
  /** The error body: hilum's `{message}`, GA4GH DRS's `{msg, status_code}` or FHIR's OperationOutcome. */
  readonly errorShape?: 'hilum' | 'drs' | 'fhir';
  /**
   * Routes that hand out page cursors name the sealer (`pageCursorSealer` of
   * layers/adapters/aws/page-cursor-key.ts), so only their functions need the cursor key.
   */
  readonly pageCursors?: () => Promise<PageCursorSealer>;
  /**
   * The JSON body of an answer, by status, where the route promises one: every such answer is
   * checked against it before it leaves (a mismatch is a 500, never a broken contract), and the
   * OpenAPI document (docs/openapi.json) publishes it.
   */
  readonly responses?: Readonly<Record<number, ZodTypeAny>>;
}

/** What a handler of the chain carries besides itself: the schemas it validates with (the OpenAPI document reads them). */
export interface DescribedHandler {
  readonly routeSpec: RouteSpec<ZodTypeAny, ZodTypeAny, ZodTypeAny>;
}

/** The handler's answer does not match the schema its route promises for that status. */
export class ResponseSchemaMismatch extends Error {
  override readonly name = 'ResponseSchemaMismatch';
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

/** The CORS headers of an answer to this request (none unless its Origin is one the deployment names). */
function corsOf(event: APIGatewayProxyEvent): Record<string, string> {
  const origin = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === 'origin')?.[1];
  return corsHeaders(origin, parseOrigins(process.env[ENV.apiOrigins]));
}

export function httpHandler<
  B extends ZodTypeAny = z.ZodUndefined,
  P extends ZodTypeAny = z.ZodUndefined,
  Q extends ZodTypeAny = z.ZodUndefined,
>(spec: RouteSpec<B, P, Q>, handle: (request: HttpRequest<z.infer<B>, z.infer<P>, z.infer<Q>>) => Promise<HttpResponse>) {
  const core = async (received: APIGatewayProxyEvent, _context: Context): Promise<APIGatewayProxyResult> => {
    const event = withKeyedMapsWithoutPrototype(received);
    const route = routeKey(event.httpMethod ?? '', event.resource ?? '');
    const audit = new RequestAudit(route, event.requestContext?.identity?.sourceIp);
    let status = 500;
    try {
      const caller = await authenticate(event.headers);
      audit.caller = caller;
      const decision = authorizeRoute(caller, event.httpMethod ?? '', event.resource ?? '');
      if (!decision.allowed) throw new Forbidden(decision.reason);
      const body = spec.body ? parse(spec.body, parseJsonBody(event), 'body') : undefined;
      const path = spec.path ? parse(spec.path, event.pathParameters ?? {}, 'path') : undefined;
      const query = spec.query ? parse(spec.query, event.queryStringParameters ?? {}, 'query') : undefined;
      const cursors = pageCursors(spec.pageCursors, {
        route,
        subject: caller.subject,
        query: { path, query: withoutPaging(query), body: withoutPaging(body) },
      });
      const response = await handle({
        caller,
        access: { level: decision.level, roles: decision.roles },
        audit,
        body,
        path,
        query,
        cursors,
        event,
      });
      status = response.statusCode;
      checkPromisedBody(spec.responses, response);
      const headers = { ...JSON_HEADERS, ...response.headers, ...corsOf(event) };
      if (response.binary) {
        return {
          statusCode: response.statusCode,
          headers,
          body: Buffer.from(response.binary.buffer, response.binary.byteOffset, response.binary.byteLength).toString('base64'),
          isBase64Encoded: true,
        };
      }
      return { statusCode: response.statusCode, headers, body: response.text ?? JSON.stringify(response.body) };
    } catch (error) {
      status = error instanceof HttpError ? error.statusCode : 500;
      if (error instanceof Unauthorized || error instanceof Forbidden) audit.denyUnlessExplained(error.name);
      throw error;
    } finally {
      // Every decision is recorded, allowed or denied; a decision that cannot be recorded is not served.
      await auditSink().flush(audit, status);
    }
  };
  const shapeError = errorShaper(spec.errorShape ?? 'hilum');
  const chain = middy(core)
    .use(injectLambdaContext(logger, { clearState: true, resetKeys: true }))
    .use(publishMetrics())
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use({ onError: shapeError });
  return Object.assign(chain, { routeSpec: spec } satisfies DescribedHandler);
}

/** A JSON answer whose status has a promised schema must match it; the status, never the values, is logged. */
function checkPromisedBody(responses: RouteSpec<ZodTypeAny, ZodTypeAny, ZodTypeAny>['responses'], response: HttpResponse): void {
  const schema = responses?.[response.statusCode];
  if (!schema || response.text !== undefined || response.binary) return;
  if (!schema.safeParse(response.body).success) {
    logger.error('answer does not match its documented schema', { status: response.statusCode });
    throw new ResponseSchemaMismatch(`the ${response.statusCode} answer does not match its documented schema`);
  }
}

/**
 * Header, query and path names are the client's. Copied into dictionaries without a
 * prototype, a name such as `constructor` or `__proto__` is an ordinary key for every
 * lookup a handler makes (`event.headers[name]`), never a member of Object.prototype.
 */
function withKeyedMapsWithoutPrototype(event: APIGatewayProxyEvent): APIGatewayProxyEvent {
  return {
    ...event,
    headers: dictionaryOf(event.headers ?? {}),
    multiValueHeaders: dictionaryOf(event.multiValueHeaders ?? {}),
    queryStringParameters: event.queryStringParameters ? dictionaryOf(event.queryStringParameters) : null,
    multiValueQueryStringParameters: event.multiValueQueryStringParameters ? dictionaryOf(event.multiValueQueryStringParameters) : null,
    pathParameters: event.pathParameters ? dictionaryOf(event.pathParameters) : null,
  };
}

function dictionaryOf<T>(source: Record<string, T>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [key, value] of Object.entries(source)) out[key] = value;
  return out;
}

/** Cursors bound to what the request pages; the key is read on the first use only. */
function pageCursors(source: (() => Promise<PageCursorSealer>) | undefined, binding: CursorBinding): PageCursors {
  const sealer = async () => {
    if (!source) throw new ConfigurationError('this route declares no page cursors (RouteSpec.pageCursors)');
    return source();
  };
  return {
    async seal(position) {
      return (await sealer()).seal(position, binding);
    },
    async open(cursor) {
      const opened = await sealer();
      try {
        return opened.open(cursor, binding);
      } catch (error) {
        if (error instanceof InvalidPageCursor) throw new BadRequest(error.message);
        throw error;
      }
    },
  };
}

/** A query or body without its page (`cursor`, `limit`): the next page of the same query keeps its cursor valid. */
function withoutPaging(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const { cursor: _cursor, limit: _limit, ...rest } = value as Record<string, unknown>;
  return rest;
}

function parseJsonBody(event: APIGatewayProxyEvent): unknown {
  if (event.body === null || event.body === undefined || event.body === '') return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest('the request body is not valid JSON');
  }
}

function parse<S extends ZodTypeAny>(schema: S, value: unknown, where: string): z.infer<S> {
  try {
    return schema.parse(value);
  } catch (error) {
    if (error instanceof ZodError) {
      const issues = error.issues.map((issue) => ({ field: [where, ...issue.path].join('.'), message: issue.message }));
      throw new BadRequest(`invalid ${where}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, issues);
    }
    throw error;
  }
}

function errorShaper(shape: 'hilum' | 'drs' | 'fhir') {
  const headers = shape === 'fhir' ? { ...JSON_HEADERS, 'content-type': 'application/fhir+json' } : JSON_HEADERS;
  return async (request: middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult>): Promise<APIGatewayProxyResult> => {
    const error = request.error;
    if (error instanceof HttpError && error.statusCode < 500) {
      logger.info('request refused', { status: error.statusCode, error: error.name });
      request.response = {
        statusCode: error.statusCode,
        headers: { ...headers, ...corsOf(request.event) },
        body: JSON.stringify(
          shape === 'fhir'
            ? operationOutcomeOf(error.statusCode, error.message)
            : shape === 'drs'
              ? ({ msg: error.message, status_code: error.statusCode } satisfies DrsErrorBody)
              : ({
                  message: error.message,
                  ...(error.details ? { details: error.details as ErrorBody['details'] } : {}),
                } satisfies ErrorBody),
        ),
      };
    } else {
      logger.error('request failed', { error: error?.name });
      request.response = {
        statusCode: 500,
        headers: { ...headers, ...corsOf(request.event) },
        body: JSON.stringify(
          shape === 'fhir'
            ? operationOutcomeOf(500, `internal error (request ${request.context.awsRequestId})`)
            : shape === 'drs'
              ? ({ msg: 'internal error', status_code: 500 } satisfies DrsErrorBody)
              : ({ message: 'internal error', requestId: request.context.awsRequestId } satisfies ErrorBody),
        ),
      };
    }
    return request.response;
  };
}
