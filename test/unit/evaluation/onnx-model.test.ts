import { ModelSession } from '../../../layers/adapters/onnx/model-session';
import { modelInput } from '../../../layers/evaluation';
import { meanModel } from '../../support/onnx-model';

describe('the test ONNX model (test/support/onnx-model.ts) run by ModelSession', () => {
  it('scores an input with the mean of its values, whatever their order', async () => {
    const session = await ModelSession.load(meanModel(2, 3));
    expect(await session.score(Float32Array.from([1, 2, 3, 4, 5, 9]), 2, 3)).toBeCloseTo(4, 6);
    expect(await session.score(Float32Array.from([9, 0, 0, 0, 0, 0]), 2, 3)).toBeCloseTo(1.5, 6);
  });

  it('scores a windowed, resampled image with the mean of its windowed values', async () => {
    // A 4 x 4 image of two values, half and half, resampled to 2 x 2 (each output pixel takes one quadrant's value).
    const pixels = Uint16Array.from([0, 0, 100, 100, 0, 0, 100, 100, 0, 0, 100, 100, 0, 0, 100, 100]);
    const input = modelInput(
      { rows: 4, columns: 4, samplesPerPixel: 1, pixels, rescaleSlope: 2, rescaleIntercept: -100 },
      { input: { width: 2, height: 2 }, preprocessing: { kind: 'normalize', mean: 50, std: 10 } },
    );
    // Modality values -100 and 100; normalized: -15 and 5; mean of [-15, 5, -15, 5] = -5.
    expect([...input]).toEqual([-15, 5, -15, 5]);
    const session = await ModelSession.load(meanModel(2, 2));
    expect(await session.score(input, 2, 2)).toBeCloseTo(-5, 6);
  });
});
