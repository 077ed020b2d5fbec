/** A `hilum deid` worker thread: takes chunks of file tasks, answers with batches of results. */
import { parentPort, workerData } from 'node:worker_threads';
import { deidentifyOneFile } from './deid-file';
import type { FileResult, FileTask, FromWorker, ToWorker, WorkerSetup } from './deid-protocol';

const setup = workerData as WorkerSetup;
/** Results go back at least this often, so the progress bar moves on large files. */
const REPORT_EVERY_MS = 50;
/**
 * process.memoryUsage() waits for V8's concurrent sweepers to finish, which
 * cost more than the engine on small files when called after each one. It is
 * sampled after the largest file so far (the input buffer grows then) and
 * otherwise at most this often.
 */
const SAMPLE_EVERY_MS = 25;

const queue: FileTask[] = [];
let done: FileResult[] = [];
let lowWater = 1;
let askedForMore = false;
let scheduled = false;
let lastPost = Date.now();
let peakMemoryBytes = 0;
let lastSample = 0;
let largestInput = -1;

function post(message: FromWorker): void {
  parentPort?.postMessage(message);
}

function sample(bytesIn: number, now: number): void {
  if (bytesIn <= largestInput && now - lastSample < SAMPLE_EVERY_MS) return;
  largestInput = Math.max(largestInput, bytesIn);
  lastSample = now;
  const m = process.memoryUsage();
  peakMemoryBytes = Math.max(peakMemoryBytes, m.heapUsed + m.external + m.arrayBuffers);
}

/** One file per turn of the event loop, so a new chunk of tasks can arrive while the queue still holds work. */
function step(): void {
  scheduled = false;
  const task = queue.shift();
  if (!task) return;
  const result = deidentifyOneFile(task, setup);
  done.push(result);
  const now = Date.now();
  sample(result.bytesIn, now);
  const wantsMore = !askedForMore && queue.length <= lowWater;
  if (wantsMore || queue.length === 0 || now - lastPost >= REPORT_EVERY_MS) {
    post({ type: 'results', results: done, wantsMore });
    done = [];
    lastPost = now;
    if (wantsMore) askedForMore = true;
  }
  schedule();
}

function schedule(): void {
  if (scheduled || queue.length === 0) return;
  scheduled = true;
  setImmediate(step);
}

parentPort?.on('message', (message: ToWorker) => {
  if (message.type === 'end') {
    sample(Number.MAX_SAFE_INTEGER, Date.now());
    post({ type: 'report', peakMemoryBytes });
    return;
  }
  queue.push(...message.tasks);
  lowWater = Math.max(1, Math.floor(message.tasks.length / 2));
  askedForMore = false;
  schedule();
});
