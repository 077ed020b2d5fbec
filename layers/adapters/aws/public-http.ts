import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { ErrorBody } from '../../common/error-bodies';
import { logger } from './powertools';

/**
 * The chain of the public routes (layers/access/public-routes.ts): no token, no audit record,
 * no table, so nothing here may serve data. The answer is JSON any page may read (no
 * credentials are involved, so `*` reveals nothing a direct request would not).
 */
export interface PublicAnswer {
  readonly statusCode: number;
  readonly body: unknown;
  /** Seconds a client or a cache may keep it. */
  readonly maxAgeSeconds: number;
}

export function publicHandler(answer: (event: APIGatewayProxyEvent) => Promise<PublicAnswer>) {
  const core = async (event: APIGatewayProxyEvent, _context: Context): Promise<APIGatewayProxyResult> => {
    let result: PublicAnswer;
    try {
      result = await answer(event);
    } catch (error) {
      logger.error('public route failed', { error: error instanceof Error ? error.name : 'Error' });
      result = { statusCode: 500, body: { message: 'internal error' } satisfies ErrorBody, maxAgeSeconds: 0 };
    }
    return {
      statusCode: result.statusCode,
      headers: {
        'content-type': 'application/json',
        'cache-control': result.maxAgeSeconds > 0 ? `public, max-age=${result.maxAgeSeconds}` : 'no-store',
        'access-control-allow-origin': '*',
      },
      body: JSON.stringify(result.body),
    };
  };
  return middy(core).use(injectLambdaContext(logger, { clearState: true, resetKeys: true }));
}
