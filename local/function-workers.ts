import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { bundledEntry } from './bundled-entry';
import { withoutTsxLoader } from './emulators/s3-thread';
import { LambdaInvocationError, lambdaCause } from './lambda-invocation';
import type { LocalFunction } from './template/local-model';

/**
 * A pool of worker threads that run the local commons' Lambda handlers, so that handler code, its
 * SDK calls and the pipeline's CPU work leave the thread that serves the emulators, the API and
 * the state machines, and several invocations use several cores (as each function has its own
 * sandbox in AWS). Each thread imports handler modules lazily, as the in-process host does
 * (local/function-worker-main.ts), and may run several invocations at once (handlers are async);
 * each invocation goes to the thread with the fewest in flight. A thread that dies is replaced and
 * the invocations it held fail as Lambda reports a runtime that exited (`Runtime.ExitError`: the
 * workflows retry it once, as every resource-limit error).
 */

/** Worker threads `hilum start` and the ingest benches run the handlers in (2: small machines). */
export const DEFAULT_FUNCTION_WORKERS = 2;

/** What a worker thread is given at start (structured-cloned). */
export interface FunctionWorkerData {
  readonly functions: readonly LocalFunction[];
  /** Repository root the `hilum:entry` paths are relative to. */
  readonly repoRoot: string;
}

/** One invocation, sent to a worker thread. The event is its JSON text: the boundary Lambda has. */
export interface InvokeMessage {
  readonly type: 'invoke';
  readonly id: number;
  readonly functionId: string;
  readonly requestId: string;
  /** Epoch ms at which the function times out (the context's getRemainingTimeInMillis). */
  readonly deadline: number;
  readonly event: string;
}

/** Asks a worker thread for the CPU time it has used so far (process.threadCpuUsage()). */
export interface CpuUsageRequest {
  readonly type: 'cpu';
  readonly id: number;
}

export type ToWorker = InvokeMessage | CpuUsageRequest;

/** A worker thread's answer to one invocation. */
export type InvokeReply =
  | { readonly type: 'result'; readonly id: number; readonly ok: true; readonly payload: string }
  | {
      readonly type: 'result';
      readonly id: number;
      readonly ok: false;
      readonly name: string;
      readonly message: string;
      /** The handler never ran (it could not be imported): the message is the whole cause. */
      readonly platform: boolean;
    };

export type FromWorker =
  | InvokeReply
  /** bundled: the thread runs from the esbuild bundle (functionWorkerEntry), not under tsx. */
  | { readonly type: 'ready'; readonly bundled?: boolean }
  | { readonly type: 'cpu'; readonly id: number; readonly usage: NodeJS.CpuUsage };

/** The part of node:worker_threads' Worker the pool uses (tests give it stand-ins). */
export interface WorkerThread {
  postMessage(message: ToWorker): void;
  on(event: 'message', listener: (message: FromWorker) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  terminate(): Promise<number>;
}

export interface FunctionWorkerPoolOptions {
  readonly size: number;
  /** Starts one worker thread (`startFunctionWorker`; tests give stand-ins). */
  readonly spawn: () => WorkerThread;
  readonly log?: (message: string) => void;
}

interface Lane {
  readonly index: number;
  worker: WorkerThread;
  ready: boolean;
  /** Down for good: its thread died before it was ever ready (replacing it would loop). */
  down: boolean;
  /** Invocations sent to this lane's threads so far, a replaced thread's included. */
  given: number;
  readonly inFlight: Map<number, (reply: InvokeReply | LambdaInvocationError) => void>;
  /** CPU usage requests waiting for this lane's thread, by id. */
  readonly cpuAsked: Map<number, (usage: NodeJS.CpuUsage | undefined) => void>;
}

/** The lane to send an invocation to: the fewest in flight, the first of equals; -1 if none is up. */
export function leastBusy(lanes: readonly { readonly inFlight: number; readonly down: boolean }[]): number {
  let best = -1;
  for (const [i, lane] of lanes.entries()) {
    if (lane.down) continue;
    if (best < 0 || lane.inFlight < lanes[best]!.inFlight) best = i;
  }
  return best;
}

function exitError(message: string): LambdaInvocationError {
  return new LambdaInvocationError('Runtime.ExitError', lambdaCause('Runtime.ExitError', message));
}

export class FunctionWorkerPool {
  private readonly lanes: Lane[] = [];
  private readonly log: (message: string) => void;
  private nextId = 1;
  private stopping = false;

