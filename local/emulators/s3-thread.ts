import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { bundledEntry } from '../bundled-entry';
import type { LocalCredentials } from '../credentials';
import type { BusEvent } from '../event-bus';
import type { LocalBucket } from '../template/local-model';
import type { S3RequestClass } from '../usage-meter';
import type { S3Emulator, S3EmulatorOptions } from './s3';

/**
 * The local S3 emulator in its own worker thread. Its HTTP server, SigV4 checks, s3rver and
 * file I/O then cost the commons' JavaScript thread (which runs the handlers, the API and the
 * workflows) nothing; what the main thread still gets are messages: each request's price class
 * for the usage meter, S3's EventBridge events for the bus and its subscribers, which stay on the
 * main thread, and the emulator's rare log lines.
 *
 * Order: the worker posts a request's count before s3rver handles it and an event before s3rver
 * answers the request that made it, so the main thread receives both before the answer (its
 * MessagePort is signalled before the socket), as when s3rver ran there. The direct object path answers
 * microseconds after posting, where that order does not hold by itself: each of its answers waits until this
 * thread has handled every message posted before it (a shared counter, s3-worker-main.ts `delivered`).
 */

/** What the worker is started with (structured-cloned). */
export interface S3WorkerSetup {
  readonly dataDir: string;
  readonly buckets: readonly LocalBucket[];
  readonly credentials: LocalCredentials;
  readonly port?: number;
  readonly corsOrigins: readonly string[];
  /** Post each request's price class. */
  readonly metered: boolean;
  /** One Int32 the calling thread adds 1 to for each message of the worker it has handled (s3-worker-main.ts `delivered`). */
  readonly received: SharedArrayBuffer;
  /** Post EventBridge events. */
  readonly notifying: boolean;
  readonly directObjects?: boolean;
}

export type ToS3Worker = { readonly type: 'allowOrigin'; readonly origin: string } | { readonly type: 'stop' };

export type FromS3Worker =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'failed'; readonly name: string; readonly message: string; readonly code?: string }
  | { readonly type: 'request'; readonly requestClass: S3RequestClass }
  | { readonly type: 'event'; readonly event: BusEvent }
  | { readonly type: 'log'; readonly message: string }
  | { readonly type: 'stopped' };

/**
 * The worker's entry: an esbuild bundle of `s3-worker-main.ts` loaded through V8's code cache
 * (cli/bin/bundle-cache.js, rebuilt whenever a source it holds changes), because a worker starts a
 * fresh module system and loading s3rver's few hundred modules one by one cost each start ~0.55 s of
 * CPU under tsx (from the bundle, the whole start: ~0.27 s). If the bundle cannot be built, `s3-worker.js`, which registers tsx
 * first; it works under `hilum start`, the bench and jest alike.
 */
async function workerEntry(): Promise<{ readonly file: string; readonly bundled: boolean }> {
  const bundled = await bundledEntry('s3-worker', 'local/emulators/s3-worker-main.ts');
  return bundled ? { file: bundled, bundled: true } : { file: path.join(__dirname, 's3-worker.js'), bundled: false };
}

const LOADER_FLAGS = new Set(['--require', '-r', '--import', '--loader', '--experimental-loader']);
const TSX = /(^|[/\\])tsx([/\\]|$)/;

/**
 * Options Node accepts on its command line but refuses in a worker's `execArgv` (ERR_WORKER_INVALID_EXEC_ARGV):
 * V8's flags and the process's own. Those Node admits in NODE_OPTIONS are named here; V8's others are not in
 * `process.allowedNodeEnvironmentFlags` at all.
 */
const PROCESS_WIDE_FLAGS = new Set([
  '--abort-on-uncaught-exception',
  '--disallow-code-generation-from-strings',
  '--enable-etw-stack-walking',
  '--expose-gc',
  '--huge-max-old-generation-size',
  '--interpreted-frames-native-stack',
  '--jitless',
  '--max-heap-size',
  '--max-old-space-size',
  '--max-semi-space-size',
  '--perf-basic-prof',
  '--perf-basic-prof-only-functions',
  '--perf-prof',
  '--perf-prof-unwinding-info',
  '--secure-heap',
  '--secure-heap-min',
  '--stack-trace-limit',
  '--title',
  '--v8-pool-size',
]);

function processWide(flag: string): boolean {
  return PROCESS_WIDE_FLAGS.has(flag) || !process.allowedNodeEnvironmentFlags.has(flag);
}

