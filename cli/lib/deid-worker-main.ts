/** A `hilum deid` worker thread: takes chunks of file tasks, answers with batches of results. */
import { parentPort } from 'node:worker_threads';
import { deidentifyOneFile } from './deid-file';
import { MemorySampler } from './deid-memory';
import type { FileResult, FileTask, FromWorker, ToWorker, WorkerSetup } from './deid-protocol';

/** Sent before the first files: a worker may be started before the command has read its profile and secret. */
let setup: WorkerSetup | undefined;
/** Results go back at least this often, so the progress bar moves on large files. */
const REPORT_EVERY_MS = 50;
/** How long a worker works before letting messages in. */
const SLICE_MS = 4;

const memory = new MemorySampler();
const queue: FileTask[] = [];
let done: FileResult[] = [];
let lowWater = 1;
let askedForMore = false;
let scheduled = false;
let lastPost = Date.now();

function post(message: FromWorker): void {
  parentPort?.postMessage(message);
}

/**
 * Files in slices of a few milliseconds, then a turn of the event loop so a
 * new chunk of tasks can arrive while the queue still holds work (a turn per
 * file cost an epoll call per file).
 */
function step(): void {
  scheduled = false;
  const until = Date.now() + SLICE_MS;
  for (let task = queue.shift(); task; task = queue.shift()) {
    const result = deidentifyOneFile(task, setup as WorkerSetup);
    done.push(result);
    const now = Date.now();
    memory.afterFile(result.bytesIn, now);
    const wantsMore = !askedForMore && queue.length <= lowWater;
    if (wantsMore || queue.length === 0 || now - lastPost >= REPORT_EVERY_MS) {
      // With nothing queued this may be the last message: its peak is fresh.
      if (queue.length === 0) memory.sample(now);
      post({ type: 'results', results: done, wantsMore, peakMemoryBytes: memory.peakBytes });
      done = [];
      lastPost = now;
      if (wantsMore) askedForMore = true;
    }
    if (now >= until) break;
  }
  schedule();
}

function schedule(): void {
  if (scheduled || queue.length === 0) return;
  scheduled = true;
  setImmediate(step);
}

parentPort?.on('message', (message: ToWorker) => {
  if (message.type === 'setup') {
    setup = message.setup;
    // Ready: ask for the first chunk. Only now, in answer to the setup, so the answer cannot reach a main
    // thread that has not yet listened (a worker may be started before the batch that takes it).
    post({ type: 'results', results: [], wantsMore: true, peakMemoryBytes: memory.peakBytes });
    return;
  }
  queue.push(...message.tasks);
  lowWater = Math.max(1, Math.floor(message.tasks.length / 2));
  askedForMore = false;
  schedule();
});
