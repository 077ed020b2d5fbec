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

/** The smallest and largest stored value of a frame's samples, and whether every sample is its own stored value. */
interface StoredRange {
  readonly min: number;
  readonly max: number;
  /** No sample has bits set above Bits Stored or its sign bit unextended: `table[sample - offset]` needs no masking. */
  readonly samplesAreStored: boolean;
}

/**
 * The stored range of the frame's first `count` samples. Most frames' samples are their stored values
 * (a 12-bit value in a 16-bit word with the high bits clear, a signed one already sign-extended in an
 * Int16Array): the samples' own minimum and maximum, one pass without the mask and sign per sample, tell
 * which. Samples within [0, mask] (unsigned) or [-sign, sign - 1] (signed) are exactly those the mask and
 * sign leave as they are, so checking the two extremes checks them all; other frames take a masked pass.
 */
function storedRange(frame: RenderableFrame, count: number, known?: SampleRange): StoredRange {
  const { pixels } = frame;
  const bits = storedBits(frame);
  const samples: [number, number] | undefined = known
    ? [known.min, known.max]
    : count > 0 && isIntegerArray(pixels)
      ? sampleRange(pixels, count)
      : undefined;
  if (samples) {
    const [min, max] = samples;
    const fits = !bits || (bits.sign ? min >= -bits.sign && max < bits.sign : min >= 0 && max <= bits.mask);
    if (fits) return { min, max, samplesAreStored: true };
  }
  let min = Infinity;
  let max = -Infinity;
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
  return { min, max, samplesAreStored: !bits };
}

type IntegerArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

const isIntegerArray = (pixels: ArrayLike<number>): pixels is IntegerArray =>
  pixels instanceof Uint16Array ||
  pixels instanceof Int16Array ||
  pixels instanceof Uint8Array ||
  pixels instanceof Int8Array ||
  pixels instanceof Uint32Array ||
  pixels instanceof Int32Array;

/** The smallest and largest of the first `count` (at least one) samples. */
function sampleRange(pixels: IntegerArray, count: number): [number, number] {
  // A loop of its own for the two common sample types keeps each one's element reads monomorphic.
  if (pixels instanceof Uint16Array) return uint16Range(pixels, count);
  if (pixels instanceof Int16Array) return int16Range(pixels, count);
  return integerRange(pixels, count);
}

/** Both 16-bit lanes' top bits, the guard bits of the chunk test in uint16Range. */
const LANE_TOPS = 0x80008000 | 0;
/** Sample pairs per chunk of uint16Range: a chunk with a sample outside the range so far is read again sample by sample. */
const CHUNK_PAIRS = 64;

/**
 * The range of unsigned 16-bit samples, two at a time: while the range so far is below 0x8000, a chunk
 * of samples is tested against it with no branch per sample (per 16-bit lane of a 32-bit word, the top
 * bit of `(lane | 0x8000) - min` is set when lane >= min, of `(max | 0x8000) - lane` when lane <= max,
 * and lanes below 0x8000 never borrow from the next), and only a chunk that holds a new extreme is read
 * again one sample at a time: ~2.5 ms instead of ~5.7 (a comparison per sample) on a 2,048 x 2,499
 * radiograph. The samples past the last whole chunk, and all of them once the range reaches 0x8000,
 * are compared one by one.
 */
