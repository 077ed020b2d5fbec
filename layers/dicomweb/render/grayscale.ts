/**
 * The grayscale pipeline of PS3.4 N.2.1 down to 8-bit display values: stored value ->
 * Modality LUT (Rescale Slope/Intercept, or a Modality LUT Sequence) -> VOI (the
 * requested window, else the header's first window, else its first VOI LUT, else the
 * frame's own minimum to maximum) -> MONOCHROME1 inverted. The transform is computed
 * once per distinct stored value of the frame and applied through a table.
 */
import type { Lut, RenderAttributes } from './attributes';
import type { RenderableFrame, RenderedImage } from './image';
import { UnrenderableImage } from './image';
import type { VoiFunction, WindowParameter } from './parameters';

const OUT_MAX = 255;

/** The stored value of a sample: bits above Bits Stored dropped, two's complement when Pixel Representation is 1. */
export function storedValueReader(bitsStored: number, signed: boolean): (raw: number) => number {
  if (bitsStored >= 32) return (raw) => raw;
  // Samples are integers of at most 32 bits, so masking (two's complement for negative ones) is the modulo, without its cost per sample.
  const mask = 2 ** bitsStored - 1;
  const sign = 2 ** (bitsStored - 1);
  return signed ? (raw) => ((raw & mask) ^ sign) - sign : (raw) => raw & mask;
}

/**
 * The bits of a stored value: Bits Stored as a mask, and its sign bit when Pixel Representation is 1
 * (`((raw & mask) ^ sign) - sign`); undefined for 32 bits, whose samples are their values.
 */
function storedBits(frame: RenderableFrame): { mask: number; sign: number } | undefined {
  if (frame.bitsStored >= 32) return undefined;
  return { mask: 2 ** frame.bitsStored - 1, sign: frame.pixelRepresentation === 1 ? 2 ** (frame.bitsStored - 1) : 0 };
}

