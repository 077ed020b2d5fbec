/**
 * `hilum deid` as a library: scan the input, spread the files over the main
 * thread and worker threads, collect outcomes and counts, write the batch report. Corrupt or
 * non-DICOM files are failures of their own; they never stop the batch.
 */
import { availableParallelism } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { DeidProfile } from '../../layers/dicom';
import { deidentifyOneFile } from './deid-file';
import { MemorySampler } from './deid-memory';
import type { FileResult, FileTask, FromWorker, ToWorker, WorkerReport, WorkerSetup } from './deid-protocol';
import { scanFilesSync, type FoundFile } from './scan-files';

export const REPORT_NAME = 'deid-report.json';
/** Where files that need a person to look at their pixels go, inside the output folder. */
export const REVIEW_FOLDER = 'needs-pixel-review';

export interface DeidBatchOptions {
  input: string;
  output: string;
  profile: DeidProfile;
  secret: string;
  project: string;
  /** The site that issued the patient ids: keys pseudonyms and date shifts. */
  site: string;
  /** Upper bound on lanes (main thread + workers); default: all cores. */
  jobs?: number;
  /** Batches estimated to take the main thread alone less than this run without workers (default 150; 0 always uses `jobs`). */
  soloBatchMs?: number;
  /** Turn V8's optimizing compiler off for the rest of the process once the workers are up (the CLI does; see withoutOptimizingCompiler). */
  withoutOptimizingCompiler?: boolean;
  /** The main thread takes no file before its workers are up, so that every lane takes part (tests). */
  workersFirst?: boolean;
  /** The worker threads' entry file (default: next to this module); tests point it at a file that fails. */
  workerEntry?: string;
  /**
   * Worker threads already starting (cli/bin/hilum.js starts one before the
   * command loads, so it boots while the main thread loads and scans): taken
   * as lanes, and stopped when the batch wants fewer.
   */
  startedWorkers?: readonly Worker[];
  onFile?: (file: FoundFile, result: FileResult) => void;
  onStart?: (files: readonly FoundFile[]) => void;
}

export interface DeidBatchSummary {
  files: number;
  bytesIn: number;
  bytesOut: number;
  seconds: number;
  outcomes: Record<'ok' | 'needs-pixel-review' | 'failed', number>;
  failures: Array<{ relativePath: string; reason: string }>;
  jobs: number;
  reportPath: string;
}

/** The per-batch report: counts only (no values, no file names: folders are often named after patients). */
export interface DeidBatchReport {
  tool: 'hilum deid';
  profile: { name: string; options: DeidProfile['options'] };
  project: string;
  site: string;
  files: number;
  bytesIn: number;
  bytesOut: number;
  seconds: number;
  jobs: number;
  outcomes: DeidBatchSummary['outcomes'];
  failureReasons: Record<string, number>;
  pixelReviewReasons: Record<string, number>;
  /** Summed over the batch, `keyword:action`. */
  actionCounts: Record<string, number>;
  /** Per file in input order (sorted relative paths): outcome and its own counts. */
  perFile: Array<{ index: number; outcome: FileResult['outcome']; actionCounts?: Record<string, number> }>;
  /** peakWorkerBytes: one per lane (the main thread's first, then each worker's); see deid-memory.ts. */
  memory: { peakRssBytes: number; peakWorkerBytes: number[] };
}

/**
 * Next to this file: cli/lib/deid-worker.js (the tsx bootstrap) when running
 * from sources, or the bundled worker when cli/bin/hilum.js runs the bundle
 * built into node_modules/.cache/hilum (bundle-cache.js names it so).
 */
const WORKER_ENTRY = join(__dirname, 'deid-worker.js');

/**
 * Lanes to use: up to `requested`, but no worker for a batch the main thread
 * alone finishes in about the time a worker takes to boot (~60 ms of CPU that
 * a 2-core machine gives up to it): four radiographs ran slower with a
 * worker than without. The estimate is this engine's measured cost on one
 * core: ~0.6 ms per file plus ~1 ms per MB. (cli/bin/hilum.js applies the same
 * estimate, where a flat folder lets it, to decide whether to start a worker early.)
 */