  constructor(private readonly options: FunctionWorkerPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1)
      throw new RangeError(`a function worker pool needs 1 or more threads, not ${options.size}`);
    this.log = options.log ?? (() => undefined);
    for (let index = 0; index < options.size; index += 1) {
      const lane: Lane = {
        index,
        worker: undefined as unknown as WorkerThread,
        ready: false,
        down: false,
        given: 0,
        inFlight: new Map(),
        cpuAsked: new Map(),
      };
      this.lanes.push(lane);
      this.start(lane);
    }
  }

  /** Invocations each thread holds now, by thread. */
  inFlight(): number[] {
    return this.lanes.map((lane) => lane.inFlight.size);
  }

  /** Invocations each thread (with its replacements) has been given so far, by thread. */
  given(): number[] {
    return this.lanes.map((lane) => lane.given);
  }

  /**
   * Runs one invocation in the least busy thread. Resolves with the thread's answer (the handler's
   * result or error); rejects with `Runtime.ExitError` when the thread dies first or the pool stops.
   */
  invoke(request: Omit<InvokeMessage, 'type' | 'id'>): Promise<InvokeReply> {
    if (this.stopping) return Promise.reject(exitError('the local commons is stopping'));
    const at = leastBusy(this.lanes.map((lane) => ({ inFlight: lane.inFlight.size, down: lane.down })));
    const lane = this.lanes[at];
    if (!lane) return Promise.reject(exitError('no function worker thread could start'));
    const id = this.nextId++;
    lane.given += 1;
    return new Promise<InvokeReply>((resolve, reject) => {
      lane.inFlight.set(id, (outcome) => (outcome instanceof LambdaInvocationError ? reject(outcome) : resolve(outcome)));
      lane.worker.postMessage({ type: 'invoke', id, ...request });
    });
  }

  /**
   * The CPU time the threads now running have used since they started, summed (what the bench
   * charges the handlers per instance). A thread that died and was replaced takes its time with it.
   */
  async cpuUsage(): Promise<NodeJS.CpuUsage> {
    const usages = await Promise.all(
      this.lanes
        .filter((lane) => lane.ready && !lane.down)
        .map(
          (lane) =>
            new Promise<NodeJS.CpuUsage | undefined>((resolve) => {
              const id = this.nextId++;
              lane.cpuAsked.set(id, resolve);
              lane.worker.postMessage({ type: 'cpu', id });
            }),
        ),
    );
    const total = { user: 0, system: 0 };
    for (const usage of usages) {
      total.user += usage?.user ?? 0;
      total.system += usage?.system ?? 0;
    }
    return total;
  }