/** The smallest and largest stored value of the frame's first `count` samples. */
function storedRange(frame: RenderableFrame, count: number): [number, number] {
  const { pixels } = frame;
  let min = Infinity;
  let max = -Infinity;
  const bits = storedBits(frame);
  // One loop per case rather than a reader called per sample: this runs over every pixel of 5-megapixel radiographs.
  if (!bits) {
    for (let i = 0; i < count; i++) {
      const v = pixels[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  } else {
    const { mask, sign } = bits;
    for (let i = 0; i < count; i++) {
      const v = ((pixels[i]! & mask) ^ sign) - sign;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return [min, max];
}

/** out[i] = table[stored value of sample i - offset], for the first `count` samples. */
function lookUpStored(frame: RenderableFrame, count: number, table: Uint8Array, offset: number, out: Uint8Array): void {
  const { pixels } = frame;
  const bits = storedBits(frame);
  if (!bits) {
    for (let i = 0; i < count; i++) out[i] = table[pixels[i]! - offset]!;
    return;
  }
  const { mask, sign } = bits;
  for (let i = 0; i < count; i++) out[i] = table[((pixels[i]! & mask) ^ sign) - sign - offset]!;
}

const lookup = (lut: Lut, value: number): number => {
  const index = Math.min(Math.max(Math.round(value) - lut.firstMapped, 0), lut.data.length - 1);
  return lut.data[index]!;
};

/** A VOI window (PS3.3 C.11.2.1.2) onto 0..255. */
export function windowFunction(center: number, width: number, fn: VoiFunction): (x: number) => number {
  if (fn === 'SIGMOID') return (x) => OUT_MAX / (1 + Math.exp((-4 * (x - center)) / width));
  if (fn === 'LINEAR_EXACT') {
    const low = center - width / 2;
    const high = center + width / 2;
    return (x) => (x <= low ? 0 : x > high ? OUT_MAX : ((x - center) / width + 0.5) * OUT_MAX);
  }
  if (width <= 1) return (x) => (x <= center - 0.5 ? 0 : OUT_MAX);
  const low = center - 0.5 - (width - 1) / 2;
  const high = center - 0.5 + (width - 1) / 2;
  return (x) => (x <= low ? 0 : x > high ? OUT_MAX : ((x - (center - 0.5)) / (width - 1) + 0.5) * OUT_MAX);
}

function voiLutFunction(lut: Lut): (x: number) => number {
  // The descriptor's bit depth is the range of the entries; some writers understate it, so the largest entry bounds it too.
  let largest = 0;
  for (const v of lut.data) if (v > largest) largest = v;
  const top = Math.max(2 ** Math.min(lut.bits, 16) - 1, largest, 1);
  return (x) => (lookup(lut, x) / top) * OUT_MAX;
}

/** The min/max window of the modality values the frame holds (dcmtk's min-max window): min to 0, max to 255. */
function minMaxFunction(min: number, max: number): (x: number) => number {
  if (max <= min) return () => 0;
  return windowFunction((min + max + 1) / 2, max - min + 1, 'LINEAR');
}

/**
 * Display values of the stored values the frame holds, as a table: `table[stored value - offset]` is
 * the 8-bit value renderGrayscale gives a sample (callers that fuse the lookup into a pass of their
 * own get the same pixels); undefined when the frame's stored values span more than 2^20 levels.
 */
export function grayscaleDisplayTable(
  frame: RenderableFrame,
  attributes: RenderAttributes,
  requested?: WindowParameter,
): { table: Uint8Array; offset: number } | undefined {
  const count = frame.rows * frame.columns;
  if (frame.pixels.length < count) throw new UnrenderableImage('the frame holds fewer samples than its rows and columns');
  const [minStored, maxStored] = storedRange(frame, count);
  if (maxStored - minStored > 1 << 20) return undefined;
  const display = displayFunction(frame, attributes, minStored, maxStored, requested);
  const table = new Uint8Array(maxStored - minStored + 1);
  for (let v = 0; v < table.length; v++) table[v] = display(v + minStored);
  return { table, offset: minStored };
}

/** Stored value -> 8-bit display value: Modality LUT, VOI, MONOCHROME1 inversion. */
function displayFunction(
  frame: RenderableFrame,
  attributes: RenderAttributes,
  minStored: number,
  maxStored: number,
  requested: WindowParameter | undefined,
): (v: number) => number {
  const modality = attributes.modalityLut
    ? (v: number) => lookup(attributes.modalityLut!, v)
    : (v: number) => v * attributes.rescaleSlope + attributes.rescaleIntercept;

  let voi: (x: number) => number;
  const headerWindow = attributes.windows[0];
  if (requested) voi = windowFunction(requested.center, requested.width, requested.fn);
  else if (headerWindow) voi = windowFunction(headerWindow.center, headerWindow.width, attributes.voiFunction);
  else if (attributes.voiLut) voi = voiLutFunction(attributes.voiLut);
  else {
    let lo = Infinity;
    let hi = -Infinity;
    const span = maxStored - minStored;
    if (attributes.modalityLut && span <= 1 << 20) {
      for (let v = minStored; v <= maxStored; v++) {
        const m = modality(v);
        if (m < lo) lo = m;
        if (m > hi) hi = m;
      }
    } else {
      const a = modality(minStored);
      const b = modality(maxStored);
      lo = Math.min(a, b);
      hi = Math.max(a, b);
    }
    voi = minMaxFunction(lo, hi);
  }
  const invert = frame.photometricInterpretation.trim().toUpperCase() === 'MONOCHROME1';
  // Truncated, not rounded, after the inversion, as dcmtk does, so references match exactly; the epsilon
  // keeps a value that is an integer in exact arithmetic (17 computed as 16.999999999) from dropping a level.
  return (v: number): number => {
    const y = voi(modality(v));
    return Math.min(Math.max(Math.floor((invert ? OUT_MAX - y : y) + 1e-6), 0), OUT_MAX);
  };
}

export function renderGrayscale(frame: RenderableFrame, attributes: RenderAttributes, requested?: WindowParameter): RenderedImage {
  const { rows, columns, pixels } = frame;
  const count = rows * columns;
  const out = new Uint8Array(count);
  const lookUp = grayscaleDisplayTable(frame, attributes, requested);
  if (lookUp) {
    lookUpStored(frame, count, lookUp.table, lookUp.offset, out);
  } else {
    const stored = storedValueReader(frame.bitsStored, frame.pixelRepresentation === 1);
    const [minStored, maxStored] = storedRange(frame, count);
    const display = displayFunction(frame, attributes, minStored, maxStored, requested);
    for (let i = 0; i < count; i++) out[i] = display(stored(pixels[i]!));
  }
  return { width: columns, height: rows, channels: 1, data: out };
}