function lanesFor(requested: number, files: readonly FoundFile[], soloBatchMs: number): number {
  const bytes = files.reduce((n, f) => n + f.size, 0);
  const mainAloneMs = files.length * 0.6 + bytes / (1024 * 1024);
  if (mainAloneMs < soloBatchMs) return 1;
  return Math.min(requested, files.length);
}

/**
 * V8's optimizing compiler (TurboFan) cost more than it saved on every batch
 * measured (300 and 1,500 CT slices, radiographs): it compiled ~100 functions
 * per thread while the time goes to file I/O. Turned off only once the workers
 * are up: changing a V8 flag changes the hash that Node's built-in code cache
 * is checked against, so a thread that starts after the change compiles
 * Node's own internals from source (a bare worker took 41 ms to start instead
 * of 21 ms). Process-wide and one-way, hence an option for the CLI only.
 */
function withoutOptimizingCompiler(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--no-opt');
}

interface LaneOptions {
  /** Called once, when every worker has said it is ready (at once when there is none). */
  onWorkersUp: () => void;
  workersFirst: boolean;
}

/** How long the main thread works before letting worker messages in. */
const SLICE_MS = 4;

/** Files per chunk sent to a worker: a quarter of each lane's share of what is left, so the last chunks are small and lanes finish together. */
function chunkSize(remaining: number, lanes: number): number {
  return Math.max(1, Math.min(32, Math.ceil(remaining / (lanes * 4))));
}

/**
 * Runs every task on `jobs` lanes: the main thread and jobs - 1 worker
 * threads. The main thread takes one file at a time from the shared list
 * between its other work, so it starts at once while workers are still
 * booting (a few radiographs are done before a worker is up). Workers pull
 * chunks when ready and return results in batches (deid-protocol.ts), so the
 * main thread is woken a few times per chunk rather than once per file. Returns each lane's
 * peak memory, the main thread's first.
 */
