/**
 * From a decoded image to the model's input tensor: modality values (rescale slope and
 * intercept applied), resampled to the declared size by nearest neighbour (each output pixel
 * takes the input pixel its centre falls on), then windowed or normalized. The first sample of
 * each pixel is used (a colour image is read by its first channel).
 */
import type { EvaluationSpec } from './spec';

export interface ModelImage {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  /** Stored values, interleaved. */
  readonly pixels: ArrayLike<number>;
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
}

/** The linear VOI function of PS3.3 C.11.2.1.2.1, output in [0, 1]. */
export function windowed(value: number, center: number, width: number): number {
  if (value <= center - 0.5 - (width - 1) / 2) return 0;
  if (value > center - 0.5 + (width - 1) / 2) return 1;
  return (value - (center - 0.5)) / (width - 1) + 0.5;
}

export function modelInput(image: ModelImage, spec: Pick<EvaluationSpec, 'input' | 'preprocessing'>): Float32Array {
  const { width, height } = spec.input;
  const out = new Float32Array(width * height);
  const transform =
    spec.preprocessing.kind === 'window'
      ? (
          (c, w) => (v: number) =>
            windowed(v, c, w)
        )(spec.preprocessing.center, spec.preprocessing.width)
      : (
          (m, s) => (v: number) =>
            (v - m) / s
        )(spec.preprocessing.mean, spec.preprocessing.std);
  for (let y = 0; y < height; y += 1) {
    const sourceRow = Math.min(image.rows - 1, Math.floor(((y + 0.5) * image.rows) / height));
    for (let x = 0; x < width; x += 1) {
      const sourceColumn = Math.min(image.columns - 1, Math.floor(((x + 0.5) * image.columns) / width));
      const stored = image.pixels[(sourceRow * image.columns + sourceColumn) * image.samplesPerPixel]!;
      out[y * width + x] = transform(stored * image.rescaleSlope + image.rescaleIntercept);
    }
  }
  return out;
}
