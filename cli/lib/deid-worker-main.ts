/** A `hilum deid` worker thread: takes file tasks, answers with results. */
import { parentPort, workerData } from 'node:worker_threads';
import { deidentifyOneFile } from './deid-file';
import type { FileTask, WorkerSetup } from './deid-protocol';

const setup = workerData as WorkerSetup;
let peakMemoryBytes = 0;

function sample(): void {
  const m = process.memoryUsage();
  peakMemoryBytes = Math.max(peakMemoryBytes, m.heapUsed + m.external + m.arrayBuffers);
}

parentPort?.on('message', (message: FileTask | 'report') => {
  if (message === 'report') {
    parentPort?.postMessage({ peakMemoryBytes });
    return;
  }
  const result = deidentifyOneFile(message, setup);
  sample();
  parentPort?.postMessage(result);
});