async function runLanes(
  workers: readonly Worker[],
  setup: WorkerSetup,
  tasks: readonly FileTask[],
  onResult: (result: FileResult) => void,
  lane: LaneOptions,
): Promise<WorkerReport[]> {
  const lanes = workers.length + 1;
  const mainMemory = new MemorySampler();
  return new Promise<WorkerReport[]>((resolveLanes, rejectLanes) => {
    let next = 0;
    let finished = 0;
    const reports: Array<WorkerReport | undefined> = Array.from({ length: lanes });
    const settleIfDone = (): void => {
      if (reports.every((r) => r !== undefined)) resolveLanes(reports as WorkerReport[]);
    };
    const ready = workers.map(() => false);
    let allDone = false;
    let workersUp = false;
    const checkWorkersUp = (): void => {
      if (workersUp || !ready.every(Boolean)) return;
      workersUp = true;
      lane.onWorkersUp();
      if (lane.workersFirst && workers.length > 0) {
        for (const worker of waiting.splice(0)) giveWork(worker);
        setImmediate(mainStep);
      }
    };
    /** Workers that asked for files before every lane was up (workersFirst). */
    const waiting: Worker[] = [];
    // A worker is stopped as soon as it has nothing queued and the batch has nothing more for it: its teardown
    // overlaps the main thread's last files instead of following them. Its report is its last peak.
    const retired = new Set<Worker>();
    const retire = (worker: Worker): void => {
      retired.add(worker);
      void worker.terminate();
    };
    /** Files given to each worker and not yet answered, and each worker's peak memory as last reported. */
    const outstanding = workers.map(() => 0);
    const lastPeak = workers.map(() => 0);
    const retireIfIdle = (i: number): void => {
      const worker = workers[i] as Worker;
      if (!ready[i] || retired.has(worker) || (outstanding[i] as number) > 0 || next < tasks.length) return;
      reports[i + 1] = { peakMemoryBytes: lastPeak[i] as number };
      retire(worker);
      settleIfDone();
    };
    const completed = (count: number): void => {
      finished += count;
      if (allDone || finished < tasks.length) return;
      allDone = true;
      mainMemory.sample();
      reports[0] = { peakMemoryBytes: mainMemory.peakBytes };
      // A worker still booting got no file: it is not waited for (it is stopped with the others) and reports 0.
      workers.forEach((_, i) => {
        if (ready[i]) retireIfIdle(i);
        else reports[i + 1] = { peakMemoryBytes: 0 };
      });
      settleIfDone();
    };
    const giveWork = (worker: Worker): void => {
      if (next >= tasks.length) return;
      const end = next + chunkSize(tasks.length - next, lanes);
      worker.postMessage({ type: 'tasks', tasks: tasks.slice(next, end) } satisfies ToWorker);
      const i = workers.indexOf(worker);
      outstanding[i] = (outstanding[i] as number) + (end - next);
      next = end;
    };
    workers.forEach((worker, i) => {
      worker.on('message', (message: FromWorker) => {
        if (retired.has(worker)) return;
        outstanding[i] = (outstanding[i] as number) - message.results.length;
        lastPeak[i] = message.peakMemoryBytes;
        if (!ready[i]) {
          // Its first message: set up and asking for files (ignored when the batch ended without it).
          if (allDone) return;
          ready[i] = true;
          checkWorkersUp();
        }
        for (const result of message.results) onResult(result);
        if (message.wantsMore) {
          if (lane.workersFirst && !workersUp) waiting.push(worker);
          else giveWork(worker);
        }
        completed(message.results.length);
        retireIfIdle(i);
      });
      // A worker that fails before it is ready had no file yet: the batch goes on without it. Later, files are
      // in its hands and the batch stops with the error (a platform fault; a rerun redoes the batch).
      const failed = (error: Error): void => {
        if (retired.has(worker)) return;
        if (ready[i] || allDone) {
          rejectLanes(error);
          return;
        }
        retire(worker);
        ready[i] = true; // counted as up: the compiler switch is not held back, and no file goes to it
        reports[i + 1] = { peakMemoryBytes: 0 };
        checkWorkersUp();
      };
      worker.on('error', failed);
      worker.on('exit', (code) => failed(new Error(`a deid worker stopped (exit code ${code})`)));
    });
    // Files in slices of a few milliseconds, then a turn of the event loop so worker messages are handled
    // (a turn per file cost an epoll call per file).
    function mainStep(): void {
      if (lane.workersFirst && !workersUp) return;
      const until = Date.now() + SLICE_MS;
      while (next < tasks.length) {
        const task = tasks[next] as FileTask;
        next += 1;
        try {
          const result = deidentifyOneFile(task, setup);
          mainMemory.afterFile(result.bytesIn);
          onResult(result);
          completed(1);
        } catch (error) {
          rejectLanes(error);
          return;
        }
        if (workers.length > 0 && Date.now() >= until) {
          setImmediate(mainStep);
          return;
        }
      }
    }
    checkWorkersUp();
    if (tasks.length === 0) completed(0);
    // Workers get files only when they ask (their first message says they are ready), so a file
    // never waits in the queue of a worker that is still booting while the main thread could take it.
    setImmediate(mainStep);
  });
}

