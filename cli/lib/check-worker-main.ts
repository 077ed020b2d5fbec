/** A worker thread of the offline check (cli/lib/check-lanes.ts): takes chunks of files, answers with their outcomes. */
import { parentPort } from 'node:worker_threads';
import { stopOcr } from '../../layers/ingest/burned-in';
import { checkOneFile } from './check-file';
import type { CheckResult, CheckSetup, CheckTask, FromCheckWorker, ToCheckWorker } from './check-protocol';
import { ReusedRangeReader } from './file-range';

/** Results go back at least this often, so the progress bar moves while a chunk is worked on. */
const REPORT_EVERY_MS = 50;

let setup: CheckSetup | undefined;
const queue: CheckTask[] = [];
const reader = new ReusedRangeReader();
let done: CheckResult[] = [];
let lowWater = 1;
let askedForMore = false;
let working = false;
let lastPost = Date.now();

function post(message: FromCheckWorker): void {
  parentPort?.postMessage(message);
}

async function checkTask(task: CheckTask, given: CheckSetup): Promise<CheckResult> {
  try {
    const checked = await checkOneFile(reader.readWholeSync(task.path), task.fileId, task.order, given.config, given.key);
    return { index: task.index, ...checked };
  } catch (error) {
    return { index: task.index, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Works through the queue; a turn of the event loop after each file lets a new chunk arrive meanwhile. */
async function work(): Promise<void> {
  if (working) return;
  working = true;
  for (let task = queue.shift(); task; task = queue.shift()) {
    done.push(await checkTask(task, setup as CheckSetup));
    const now = Date.now();
    const wantsMore = !askedForMore && queue.length <= lowWater;
    if (wantsMore || queue.length === 0 || now - lastPost >= REPORT_EVERY_MS) {
      post({ type: 'results', results: done, wantsMore });
      done = [];
      lastPost = now;
      if (wantsMore) askedForMore = true;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  working = false;
}

parentPort?.on('message', (message: ToCheckWorker) => {
  if (message.type === 'setup') {
    setup = message.setup;
    // Ready: only now, in answer to the setup, so the answer reaches a check that listens.
    post({ type: 'results', results: [], wantsMore: true });
  } else if (message.type === 'tasks') {
    queue.push(...message.tasks);
    lowWater = Math.max(1, Math.floor(message.tasks.length / 2));
    askedForMore = false;
    void work();
  } else {
    // The OCR worker (started by this thread's first at-risk image with ink to read) would outlive the check.
    void stopOcr().then(() => post({ type: 'stopped' }));
  }
});
