/**
 * The offline check's per-file work (cli/lib/check-file.ts) spread over lanes: the main thread and worker threads
 * (cli/lib/check-worker-main.ts), as `hilum deid` spreads its files (cli/lib/deid-batch.ts). The check is all CPU
 * (de-identify, verify, the rules, the burned-in text check: ~55-110 ms of CPU per 10 MB radiograph), so one lane left a
 * site's other cores idle, and in `npm run bench ingest` the machine's second core while the commons waited.
 * Files are handed out as lanes ask, not split up front, so a slow file holds no lane's share back. The outcomes
 * come back by file index: the caller merges them in file order, so the report is the serial check's.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { checkOneFile, type CheckedFile } from './check-file';
import type { CheckResult, CheckSetup, CheckTask, FromCheckWorker, ToCheckWorker } from './check-protocol';
import { ReusedRangeReader } from './file-range';
import type { FoundFile } from './scan-files';

export interface CheckLanesOptions {
  /** Upper bound on lanes (main thread + workers); default: one per core. */
  readonly jobs?: number;
  /**
   * Workers are started once the main thread's own CPU per byte so far says the files left would take it alone more
   * than this (default 1000; 0: at once, before any file).
   */
  readonly soloBatchMs?: number;
  /** The main thread takes no file before its workers are up, so that every lane takes part (tests; with soloBatchMs 0). */
  readonly workersFirst?: boolean;
  /** The worker threads' entry file (default: next to this module); tests point it at one that fails. */
  readonly workerEntry?: string;
  /** Told each file's index as its outcome arrives (in any order: the progress bar). */
  readonly onChecked?: (index: number) => void;
  /**
   * The main thread has other work beside the check (`hilum upload --force` sends files meanwhile): it checks no file
   * itself, and `jobs - 1` worker threads (at least one) check them all, started at once. A file's check is tens of
   * milliseconds on a thread that then answers no socket: on the main thread it held every request of the upload
   * back that long.
   */
  readonly besideTheMainThread?: boolean;
  /**
   * Aborted: the check ends at once with the signal's reason (a file the main thread is checking finishes first) and
   * its workers are terminated. `hilum upload --force` whose upload failed shows its error without waiting for a
   * verdict nobody will read (160 radiographs: ~10 s).
   */
  readonly signal?: AbortSignal;
}

/**
 * Next to this file: cli/lib/check-worker.js (the tsx bootstrap) from sources, or the bundled worker when
 * cli/bin/hilum.js runs `hilum upload` from its bundle (it builds check-worker.js beside upload-cli.js).
 */
const WORKER_ENTRY = join(__dirname, 'check-worker.js');

/**
 * A worker costs ~0.3 s of CPU before it helps (~0.09 s to boot and load the bundle, the rest its first files
 * run cold), ~0.3 s of wall on an idle core, and every file costs more CPU while two lanes share the memory bus:
 * measured, 16 radiographs gained ~0.1 s of wall for ~0.25 s more CPU, 50 gained ~0.7 s for ~0.6 s, so workers
 * start when the main thread alone would take longer than about 1 s. What a file costs cannot be told from its size (a 10 MB radiograph ~55 ms, the burned-in check's
 * share of it most; 300 CT slices, 150 MB, ~0.55 s in all), so the main thread measures its own CPU per byte and
 * projects it over the bytes left. Not from the first file: its first MEASURE_MS of CPU run cold (300 CT slices:
 * the first 9 took 52 ms, 5.8 ms each against 1.8 in all), so the pace is taken over the next MEASURE_MS.
 */
const DEFAULT_SOLO_MS = 1000;
const MEASURE_MS = 50;

