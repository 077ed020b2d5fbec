import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { ConcurrencyGate } from './concurrency-gate';
import { intakeEventBytes } from './intake-event-bytes';
import { ObjectBytesGate } from './object-bytes-gate';
import { FunctionWorkerPool, startFunctionWorker, type FunctionWorkerEntry, type InvokeReply, type WorkerThread } from './function-workers';
import {
  errorMessage,
  errorName,
  IMPORT_ERRORS,
  importHandler,
  jsonText,
  lambdaCause,
  lambdaContext,
  LambdaInvocationError,
  type Handler,
  type HandlerLoader,
} from './lambda-invocation';
import type { LocalFunction } from './template/local-model';
import type { UsageMeter } from './usage-meter';

/**
 * Runs the real Lambda handlers: in this thread, or in a pool of worker threads
 * (`functionWorkers`, local/function-workers.ts). Either way each handler module is imported
 * lazily, on its first invocation, after the environment has been set (handlers read their
 * configuration at module scope). Invocations cross a JSON boundary both ways, as they do in
 * Lambda, and a thrown error keeps its `name` (what Step Functions Retry/Catch match) with a
 * Lambda-shaped `{errorType, errorMessage}` cause. The timeout (`Sandbox.Timedout`), the usage
 * meter and the log of failures stay in this thread.
 */

export { LambdaInvocationError, type Handler } from './lambda-invocation';

export class FunctionNotFoundError extends Error {
  override readonly name = 'Lambda.ResourceNotFoundException';
}

export interface LambdaHostOptions {
  readonly functions: ReadonlyMap<string, LocalFunction>;
  /** Repository root the `hilum:entry` paths are relative to. */
  readonly repoRoot?: string;
  readonly log?: (message: string) => void;
  /** Module loader; tests inject handlers here (in-process only). Defaults to `require` of the entry. */
  readonly load?: HandlerLoader;
  /** Counts each invocation with its duration and the function's memory (bench cost). */
  readonly meter?: UsageMeter;
  /** Worker threads to run the handlers in; 0 or absent: this thread. */
  readonly functionWorkers?: number;
  /** Starts one worker thread (tests give stand-ins); default: from `workerEntry`. */
  readonly spawnWorker?: () => WorkerThread;
  /** Where the worker threads start (functionWorkerEntry: the bundle); default: local/function-worker.js, under tsx. */
  readonly workerEntry?: FunctionWorkerEntry;
  /**
   * The intake bytes that invocations whose event names its objects' sizes (an ingest batch's: intakeEventBytes) may
   * hold at once, all functions together (ObjectBytesGate); absent: their reserved concurrency alone gates them.
   */
  readonly objectBytesInFlight?: number;
}

export interface InvokeResult {
  readonly payload: unknown;
  readonly requestId: string;
  readonly durationMs: number;
}

export class LambdaHost {
  private readonly byKey = new Map<string, LocalFunction>();
  private readonly handlers = new Map<string, Handler>();
  private readonly gates = new Map<string, ConcurrencyGate>();
  private readonly bytesGate: ObjectBytesGate | undefined;
  private readonly repoRoot: string;
  private readonly log: (message: string) => void;
  private readonly pool: FunctionWorkerPool | undefined;

