import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { z, ZodError, ZodTypeAny } from 'zod';
import { InvalidTaskInput, TransientError } from '../../common/errors';
import { logger, publishMetrics, tracer } from './powertools';

/**
 * The one way a workflow task is written: its input is validated against the
 * state's contract, and errors keep their `name`, which Retry and Catch match.
 */
export function taskHandler<S extends ZodTypeAny, R>(input: S, handle: (input: z.infer<S>, context: Context) => Promise<R>) {
  const core = async (event: unknown, context: Context): Promise<R> => {
    let parsed: z.infer<S>;
    try {
      parsed = input.parse(event);
    } catch (error) {
      if (error instanceof ZodError) {
        throw new InvalidTaskInput(
          `task input does not match its contract: ${error.issues.map((i) => i.path.join('.') || '(root)').join(', ')}`,
        );
      }
      throw error;
    }
    try {
      return await handle(parsed, context);
    } catch (error) {
      throw asTransientWhenRetryable(error);
    }
  };
  return middy(core)
    .use(injectLambdaContext(logger, { clearState: true, resetKeys: true }))
    .use(publishMetrics())
    .use(captureLambdaHandler(tracer, { captureResponse: false }));
}

/**
 * AWS SDK errors the SDK itself calls retryable (throttling, 5xx) become
 * TransientError, the name the workflows' Retry matches, so a slow S3 or a busy
 * table delays a file instead of quarantining it.
 */
function asTransientWhenRetryable(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof TransientError) return error;
  const sdk = error as Error & { $retryable?: unknown; $fault?: string; $metadata?: { httpStatusCode?: number } };
  const status = sdk.$metadata?.httpStatusCode;
  if (sdk.$retryable || sdk.$fault === 'server' || status === 429 || (status !== undefined && status >= 500)) {
    return new TransientError(`${error.name} (retryable)`);
  }
  return error;
}
