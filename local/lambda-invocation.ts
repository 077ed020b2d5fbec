import type { Context } from 'aws-lambda';
import { withFunctionVariables } from './environment';
import { resolveImportOnlyPackages } from './import-only-packages';
import type { LocalFunction } from './template/local-model';

/**
 * What one Lambda invocation is made of, shared by the two places a local handler runs: the
 * commons' own thread (local/lambda-host.ts) and a function worker thread
 * (local/function-worker-main.ts). Both import a handler module the same way, give it the same
 * context and report its errors with the same names.
 */

export type Handler = (event: unknown, context: Context) => unknown;

/** Loads a handler module; tests inject handlers with one. */
export type HandlerLoader = (fn: LocalFunction, absolutePath: string) => Handler;

export class LambdaInvocationError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/** The Lambda error names of a handler that could not be loaded: its invocation never ran. */
export const IMPORT_ERRORS: ReadonlySet<string> = new Set(['Runtime.ImportModuleError', 'Runtime.HandlerNotFound']);

/**
 * The default loader: the module's `handler` export, required with the function's own variables set (handlers read
 * their configuration at module scope). Tests that wrap one function's handler load the rest with it.
 */
export const requireHandler: HandlerLoader = (fn, absolutePath) =>
  withFunctionVariables(fn, () => {
    // The runtime runs under tsx or jest (@swc/jest): both let require() load .ts modules.
    resolveImportOnlyPackages();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(absolutePath) as { handler?: unknown }).handler as Handler;
  });

/**
 * Imports the handler of `fn` from `absolutePath` as a Lambda runtime does at init (`load`, default requireHandler).
 * Throws `Runtime.ImportModuleError` or `Runtime.HandlerNotFound`.
 */
export function importHandler(fn: LocalFunction, absolutePath: string, load: HandlerLoader = requireHandler): Handler {
  let handler: unknown;
  try {
    handler = load(fn, absolutePath);
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new LambdaInvocationError('Runtime.ImportModuleError', `cannot import ${fn.entry} for ${fn.id}: ${reason}`);
  }
  if (typeof handler !== 'function') {
    throw new LambdaInvocationError('Runtime.HandlerNotFound', `${fn.entry} does not export a function named handler`);
  }
  return handler as Handler;
}

/** The name Step Functions' Retry/Catch match for a thrown value. */
export function errorName(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor.name || 'Error';
  return 'Error';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What Lambda puts in Step Functions' `Cause` for a function error. */
export function lambdaCause(errorType: string, errorMessage: string): string {
  return JSON.stringify({ errorType, errorMessage });
}

/** The JSON text of a handler's answer, as Lambda serializes it (nothing returned: `null`). */
export function jsonText(value: unknown): string {
  return value === undefined ? 'null' : (JSON.stringify(value) ?? 'null');
}

export function lambdaContext(fn: LocalFunction, requestId: string, deadline: number): Context {
  const unsupported = () => {
    throw new Error('callback-style context methods are not supported; return or throw from an async handler');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.arn,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: `local/[$LATEST]${requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
