/**
 * Runs an evaluator's ONNX model with onnxruntime-node (CPU). The model takes one float32
 * tensor [1, 1, height, width] and gives one score (the first value of its first output).
 * The package is native: the Lambda bundle carries it beside index.js (infra/constructs/onnx-assets.ts).
 *
 * The runtime lives in a worker thread of its own. Two reasons: inference does not block the
 * handler's event loop, and the worker is a plain Node realm: inside jest's sandbox (the local
 * commons of integration tests) onnxruntime refuses the typed arrays its own native binding
 * returns ("A float32 tensor's data must be type of function Float32Array"), as they belong to
 * another realm than the sandbox's. The worker's code is evaluated as a script and requires the
 * package from the working directory's node_modules (the repository locally, /var/task in Lambda).
 */
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require('onnxruntime-node');
const ready = ort.InferenceSession.create(workerData.model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
ready.catch(() => undefined);
parentPort.on('message', async ({ id, input, dims }) => {
  try {
    const session = await ready;
    const outputs = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, dims) });
    parentPort.postMessage({ id, score: Number(outputs[session.outputNames[0]].data[0]) });
  } catch (error) {
    parentPort.postMessage({ id, error: error && error.name ? error.name : 'Error' });
  }
});
`;

interface Reply {
  readonly id: number;
  readonly score?: number;
  readonly error?: string;
}

export class ModelSession {
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (score: number) => void; reject: (error: Error) => void }>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: Reply) => {
      const pending = this.waiting.get(reply.id);
      if (!pending) return;
      this.waiting.delete(reply.id);
      if (reply.error !== undefined) pending.reject(new ModelRunFailed(`the model could not be run (${reply.error})`));
      else if (reply.score === undefined || !Number.isFinite(reply.score))
        pending.reject(new ModelOutputInvalid('the model gave no finite score'));
      else pending.resolve(reply.score);
    });
    worker.on('error', (error) => this.failAll(new ModelRunFailed(`the model runtime stopped (${error.name})`)));
    worker.on('exit', () => this.failAll(new ModelRunFailed('the model runtime stopped')));
    // An idle session does not keep the process alive.
    worker.unref();
  }

  static async load(model: Uint8Array): Promise<ModelSession> {
    return new ModelSession(new Worker(WORKER_SOURCE, { eval: true, workerData: { model } }));
  }

  score(input: Float32Array, height: number, width: number): Promise<number> {
    const id = (this.next += 1);
    return new Promise<number>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, input, dims: [1, 1, height, width] });
    }).finally(() => {
      if (this.waiting.size === 0) this.worker.unref();
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private failAll(error: Error): void {
    for (const pending of this.waiting.values()) pending.reject(error);
    this.waiting.clear();
  }
}

/** The model could not be loaded or run (value-free: the runtime's error name only). */
export class ModelRunFailed extends Error {
  override readonly name = 'ModelRunFailed';
}

/** The model's output is not a finite number (value-free). */
export class ModelOutputInvalid extends Error {
  override readonly name = 'ModelOutputInvalid';
}