  /** Terminates every thread; invocations still in flight fail. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await Promise.all(
      this.lanes.map(async (lane) => {
        this.failInFlight(lane, 'the local commons stopped');
        await lane.worker.terminate().catch(() => undefined);
      }),
    );
  }

  private start(lane: Lane): void {
    const worker = this.options.spawn();
    lane.worker = worker;
    lane.ready = false;
    worker.on('message', (message) => {
      if (message.type === 'ready') {
        lane.ready = true;
        return;
      }
      if (message.type === 'cpu') {
        lane.cpuAsked.get(message.id)?.(message.usage);
        lane.cpuAsked.delete(message.id);
        return;
      }
      const settle = lane.inFlight.get(message.id);
      lane.inFlight.delete(message.id);
      settle?.(message);
    });
    // A handler's uncaught error ends its thread: the name only, a message may hold data.
    worker.on('error', (error) => this.log(`function worker ${lane.index}: uncaught ${error.name || 'Error'}`));
    worker.on('exit', (code) => {
      if (this.stopping || lane.worker !== worker) return;
      const held = lane.inFlight.size;
      this.failInFlight(lane, `the function worker thread exited with code ${code}`);
      if (!lane.ready) {
        lane.down = true;
        this.log(`function worker ${lane.index} exited (code ${code}) before it was ready: not restarted`);
        return;
      }
      this.log(`function worker ${lane.index} exited (code ${code}) with ${held} invocation(s) in flight: replaced`);
      this.start(lane);
    });
  }

  private failInFlight(lane: Lane, why: string): void {
    for (const answer of lane.cpuAsked.values()) answer(undefined);
    lane.cpuAsked.clear();
    const settles = [...lane.inFlight.values()];
    lane.inFlight.clear();
    for (const settle of settles) settle(exitError(why));
  }
}

/**
 * The thread's entry without the bundle: a CommonJS bootstrap that registers tsx before it loads the
 * TypeScript worker (a worker thread starts a fresh module system: neither jest's transform nor, when
 * the process was not started by tsx, tsx's hooks reach it).
 */
export const FUNCTION_WORKER_ENTRY = path.join(__dirname, 'function-worker.js');

/** The handler entries the bundle holds (function-worker-main.ts requires them by this shape): all of the registry's. */
export const HANDLER_ENTRY = /^functions\/[^/]+\/[^/]+\.ts$/;

/** Packages that find their own files at run time (a worker script, traineddata, a native addon) stay outside the bundle. */
const BUNDLE_EXTERNAL = ['tesseract.js', '@tesseract.js-data/eng', 'onnxruntime-node'];

export interface FunctionWorkerEntry {
  readonly file: string;
  readonly bundled: boolean;
}

/**
 * Where the function worker threads start: an esbuild bundle of function-worker-main.ts and every
 * handler module, loaded through V8's code cache (cli/bin/bundle-cache.js, rebuilt whenever a source
 * it holds changes), as Lambda runs each function from its esbuild bundle. Under tsx each thread
 * transformed and resolved the handlers' modules one by one: ~1.2-1.3 s of CPU per thread to import
 * the API's and IngestObject's handlers, against ~0.4 s from the bundle. FUNCTION_WORKER_ENTRY (tsx)
 * when a function's entry is not a registry-shaped handler path (tests' own handlers), when
 * HILUM_FUNCTION_BUNDLE=0, or when the bundle cannot be built.
 */
export async function functionWorkerEntry(functions: readonly Pick<LocalFunction, 'entry'>[]): Promise<FunctionWorkerEntry> {
  const unbundled = { file: FUNCTION_WORKER_ENTRY, bundled: false };
  if (process.env.HILUM_FUNCTION_BUNDLE === '0' || !functions.every((fn) => HANDLER_ENTRY.test(fn.entry))) return unbundled;
  const bundled = await bundledEntry('function-worker', 'local/function-worker-main.ts', BUNDLE_EXTERNAL);
  return bundled ? { file: bundled, bundled: true } : unbundled;
}

/**
 * Starts one function worker thread from `entry` with the environment of the calling code's
 * `process.env` (given explicitly: under jest that is the test's copy, where the commons set its
 * variables, not the process's own). Unbundled, the thread registers tsx's CommonJS hooks itself;
 * tsx's loader flags of a process started by tsx are never passed on (its ESM hooks would start a
 * loader thread per worker, and the handlers only `require`).
 */
export function startFunctionWorker(
  data: FunctionWorkerData,
  entry: FunctionWorkerEntry = { file: FUNCTION_WORKER_ENTRY, bundled: false },
): WorkerThread {
  return new Worker(entry.file, {
    workerData: data,
    env: { ...process.env },
    execArgv: withoutTsxLoader(process.execArgv),
  }) as unknown as WorkerThread;
}