/**
 * The parent's Node options as a worker thread takes them. Without tsx's loader (`--import tsx`, `--require
 * .../tsx/dist/preflight.cjs`, ...): a bundle needs none, and registering it again cost each worker ~0.05-0.1 s of
 * CPU. Without V8's flags and the process's own (`--max-old-space-size=...`, `--heap-growing-percent=...`): Node
 * refuses to start a worker given one, and the worker has them anyway, V8's flags being the process's. Other
 * options (a profiler's, other preloads) are kept, as a worker inherits them by default.
 */
export function withoutTsxLoader(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i += 1) {
    const arg = execArgv[i] as string;
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    if (LOADER_FLAGS.has(flag)) {
      const value = eq < 0 ? execArgv[i + 1] : arg.slice(eq + 1);
      if (eq < 0) i += 1;
      if (value !== undefined && !TSX.test(value)) kept.push(...(eq < 0 ? [arg, value] : [arg]));
      continue;
    }
    if (flag.startsWith('-') && processWide(flag)) {
      // Its value as the next argument, if it was given so (execArgv holds options only: a bare word is a value).
      if (eq < 0 && execArgv[i + 1] !== undefined && !(execArgv[i + 1] as string).startsWith('-')) i += 1;
      continue;
    }
    kept.push(arg);
  }
  return kept;
}

export async function startS3InWorker(options: S3EmulatorOptions): Promise<S3Emulator> {
  const log = options.log ?? (() => undefined);
  const setup: S3WorkerSetup = {
    dataDir: options.dataDir,
    // Only data crosses: the model's objects may carry more than the worker needs.
    buckets: [...options.buckets].map((b) => ({
      role: b.role,
      logicalId: b.logicalId,
      name: b.name,
      eventBridge: b.eventBridge,
      cors: b.cors,
      ...(b.sseKms ? { sseKms: true } : {}),
    })),
    credentials: { accessKeyId: options.credentials.accessKeyId, secretAccessKey: options.credentials.secretAccessKey },
    ...(options.port !== undefined ? { port: options.port } : {}),
    corsOrigins: [...(options.corsOrigins ?? [])],
    metered: options.meter !== undefined,
    received: new SharedArrayBuffer(4),
    notifying: options.onEvent !== undefined,
    ...(options.directObjects !== undefined ? { directObjects: options.directObjects } : {}),
  };
  const entry = await workerEntry();
  const received = new Int32Array(setup.received);
  const worker = new Worker(entry.file, { workerData: setup, ...(entry.bundled ? { execArgv: withoutTsxLoader(process.execArgv) } : {}) });
  const send = (message: ToS3Worker) => worker.postMessage(message);

  let started = false;
  let stopping = false;
  let stoppedByWorker: (() => void) | undefined;
  const port = await new Promise<number>((resolve, reject) => {
    worker.on('message', (message: FromS3Worker) => {
      try {
        handle(message);
      } finally {
        Atomics.add(received, 0, 1);
        Atomics.notify(received, 0);
      }
    });
    const handle = (message: FromS3Worker): void => {
      switch (message.type) {
        case 'request':
          options.meter?.s3Request(message.requestClass);
          break;
        case 'event':
          try {
            options.onEvent?.(message.event);
          } catch (error) {
            // As on the emulator's own thread: a subscriber's failure is logged, never the request's.
            log(`s3: event not delivered: ${error instanceof Error ? error.name : 'Error'}`);
          }
          break;
        case 'log':
          log(message.message);
          break;
        case 'ready':
          started = true;
          resolve(message.port);
          break;
        case 'failed':
          reject(Object.assign(new Error(message.message), { name: message.name, ...(message.code ? { code: message.code } : {}) }));
          break;
        case 'stopped':
          stoppedByWorker?.();
          break;
      }
    };
    worker.on('error', (error) => {
      if (!started) {
        reject(error);
        return;
      }
      if (stopping) return;
      // s3rver failing inside its thread took the whole process down when it ran here: it still does,
      // rather than leaving a commons whose S3 refuses every connection.
      log(`s3: the emulator's worker failed: ${error.name}`);
      setImmediate(() => {
        throw error;
      });
    });
    worker.once('exit', (code) => {
      if (!started) reject(new Error(`the S3 emulator's worker exited (code ${code}) before it listened`));
    });
  });

  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    allowOrigin: (origin) => send({ type: 'allowOrigin', origin }),
    threadCpuUsage: () => worker.cpuUsage(),
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        // Events and counts posted before the worker's answer arrive before it.
        await new Promise<void>((resolve) => {
          stoppedByWorker = resolve;
          worker.once('exit', () => resolve());
          send({ type: 'stop' });
        });
        await worker.terminate();
      })()),
  };
}