/** The main thread's own CPU so far, in ms (the process's where the thread's cannot be read). */
function mainThreadCpuMs(): number {
  const usage = typeof process.threadCpuUsage === 'function' ? process.threadCpuUsage() : process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Whether the files left, at the main thread's pace since its warm-up, would take it alone longer than `soloBatchMs`. */
export function workersPay(spentMs: number, bytesDone: number, bytesLeft: number, soloBatchMs = DEFAULT_SOLO_MS): boolean {
  if (spentMs < MEASURE_MS || bytesDone === 0) return false;
  return (spentMs / bytesDone) * bytesLeft > soloBatchMs;
}

/** Files per chunk sent to a worker: a quarter of each lane's share of what is left, so lanes finish together. */
function chunkSize(remaining: number, lanes: number): number {
  return Math.max(1, Math.min(16, Math.ceil(remaining / (lanes * 4))));
}

/** The order key the study rules sort arrivals by: the file's place in the folder. */
export function orderOf(index: number): string {
  return String(index).padStart(8, '0');
}

/**
 * Checks every file (named by its relative path) on up to `jobs` lanes; resolves with the outcomes in file order
 * once every lane has stopped (each worker its OCR worker too). A file's check that throws ends the check with
 * its error, as on the main thread; a worker that dies with files in its hands ends it with an error too.
 */
export async function checkInLanes(
  files: readonly FoundFile[],
  setup: CheckSetup,
  options: CheckLanesOptions = {},
): Promise<CheckedFile[]> {
  const beside = options.besideTheMainThread === true && files.length > 0;
  // Beside the main thread: the lanes are workers only, so one more than the workers wanted.
  const lanes = beside
    ? 1 + Math.max(1, Math.min((options.jobs || availableParallelism()) - 1, files.length))
    : Math.max(1, Math.min(options.jobs || availableParallelism(), files.length));
  const workers: Worker[] = [];
  const startWorkers = (): Worker[] => {
    // worker_threads only when a worker is started: a check on the main thread alone does not load it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Worker: WorkerThread } = require('node:worker_threads') as typeof import('node:worker_threads');
    for (let i = 1; i < lanes; i += 1) workers.push(new WorkerThread(options.workerEntry ?? WORKER_ENTRY));
    for (const worker of workers) worker.postMessage({ type: 'setup', setup } satisfies ToCheckWorker);
    return workers;
  };
  const tasks: CheckTask[] = files.map((file, index) => ({ index, path: file.path, fileId: file.relativePath, order: orderOf(index) }));
  try {
    return await runLanes(lanes > 1 ? startWorkers : undefined, setup, tasks, files, options);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function runLanes(
  startWorkers: (() => Worker[]) | undefined,
  setup: CheckSetup,
  tasks: readonly CheckTask[],
  files: readonly FoundFile[],
  options: CheckLanesOptions,
): Promise<CheckedFile[]> {
  return new Promise<CheckedFile[]>((resolveLanes, rejectLanes) => {
    const { signal } = options;
    const aborted = (): void => fail(signal?.reason);
    const resolveAll = (results: CheckedFile[]): void => {
      signal?.removeEventListener('abort', aborted);
      resolveLanes(results);
    };
    const rejectAll = (error: unknown): void => {
      signal?.removeEventListener('abort', aborted);
      rejectLanes(error);
    };
    const soloBatchMs = options.soloBatchMs ?? DEFAULT_SOLO_MS;
    const results: Array<CheckedFile | undefined> = Array.from({ length: tasks.length });
    let workers: readonly Worker[] = [];
    let next = 0;
    let finished = 0;
    let failed = false;
    let ready: boolean[] = [];
    let outstanding: number[] = [];
    /** Told to stop (or gone): no file goes to it any more. */
    let stopping: boolean[] = [];
    /** Answered `stopped` (its OCR worker stopped), or never checked a file. */
    let stopped: boolean[] = [];
    /** Workers that asked for files before every lane was up (workersFirst). */
    const waiting: number[] = [];
    let workersUp = false;
    /** The main thread's lane is between files or done: a failure is told only then, so no check of it outlives the call. */
    let mainIdle = true;
    let failure: { error: unknown } | undefined;

    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      failure = { error };
      if (mainIdle) rejectAll(error);
    };
    if (signal?.aborted) {
      fail(signal.reason);
      return;
    }
    signal?.addEventListener('abort', aborted, { once: true });

    const settleIfDone = (): void => {
      if (!failed && finished === tasks.length && stopped.every(Boolean)) resolveAll(results as CheckedFile[]);
    };
    const record = (result: CheckResult): void => {
      if ('error' in result) {
        fail(new Error(result.error));
        return;
      }
      const { index, ...checked } = result;
      results[index] = checked;
      finished += 1;
      options.onChecked?.(index);
    };
    const stopIfIdle = (i: number): void => {
      if (failed || stopping[i] || !ready[i] || (outstanding[i] as number) > 0 || next < tasks.length) return;
      stopping[i] = true;
      (workers[i] as Worker).postMessage({ type: 'stop' } satisfies ToCheckWorker);
    };
    /** Once every file is out: a worker still booting never gets one (it is terminated and never ran the OCR). */
    const stopTheRest = (): void => {
      workers.forEach((worker, i) => {
        if (ready[i]) stopIfIdle(i);
        else if (!stopping[i]) {
          stopping[i] = true;
          stopped[i] = true;
          void worker.terminate();
        }
      });
      settleIfDone();
    };
    const giveWork = (i: number): void => {
      if (failed || next >= tasks.length) return;
      const end = next + chunkSize(tasks.length - next, workers.length + 1);
      (workers[i] as Worker).postMessage({ type: 'tasks', tasks: tasks.slice(next, end) } satisfies ToCheckWorker);
      outstanding[i] = (outstanding[i] as number) + (end - next);
      next = end;
    };
    const checkWorkersUp = (): void => {
      if (workersUp || !ready.every(Boolean)) return;
      workersUp = true;
      if (options.workersFirst && workers.length > 0) {
        for (const i of waiting.splice(0)) giveWork(i);
        void mainLane();
      }
    };

    const listen = (worker: Worker, i: number): void => {
      worker.on('message', (message: FromCheckWorker) => {
        if (failed) return;
        if (message.type === 'stopped') {
          stopped[i] = true;
          settleIfDone();
          return;
        }
        ready[i] = true;
        outstanding[i] = (outstanding[i] as number) - message.results.length;
        for (const result of message.results) record(result);
        if (message.wantsMore && !stopping[i]) {
          if (options.workersFirst && !workersUp) waiting.push(i);
          else giveWork(i);
        }
        checkWorkersUp();
        if (next >= tasks.length) stopTheRest();
      });
      // Files in its hands: the check cannot finish without them, so it ends with the error (a rerun checks again).
      // None: it had not started or had finished; the other lanes go on without it.
      const gone = (error: Error): void => {
        if (stopped[i]) return;
        if ((outstanding[i] as number) > 0 || (stopping[i] && ready[i])) {
          fail(error);
          return;
        }
        stopping[i] = true;
        stopped[i] = true;
        ready[i] = true; // counted as up, so that workersFirst does not wait for it
        checkWorkersUp();
        // Beside the main thread and no worker left to take the files: the main thread checks them after all.
        if (options.besideTheMainThread && !mainStarted && next < tasks.length && stopped.every(Boolean)) void mainLane();
        settleIfDone();
      };
      worker.on('error', gone);
      worker.on('exit', (code) => gone(new Error(`a check worker stopped (exit code ${code})`)));
    };
    const addWorkers = (): void => {
      if (!startWorkers || workers.length > 0) return;
      workers = startWorkers();
      ready = workers.map(() => false);
      outstanding = workers.map(() => 0);
      stopping = workers.map(() => false);
      stopped = workers.map(() => false);
      workers.forEach(listen);
    };

    // The main thread takes one file at a time, starting at once; once workers run, a turn of the event loop after
    // each file lets their messages in (a file is milliseconds of work, a turn microseconds).
    const reader = new ReusedRangeReader();
    const cpuAtStart = mainThreadCpuMs();
    let bytesLeft = files.reduce((n, f) => n + f.size, 0);
    let bytesDone = 0;
    /** Where the main thread's warm-up ended: its pace is measured from there. */
    let warm: { readonly cpuMs: number; readonly bytes: number } | undefined;
    const startWorkersIfTheyPay = (): void => {
      if (workers.length > 0 || !startWorkers) return;
      const cpuMs = mainThreadCpuMs();
      if (!warm) {
        if (cpuMs - cpuAtStart >= MEASURE_MS) warm = { cpuMs, bytes: bytesDone };
      } else if (workersPay(cpuMs - warm.cpuMs, bytesDone - warm.bytes, bytesLeft, soloBatchMs)) addWorkers();
    };
    let mainStarted = false;
    async function mainLane(): Promise<void> {
      mainStarted = true;
      while (!failed && next < tasks.length) {
        const task = tasks[next] as CheckTask;
        next += 1;
        mainIdle = false;
        try {
          const { index, fileId, order, path } = task;
          const checked = await checkOneFile(reader.readWholeSync(path), fileId, order, setup.config, setup.key);
          record({ index, ...checked });
        } catch (error) {
          fail(error);
        } finally {
          mainIdle = true;
        }
        if (failure) {
          rejectAll(failure.error);
          return;
        }
        const size = (files[task.index] as FoundFile).size;
        bytesDone += size;
        bytesLeft -= size;
        startWorkersIfTheyPay();
        if (workers.length > 0) await new Promise((resolve) => setImmediate(resolve));
      }
      stopTheRest();
    }
    if (options.besideTheMainThread && startWorkers && tasks.length > 0) {
      // Every file goes to the workers: the main thread only hands them out and records what they answer.
      mainIdle = true;
      addWorkers();
      return;
    }
    if (soloBatchMs === 0) addWorkers();
    if (options.workersFirst && workers.length > 0) checkWorkersUp();
    else void mainLane();
  });
}