  constructor(private readonly options: LambdaHostOptions) {
    this.repoRoot = options.repoRoot ?? path.resolve(__dirname, '..');
    this.log = options.log ?? (() => undefined);
    for (const fn of options.functions.values()) {
      // A function may be named by registry id, name, ARN or versioned/aliased ARN.
      for (const key of [fn.id, fn.name, fn.arn]) this.byKey.set(key, fn);
    }
    this.bytesGate = options.objectBytesInFlight === undefined ? undefined : new ObjectBytesGate(options.objectBytesInFlight);
    const workers = options.functionWorkers ?? 0;
    if (workers > 0) {
      if (options.load) throw new RangeError('injected handlers (load) run in this thread only: use functionWorkers 0');
      const data = { functions: [...new Set(options.functions.values())], repoRoot: this.repoRoot };
      this.pool = new FunctionWorkerPool({
        size: workers,
        spawn: options.spawnWorker ?? (() => startFunctionWorker(data, options.workerEntry)),
        log: this.log,
      });
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
    const handler = importHandler(fn, path.resolve(this.repoRoot, fn.entry), this.options.load);
    this.handlers.set(fn.id, handler);
    return handler;
  }

  /** The handler's JSON answer, run in this thread. */
  private async runHere(fn: LocalFunction, requestId: string, deadline: number, event: unknown): Promise<unknown> {
    const handler = this.handlerOf(fn);
    const input = JSON.parse(jsonText(event)) as unknown;
    const result = await handler(input, lambdaContext(fn, requestId, deadline));
    return JSON.parse(jsonText(result)) as unknown;
  }

  /** The handler's JSON answer, run in a worker thread; its errors come back by name and message. */
  private async runInWorker(pool: FunctionWorkerPool, fn: LocalFunction, requestId: string, deadline: number, event: unknown) {
    const reply: InvokeReply = await pool.invoke({ functionId: fn.id, requestId, deadline, event: jsonText(event) });
    if (reply.ok) return JSON.parse(reply.payload) as unknown;
    if (reply.platform) throw new LambdaInvocationError(reply.name, reply.message);
    throw Object.assign(new Error(reply.message), { name: reply.name });
  }

  /**
   * Invokes a function as Lambda would (RequestResponse). Resolves to the JSON result;
   * rejects with an error whose `name` is the handler error's name (or `Sandbox.Timedout`).
   */
  async invoke(idNameOrArn: string, event: unknown): Promise<InvokeResult> {
    const fn = this.find(idNameOrArn);
    if (!fn) throw new FunctionNotFoundError(`Function not found: ${idNameOrArn}`);
    // Lambda bills, and times out, from the start of the handler: a wait for a reserved place, or for room for its
    // objects' bytes, is neither.
    const leave = await this.gateOf(fn)?.enter();
    let leaveBytes: (() => void) | undefined;
    try {
      const bytes = this.bytesGate ? intakeEventBytes(event) : undefined;
      if (bytes !== undefined) leaveBytes = await this.bytesGate!.enter(bytes);
      return await this.invokeNow(fn, event);
    } finally {
      leaveBytes?.();
      leave?.();
    }
  }

  private gateOf(fn: LocalFunction): ConcurrencyGate | undefined {
    if (fn.reservedConcurrency === undefined) return undefined;
    let gate = this.gates.get(fn.id);
    if (!gate) this.gates.set(fn.id, (gate = new ConcurrencyGate(fn.reservedConcurrency)));
    return gate;
  }

  private async invokeNow(fn: LocalFunction, event: unknown): Promise<InvokeResult> {
    const requestId = randomUUID();
    const started = Date.now();
    const deadline = started + fn.timeoutSeconds * 1000;

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
    let ran = true;
    try {
      const run = this.pool ? this.runInWorker(this.pool, fn, requestId, deadline, event) : this.runHere(fn, requestId, deadline, event);
      const payload = await Promise.race([run, timeout]);
      return { payload, requestId, durationMs: Date.now() - started };
    } catch (error) {
      if (error instanceof LambdaInvocationError) {
        // A handler that cannot be loaded never ran: nothing to count.
        if (IMPORT_ERRORS.has(error.name)) ran = false;
        throw error;
      }
      const name = errorName(error);
      this.log(`lambda ${fn.id} failed: ${name} (request ${requestId})`);
      throw new LambdaInvocationError(name, lambdaCause(name, errorMessage(error)));
    } finally {
      clearTimeout(timer);
      if (ran) this.options.meter?.lambdaInvocation(fn.id, fn.memoryMb, Date.now() - started);
    }
  }

  /** Invocations each function worker thread has been given so far (empty: the handlers run in this thread). */
  functionThreads(): number[] {
    return this.pool?.given() ?? [];
  }

  /** CPU time the function worker threads running now have used (none: the handlers run in this thread). */
  async functionThreadsCpuUsage(): Promise<NodeJS.CpuUsage> {
    return (await this.pool?.cpuUsage()) ?? { user: 0, system: 0 };
  }

  /** Ends the worker threads (invocations still in them fail); nothing to do in this thread. */
  async stop(): Promise<void> {
    await this.pool?.stop();
  }
}
