/**
 * Runs an evaluator's ONNX model with onnxruntime-node (CPU). The model takes one float32
 * tensor [1, 1, height, width] and gives one score (the first value of its first output).
 * The package is native: the Lambda bundle carries it beside index.js (infra/constructs/onnx-assets.ts).
 */
import * as ort from 'onnxruntime-node';

export class ModelSession {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async load(model: Uint8Array): Promise<ModelSession> {
    // One thread: a Lambda's vCPU share, and no oversubscription when tests run several at once.
    return new ModelSession(await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 }));
  }

  async score(input: Float32Array, height: number, width: number): Promise<number> {
    const inputName = this.session.inputNames[0]!;
    const outputName = this.session.outputNames[0]!;
    const outputs = await this.session.run({ [inputName]: new ort.Tensor('float32', input, [1, 1, height, width]) });
    const value = Number((outputs[outputName]!.data as ArrayLike<number>)[0]);
    if (!Number.isFinite(value)) throw new ModelOutputInvalid('the model gave no finite score');
    return value;
  }
}

/** The model's output is not a finite number (value-free). */
export class ModelOutputInvalid extends Error {
  override readonly name = 'ModelOutputInvalid';
}
