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
import type { FileResult, FileTask, WorkerReport, WorkerSetup } from './deid-protocol';
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

const WORKER_ENTRY = join(__dirname, 'deid-worker.js');

class Pool {
  private readonly workers: Worker[];
  private readonly idle: Worker[];
  private readonly waiting = new Map<Worker, (result: FileResult) => void>();
  private readonly failures = new Map<Worker, (error: Error) => void>();

  constructor(size: number, setup: WorkerSetup) {
    this.workers = Array.from({ length: size }, () => new Worker(WORKER_ENTRY, { workerData: setup }));
    this.idle = [...this.workers];
    for (const worker of this.workers) {
      worker.on('message', (result: FileResult) => {
        // Only task results here; the end-of-batch report answer is taken by reports().
        if (!this.waiting.has(worker)) return;
        const resolve = this.waiting.get(worker);
        this.waiting.delete(worker);
        this.idle.push(worker);
        resolve?.(result);
      });
      worker.on('error', (error) => this.failures.get(worker)?.(error));
    }
  }

  run(task: FileTask): Promise<FileResult> {
    const worker = this.idle.pop();
    if (!worker) throw new Error('no idle worker');
    return new Promise((resolve, reject) => {
      this.waiting.set(worker, resolve);
      this.failures.set(worker, reject);
      worker.postMessage(task);
    });
  }

  get free(): number {
    return this.idle.length;
  }

  async reports(): Promise<WorkerReport[]> {
    return Promise.all(this.workers.map((worker) => new Promise<WorkerReport>((resolve) => {
      worker.once('message', (report: WorkerReport) => resolve(report));
      worker.postMessage('report');
    })));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
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
  const pool = new Pool(jobs, { secret: options.secret, project: options.project, profile: options.profile });
  const results: FileResult[] = [];
  try {
    let next = 0;
    const inFlight = new Set<Promise<void>>();
    while (next < found.length || inFlight.size > 0) {
      while (next < found.length && pool.free > 0) {
        const index = next;
        next += 1;
        const file = found[index] as FoundFile;
        const task: FileTask = { index, input: file.path, output: join(output, file.relativePath), reviewOutput: join(output, REVIEW_FOLDER, file.relativePath) };
        const promise: Promise<void> = pool.run(task).then((result) => {
          results[index] = result;
          options.onFile?.(file, result);
          inFlight.delete(promise);
        });
        inFlight.add(promise);
      }
      if (inFlight.size > 0) await Promise.race(inFlight);
    }
    const workerReports = await pool.reports();
    const summary = summarize(found, results, jobs, (Date.now() - started) / 1000, join(output, REPORT_NAME));
    writeFileSync(summary.reportPath, `${JSON.stringify(report(summary, results, options, workerReports), null, 2)}\n`);
    return summary;
  } finally {
    await pool.close();
  }
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
