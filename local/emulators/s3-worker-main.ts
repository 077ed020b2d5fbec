import { parentPort, workerData } from 'node:worker_threads';
import { startS3OnThisThread, type S3Emulator } from './s3';
import type { FromS3Worker, S3WorkerSetup, ToS3Worker } from './s3-thread';

/**
 * The S3 emulator's worker thread (`s3-thread.ts` starts it through `s3-worker.js`): runs the
 * emulator here and posts to the main thread what it needs there (requests to meter, events
 * for the bus, log lines).
 */

const channel = parentPort;
if (!channel) throw new Error('s3-worker-main runs in a worker thread');
const setup = workerData as S3WorkerSetup;
// The calling thread counts the messages it has handled in `received` (s3-thread.ts); `posted` counts ours.
const received = new Int32Array(setup.received);
let posted = 0;
const post = (message: FromS3Worker) => {
  posted = (posted + 1) | 0;
  channel.postMessage(message);
};

/**
 * Resolves once the calling thread has handled every message posted so far. A port's messages and a
 * socket's bytes reach that thread by different ways, and an answer the direct path sends microseconds after
 * its count or event could otherwise be read first: each answer waits for this (`delivered`).
 */
async function delivered(): Promise<void> {
  for (;;) {
    const seen = Atomics.load(received, 0);
    if (((seen - posted) | 0) >= 0) return;
    const waiting = Atomics.waitAsync(received, 0, seen);
    if (waiting.async) await waiting.value;
  }
}

let emulator: S3Emulator | undefined;
channel.on('message', (message: ToS3Worker) => {
  if (message.type === 'allowOrigin') emulator?.allowOrigin(message.origin);
  else if (message.type === 'stop') void stop();
});

async function stop(): Promise<void> {
  try {
    await emulator?.stop();
  } finally {
    post({ type: 'stopped' });
    channel?.close();
  }
}

startS3OnThisThread({
  dataDir: setup.dataDir,
  buckets: setup.buckets,
  credentials: setup.credentials,
  corsOrigins: setup.corsOrigins,
  ...(setup.port !== undefined ? { port: setup.port } : {}),
  thread: 'main',
  delivered,
  ...(setup.directObjects !== undefined ? { directObjects: setup.directObjects } : {}),
  log: (message) => post({ type: 'log', message }),
  ...(setup.metered ? { meter: { s3Request: (requestClass) => post({ type: 'request', requestClass }) } } : {}),
  ...(setup.notifying ? { onEvent: (event) => post({ type: 'event', event }) } : {}),
}).then(
  (started) => {
    emulator = started;
    post({ type: 'ready', port: started.port });
  },
  (error: unknown) => {
    const e = error instanceof Error ? error : new Error(String(error));
    const code = (e as NodeJS.ErrnoException).code;
    post({ type: 'failed', name: e.name, message: e.message, ...(code ? { code } : {}) });
    channel.close();
  },
);
