import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { Context } from 'aws-lambda';
import { withFunctionVariables } from './environment';
import { resolveImportOnlyPackages } from './import-only-packages';
import type { LocalFunction } from './template/local-model';
import type { UsageMeter } from './usage-meter';

/**
 * Runs the real Lambda handlers in this process. Each handler module is imported
 * lazily, on its first invocation, after the environment has been set (handlers read
 * their configuration at module scope). Invocations cross a JSON boundary both ways,
 * as they do in Lambda, and a thrown error keeps its `name` (what Step Functions
 * Retry/Catch match) with a Lambda-shaped `{errorType, errorMessage}` cause.
 */

export type Handler = (event: unknown, context: Context) => unknown;

export class LambdaInvocationError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

export class FunctionNotFoundError extends Error {
  override readonly name = 'Lambda.ResourceNotFoundException';
}

export interface LambdaHostOptions {
  readonly functions: ReadonlyMap<string, LocalFunction>;
  /** Repository root the `hilum:entry` paths are relative to. */
  readonly repoRoot?: string;
  readonly log?: (message: string) => void;
  /** Module loader; tests inject handlers here. Defaults to `require` of the entry. */
  readonly load?: (fn: LocalFunction, absolutePath: string) => Handler;
  /** Counts each invocation with its duration and the function's memory (bench cost). */
  readonly meter?: UsageMeter;
}

export interface InvokeResult {
  readonly payload: unknown;
  readonly requestId: string;
  readonly durationMs: number;
}

export class LambdaHost {
  private readonly byKey = new Map<string, LocalFunction>();
  private readonly handlers = new Map<string, Handler>();
  private readonly repoRoot: string;
  private readonly log: (message: string) => void;

  constructor(private readonly options: LambdaHostOptions) {
    this.repoRoot = options.repoRoot ?? path.resolve(__dirname, '..');
    this.log = options.log ?? (() => undefined);
    for (const fn of options.functions.values()) {
      // A function may be named by registry id, name, ARN or versioned/aliased ARN.
      for (const key of [fn.id, fn.name, fn.arn]) this.byKey.set(key, fn);
    }
  }

  /** The function for a registry id, a function name or (qualified) ARN. */
  find(idNameOrArn: string): LocalFunction | undefined {
    const exact = this.byKey.get(idNameOrArn);
    if (exact) return exact;
    const unqualified = idNameOrArn.replace(/^(arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+):[^:]+$/, '$1');
    return this.byKey.get(unqualified);
  }

  private handlerOf(fn: LocalFunction): Handler {
    const cached = this.handlers.get(fn.id);
    if (cached) return cached;
    const absolutePath = path.resolve(this.repoRoot, fn.entry);
    let handler: unknown;
    try {
      handler = this.options.load
        ? this.options.load(fn, absolutePath)
        : withFunctionVariables(fn, () => {
            // The runtime runs under tsx or jest (@swc/jest): both let require() load .ts modules.
            resolveImportOnlyPackages();
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            return (require(absolutePath) as { handler?: unknown }).handler;
          });
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new LambdaInvocationError('Runtime.ImportModuleError', `cannot import ${fn.entry} for ${fn.id}: ${reason}`);
    }
    if (typeof handler !== 'function') {
      throw new LambdaInvocationError('Runtime.HandlerNotFound', `${fn.entry} does not export a function named handler`);
    }
    this.handlers.set(fn.id, handler as Handler);
    return handler as Handler;
  }

  /**
   * Invokes a function as Lambda would (RequestResponse). Resolves to the JSON result;
   * rejects with an error whose `name` is the handler error's name (or `Sandbox.Timedout`).
   */
  async invoke(idNameOrArn: string, event: unknown): Promise<InvokeResult> {
    const fn = this.find(idNameOrArn);
    if (!fn) throw new FunctionNotFoundError(`Function not found: ${idNameOrArn}`);
    const requestId = randomUUID();
    const started = Date.now();
    const deadline = started + fn.timeoutSeconds * 1000;
    const context = lambdaContext(fn, requestId, deadline);
    const handler = this.handlerOf(fn);
    const input = jsonRoundTrip(event);

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new LambdaInvocationError(
              'Sandbox.Timedout',
              lambdaCause('Sandbox.Timedout', `Task timed out after ${fn.timeoutSeconds}.00 seconds`),
            ),
          ),
        fn.timeoutSeconds * 1000,
      );
    });
    try {
      const result = await Promise.race([Promise.resolve().then(() => handler(input, context)), timeout]);
      return { payload: result === undefined ? null : jsonRoundTrip(result), requestId, durationMs: Date.now() - started };
    } catch (error) {
      if (error instanceof LambdaInvocationError) throw error;
      const name = errorName(error);
      this.log(`lambda ${fn.id} failed: ${name} (request ${requestId})`);
      throw new LambdaInvocationError(name, lambdaCause(name, error instanceof Error ? error.message : String(error)));
    } finally {
      clearTimeout(timer);
      this.options.meter?.lambdaInvocation(fn.id, fn.memoryMb, Date.now() - started);
    }
  }
}

function errorName(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor.name || 'Error';
  return 'Error';
}

/** What Lambda puts in Step Functions' `Cause` for a function error. */
function lambdaCause(errorType: string, errorMessage: string): string {
  return JSON.stringify({ errorType, errorMessage });
}

function jsonRoundTrip(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

function lambdaContext(fn: LocalFunction, requestId: string, deadline: number): Context {
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
