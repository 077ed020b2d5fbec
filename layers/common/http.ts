import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { z, ZodError, ZodTypeAny } from 'zod';
import { authenticate, Caller, requireAnyRole, Role } from './auth';
import { BadRequest, HttpError } from './errors';
import { logger, publishMetrics, tracer } from './powertools';

/**
 * The one way an API handler is written: authenticate, check roles, validate the
 * path, query and body with zod, call the route's logic, shape JSON. A 5xx never
 * carries internals to the caller.
 */
export interface HttpRequest<B, P, Q> {
  readonly caller: Caller;
  readonly body: B;
  readonly path: P;
  readonly query: Q;
  readonly event: APIGatewayProxyEvent;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
  /** A non-JSON body (e.g. Markdown) sent as is; set its content-type in `headers`. */
  readonly text?: string;
}

export interface RouteSpec<B extends ZodTypeAny, P extends ZodTypeAny, Q extends ZodTypeAny> {
  readonly roles: readonly Role[];
  readonly body?: B;
  readonly path?: P;
  readonly query?: Q;
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

export function httpHandler<
  B extends ZodTypeAny = z.ZodUndefined,
  P extends ZodTypeAny = z.ZodUndefined,
  Q extends ZodTypeAny = z.ZodUndefined,
>(
  spec: RouteSpec<B, P, Q>,
  handle: (request: HttpRequest<z.infer<B>, z.infer<P>, z.infer<Q>>) => Promise<HttpResponse>,
) {
  const core = async (event: APIGatewayProxyEvent, _context: Context): Promise<APIGatewayProxyResult> => {
    const caller = await authenticate(event.headers);
    requireAnyRole(caller, spec.roles);
    const body = spec.body ? parse(spec.body, parseJsonBody(event), 'body') : undefined;
    const path = spec.path ? parse(spec.path, event.pathParameters ?? {}, 'path') : undefined;
    const query = spec.query ? parse(spec.query, event.queryStringParameters ?? {}, 'query') : undefined;
    const response = await handle({ caller, body, path, query, event });
    return { statusCode: response.statusCode, headers: { ...JSON_HEADERS, ...response.headers }, body: response.text ?? JSON.stringify(response.body) };
  };
  return middy(core)
    .use(injectLambdaContext(logger, { clearState: true, resetKeys: true }))
    .use(publishMetrics())
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use({ onError: shapeError });
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

async function shapeError(request: middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult>): Promise<APIGatewayProxyResult> {
  const error = request.error;
  if (error instanceof HttpError && error.statusCode < 500) {
    logger.info('request refused', { status: error.statusCode, error: error.name });
    request.response = {
      statusCode: error.statusCode,
      headers: JSON_HEADERS,
      body: JSON.stringify({ message: error.message, ...(error.details ? { details: error.details } : {}) }),
    };
  } else {
    logger.error('request failed', { error: error?.name });
    request.response = {
      statusCode: 500,
      headers: JSON_HEADERS,
      body: JSON.stringify({ message: 'internal error', requestId: request.context.awsRequestId }),
    };
  }
  return request.response;
}