function uint16Range(pixels: Uint16Array, count: number): [number, number] {
  let min = pixels[0]!;
  let max = min;
  // The words start at the first sample on a 4-byte boundary: the first, or the second for a view 2 bytes off one.
  const from = (pixels.byteOffset / 2) % 2;
  const pairs = (count - from) >>> 1;
  const words = new Uint32Array(pixels.buffer, pixels.byteOffset + 2 * from, pairs - (pairs % CHUNK_PAIRS));
  let i = from;
  for (let w0 = 0; w0 < words.length && max < 0x8000; w0 += CHUNK_PAIRS * CHUNKS_PER_CALL) {
    const range = uint16RangeOfChunks(pixels, words, w0, Math.min(words.length, w0 + CHUNK_PAIRS * CHUNKS_PER_CALL), i, min, max);
    min = range & 0xffff;
    max = range >>> 16;
    i += 2 * (Math.min(words.length, w0 + CHUNK_PAIRS * CHUNKS_PER_CALL) - w0);
  }
  for (; i < count; i++) {
    const v = pixels[i]!;
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  return [min, max];
}

/**
 * Chunks per call of uint16RangeOfChunks. The chunks are a function of their own, called ~2,500 times per
 * radiograph, rather than a loop over the whole frame in uint16Range: a function called once per image with a
 * loop over five million samples is optimized by V8 on the stack (OSR) at each call once a full collection has
 * run since the last (in a commons' function thread, every radiograph or two), and ran unoptimized until then.
 */
const CHUNKS_PER_CALL = 16;

/**
 * uint16Range's chunks of words [w0, w1) (sample `i` the first of word w0), from the range so far: answers the
 * new range as min | max << 16. A chunk is tested without a branch per sample while the range is below 0x8000,
 * and read one sample at a time when it holds a new extreme or once the range reaches 0x8000.
 */
function uint16RangeOfChunks(pixels: Uint16Array, words: Uint32Array, w0: number, w1: number, i: number, min: number, max: number): number {
  for (let c = w0; c < w1; c += CHUNK_PAIRS, i += 2 * CHUNK_PAIRS) {
    if (max < 0x8000) {
      const low = min | (min << 16);
      const high = max | (max << 16) | LANE_TOPS;
      let inside = LANE_TOPS;
      for (let w = c; w < c + CHUNK_PAIRS; w++) {
        const pair = words[w]! | 0;
        inside &= ((pair | LANE_TOPS) - low) & (high - pair) & ~pair;
      }
      if (inside === LANE_TOPS) continue;
    }
    for (let k = i; k < i + 2 * CHUNK_PAIRS; k++) {
      const v = pixels[k]!;
      if (v < min) min = v;
      else if (v > max) max = v;
    }
  }
  return (min | (max << 16)) >>> 0;
}

function int16Range(pixels: Int16Array, count: number): [number, number] {
  let min = pixels[0]!;
  let max = min;
  for (let i = 1; i < count; i++) {
    const v = pixels[i]!;
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  return [min, max];
}

function integerRange(pixels: IntegerArray, count: number): [number, number] {
  let min = pixels[0]!;
  let max = min;
  for (let i = 1; i < count; i++) {
    const v = pixels[i]!;
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  return [min, max];
}

/** out[i] = table[stored value of sample i - offset], for the first `count` samples. */
function lookUpStored(frame: RenderableFrame, count: number, { table, offset, samplesAreStored }: DisplayTable, out: Uint8Array): void {
  const { pixels } = frame;
  const bits = storedBits(frame);
  if (!bits || samplesAreStored) {
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
 * own get the same pixels).
 */
export interface DisplayTable {
  readonly table: Uint8Array;
  readonly offset: number;
  /** Every sample of the frame is its stored value: `table[sample - offset]`, no mask or sign per sample. */
  readonly samplesAreStored: boolean;
}

/** The smallest and largest of a frame's first rows x columns samples as they are (not yet masked or signed). */
export interface SampleRange {
  readonly min: number;
  readonly max: number;
}

/**
 * The frame's display table; undefined when its stored values span more than 2^20 levels. `sampleRange`: the
 * samples' range where the caller has taken it already (the burned-in check, in WebAssembly), not taken again.
 */
export function grayscaleDisplayTable(
  frame: RenderableFrame,
  attributes: RenderAttributes,
  requested?: WindowParameter,
  sampleRange?: SampleRange,
): DisplayTable | undefined {
  const count = frame.rows * frame.columns;
  if (frame.pixels.length < count) throw new UnrenderableImage('the frame holds fewer samples than its rows and columns');
  const { min: minStored, max: maxStored, samplesAreStored } = storedRange(frame, count, sampleRange);
  if (maxStored - minStored > 1 << 20) return undefined;
  const display = displayFunction(frame, attributes, minStored, maxStored, requested);
  const table = new Uint8Array(maxStored - minStored + 1);
  for (let v = 0; v < table.length; v++) table[v] = display(v + minStored);
  return { table, offset: minStored, samplesAreStored };
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
    lookUpStored(frame, count, lookUp, out);
  } else {
    const stored = storedValueReader(frame.bitsStored, frame.pixelRepresentation === 1);
    const { min: minStored, max: maxStored } = storedRange(frame, count);
    const display = displayFunction(frame, attributes, minStored, maxStored, requested);
    for (let i = 0; i < count; i++) out[i] = display(stored(pixels[i]!));
  }
  return { width: columns, height: rows, channels: 1, data: out };
}