export async function runDeidBatch(options: DeidBatchOptions): Promise<DeidBatchSummary> {
  const started = Date.now();
  const input = resolve(options.input);
  const output = resolve(options.output);
  if (input === output) throw new Error('the output folder must differ from the input');
  const setup: WorkerSetup = { secret: options.secret, project: options.project, site: options.site, profile: options.profile };
  const requested = Math.max(1, options.jobs || availableParallelism());
  // An output folder inside the input is not input (its files are the paths scanned under it).
  const scanned = scanFilesSync(input);
  const found = output.startsWith(`${input}${sep}`) ? scanned.filter((f) => !f.path.startsWith(`${output}${sep}`)) : scanned;
  options.onStart?.(found);
  mkdirSync(output, { recursive: true });
  const jobs = lanesFor(requested, found, options.soloBatchMs ?? 150);
  // worker_threads (and the streams it loads) only when a worker is started: a one-lane batch skips it.
  const early = options.startedWorkers ?? [];
  for (const worker of early.slice(jobs - 1)) void worker.terminate();
  const workers = [
    ...early.slice(0, jobs - 1),
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ...Array.from(
      { length: Math.max(0, jobs - 1 - early.length) },
      () => new (require('node:worker_threads') as typeof import('node:worker_threads')).Worker(options.workerEntry ?? WORKER_ENTRY),
    ),
  ];
  for (const worker of workers) worker.postMessage({ type: 'setup', setup } satisfies ToWorker);
  try {
    const tasks: FileTask[] = found.map((file, index) => ({
      index,
      input: file.path,
      output: join(output, file.relativePath),
      reviewOutput: join(output, REVIEW_FOLDER, file.relativePath),
    }));
    const results: FileResult[] = [];
    const laneReports = await runLanes(
      workers.slice(0, jobs - 1),
      setup,
      tasks,
      (result) => {
        results[result.index] = result;
        options.onFile?.(found[result.index] as FoundFile, result);
      },
      {
        onWorkersUp: () => {
          if (options.withoutOptimizingCompiler) withoutOptimizingCompiler();
        },
        workersFirst: options.workersFirst ?? false,
      },
    );
    const summary = summarize(found, results, jobs, (Date.now() - started) / 1000, join(output, REPORT_NAME));
    writeFileSync(summary.reportPath, `${JSON.stringify(report(summary, results, options, laneReports), null, 2)}\n`);
    return summary;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function summarize(
  found: readonly FoundFile[],
  results: readonly FileResult[],
  jobs: number,
  seconds: number,
  reportPath: string,
): DeidBatchSummary {
  const outcomes = { ok: 0, 'needs-pixel-review': 0, failed: 0 };
  const failures: DeidBatchSummary['failures'] = [];
  let bytesIn = 0;
  let bytesOut = 0;
  results.forEach((r, i) => {
    outcomes[r.outcome] += 1;
    bytesIn += r.bytesIn;
    if (r.outcome === 'failed') failures.push({ relativePath: found[i]?.relativePath ?? String(i), reason: r.reason });
    else bytesOut += r.bytesOut;
  });
  return { files: found.length, bytesIn, bytesOut, seconds, outcomes, failures, jobs, reportPath };
}

function report(
  summary: DeidBatchSummary,
  results: readonly FileResult[],
  options: DeidBatchOptions,
  workers: readonly WorkerReport[],
): DeidBatchReport {
  const failureReasons: Record<string, number> = {};
  const pixelReviewReasons: Record<string, number> = {};
  // A Map and for...in: the entries arrays of Object.entries for every file cost more than the rest of the report.
  const counts = new Map<string, number>();
  for (const r of results) {
    if (r.outcome === 'failed') failureReasons[r.reason] = (failureReasons[r.reason] ?? 0) + 1;
    else {
      const own = r.actionCounts;
      for (const key in own) counts.set(key, (counts.get(key) ?? 0) + (own[key] ?? 0));
      for (const reason of r.pixelReview) pixelReviewReasons[reason] = (pixelReviewReasons[reason] ?? 0) + 1;
    }
  }
  const actionCounts: Record<string, number> = Object.fromEntries(counts);
  return {
    tool: 'hilum deid',
    profile: { name: options.profile.name, options: options.profile.options },
    project: options.project,
    site: options.site,
    files: summary.files,
    bytesIn: summary.bytesIn,
    bytesOut: summary.bytesOut,
    seconds: summary.seconds,
    jobs: summary.jobs,
    outcomes: summary.outcomes,
    failureReasons,
    pixelReviewReasons,
    actionCounts,
    perFile: results.map((r) =>
      r.outcome === 'failed'
        ? { index: r.index, outcome: r.outcome }
        : { index: r.index, outcome: r.outcome, actionCounts: r.actionCounts },
    ),
    memory: { peakRssBytes: process.resourceUsage().maxRSS * 1024, peakWorkerBytes: workers.map((w) => w.peakMemoryBytes) },
  };
}
