/**
 * `hilum deid` as a library: scan the input, spread the files over worker
 * threads, collect outcomes and counts, write the batch report. Corrupt or
 * non-DICOM files are failures of their own; they never stop the batch.
 */
import { availableParallelism } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DeidProfile } from '../../layers/dicom/profiles';
import type { FileResult, FileTask, FromWorker, ToWorker, WorkerReport, WorkerSetup } from './deid-protocol';
import { scanFiles, type FoundFile } from './scan-files';

export const REPORT_NAME = 'deid-report.json';
/** Where files that need a person to look at their pixels go, inside the output folder. */
export const REVIEW_FOLDER = 'needs-pixel-review';

export interface DeidBatchOptions {
  input: string;
  output: string;
  profile: DeidProfile;
  secret: string;
  project: string;
  jobs?: number;
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
  memory: { peakRssBytes: number; peakWorkerBytes: number[] };
}

/**
 * Next to this file: cli/lib/deid-worker.js (the tsx bootstrap) when running
 * from sources, or the bundled worker when cli/bin/hilum.js runs the bundle
 * built into node_modules/.cache/hilum (bundle-cache.js names it so).
 */
const WORKER_ENTRY = join(__dirname, 'deid-worker.js');

/** Files per chunk: a quarter of each worker's share of what is left, so the last chunks are small and workers finish together. */
function chunkSize(remaining: number, workers: number): number {
  return Math.max(1, Math.min(32, Math.ceil(remaining / (workers * 4))));
}

/**
 * Runs every task on `size` worker threads. Workers pull chunks of tasks and
 * return results in batches (deid-protocol.ts), so the main thread is woken
 * a few times per chunk rather than once per file.
 */
async function runPool(size: number, setup: WorkerSetup, tasks: readonly FileTask[], onResult: (result: FileResult) => void): Promise<WorkerReport[]> {
  const workers = Array.from({ length: size }, () => new Worker(WORKER_ENTRY, { workerData: setup }));
  try {
    return await new Promise<WorkerReport[]>((resolvePool, rejectPool) => {
      let next = 0;
      let finished = 0;
      const reports: WorkerReport[] = [];
      const send = (worker: Worker, message: ToWorker): void => worker.postMessage(message);
      const giveWork = (worker: Worker): void => {
        if (next >= tasks.length) return;
        const end = next + chunkSize(tasks.length - next, size);
        send(worker, { type: 'tasks', tasks: tasks.slice(next, end) });
        next = end;
      };
      workers.forEach((worker, i) => {
        worker.on('message', (message: FromWorker) => {
          if (message.type === 'report') {
            reports[i] = { peakMemoryBytes: message.peakMemoryBytes };
            if (reports.filter(Boolean).length === size) resolvePool(reports);
            return;
          }
          for (const result of message.results) onResult(result);
          finished += message.results.length;
          if (message.wantsMore) giveWork(worker);
          if (finished === tasks.length) for (const w of workers) send(w, { type: 'end' });
        });
        worker.on('error', rejectPool);
        worker.on('exit', (code) => rejectPool(new Error(`a deid worker stopped (exit code ${code})`)));
      });
      if (tasks.length === 0) for (const w of workers) send(w, { type: 'end' });
      // Two chunks each to start: one to work on, one queued behind it.
      for (let round = 0; round < 2; round += 1) for (const worker of workers) giveWork(worker);
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

export async function runDeidBatch(options: DeidBatchOptions): Promise<DeidBatchSummary> {
  const started = Date.now();
  const input = resolve(options.input);
  const output = resolve(options.output);
  if (input === output) throw new Error('the output folder must differ from the input');
  const found = (await scanFiles(input)).filter((f) => !(resolve(f.path).startsWith(`${output}/`) || relative(output, f.path) === REPORT_NAME));
  options.onStart?.(found);
  mkdirSync(output, { recursive: true });
  const jobs = Math.max(1, Math.min(options.jobs || availableParallelism(), Math.max(found.length, 1)));
  const tasks: FileTask[] = found.map((file, index) => ({ index, input: file.path, output: join(output, file.relativePath), reviewOutput: join(output, REVIEW_FOLDER, file.relativePath) }));
  const results: FileResult[] = [];
  const workerReports = await runPool(jobs, { secret: options.secret, project: options.project, profile: options.profile }, tasks, (result) => {
    results[result.index] = result;
    options.onFile?.(found[result.index] as FoundFile, result);
  });
  const summary = summarize(found, results, jobs, (Date.now() - started) / 1000, join(output, REPORT_NAME));
  writeFileSync(summary.reportPath, `${JSON.stringify(report(summary, results, options, workerReports), null, 2)}\n`);
  return summary;
}

function summarize(found: readonly FoundFile[], results: readonly FileResult[], jobs: number, seconds: number, reportPath: string): DeidBatchSummary {
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

function report(summary: DeidBatchSummary, results: readonly FileResult[], options: DeidBatchOptions, workers: readonly WorkerReport[]): DeidBatchReport {
  const failureReasons: Record<string, number> = {};
  const pixelReviewReasons: Record<string, number> = {};
  const actionCounts: Record<string, number> = {};
  for (const r of results) {
    if (r.outcome === 'failed') failureReasons[r.reason] = (failureReasons[r.reason] ?? 0) + 1;
    else {
      for (const [key, n] of Object.entries(r.actionCounts)) actionCounts[key] = (actionCounts[key] ?? 0) + n;
      for (const reason of r.pixelReview) pixelReviewReasons[reason] = (pixelReviewReasons[reason] ?? 0) + 1;
    }
  }
  return {
    tool: 'hilum deid',
    profile: { name: options.profile.name, options: options.profile.options },
    project: options.project,
    files: summary.files,
    bytesIn: summary.bytesIn,
    bytesOut: summary.bytesOut,
    seconds: summary.seconds,
    jobs: summary.jobs,
    outcomes: summary.outcomes,
    failureReasons,
    pixelReviewReasons,
    actionCounts,
    perFile: results.map((r) => (r.outcome === 'failed' ? { index: r.index, outcome: r.outcome } : { index: r.index, outcome: r.outcome, actionCounts: r.actionCounts })),
    memory: { peakRssBytes: process.resourceUsage().maxRSS * 1024, peakWorkerBytes: workers.map((w) => w.peakMemoryBytes) },
  };
}
