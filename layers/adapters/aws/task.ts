import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { z, ZodError, ZodTypeAny } from 'zod';
import { InvalidTaskInput, OWN_ERROR_NAMES, TransientError } from '../../common/errors';
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
      throw withoutForeignMessage(asTransientWhenRetryable(error));
    }
  };
  return middy(core)
    .use(injectLambdaContext(logger, { clearState: true, resetKeys: true }))
    .use(publishMetrics())
    .use(captureLambdaHandler(tracer, { captureResponse: false }));
}

/**
 * An error as a task throws it to Step Functions: retryable SDK errors as TransientError, a foreign message
 * withheld. A task that answers for several objects (IngestBatch) classifies each object's error with it.
 */
export function asTaskError(error: unknown): Error {
  return withoutForeignMessage(asTransientWhenRetryable(error)) as Error;
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

/**
 * What a failed task hands to Lambda and Step Functions, both of which write it to CloudWatch Logs (the
 * per-object workflows log their failures with execution data): hilum's own errors and the AWS SDK's
 * service errors as thrown; any other error keeps its name (what Retry and Catch match), its code and its
 * stack frames, but not its message, which a library may have written with a value it was reading (a
 * parser quoting an attribute, a path with a name in it).
 */
export function withoutForeignMessage(error: unknown): unknown {
  if (!(error instanceof Error)) return new Error('a task threw a value that is not an Error');
  if (OWN_ERROR_NAMES.has(error.name) || '$metadata' in error) return error;
  const code = (error as { code?: unknown }).code;
  const withheld = new Error(`message withheld: ${error.name}${typeof code === 'string' ? ` (${code})` : ''} was raised outside hilum`);
  withheld.name = error.name;
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  withheld.stack = [`${error.name}: ${withheld.message}`, ...frames].join('\n');
  return withheld;
}
