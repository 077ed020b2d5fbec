/**
 * The page Tesseract reads: text of either polarity as dark ink on white paper. A radiograph's
 * labels are bright on a dark border or dark over bright anatomy; Tesseract binarises with one
 * threshold for the whole page, which splits anatomy from border and leaves faint labels on the
 * wrong side of it (bench burned-in: the faintest contrast step and border lines were its misses).
 * Here each pixel's distance from its neighbourhood's background (the median of its block,
 * interpolated between blocks, so strokes covering less than half a block do not move it) becomes
 * ink: smooth anatomy and noise turn white, strokes black, whichever way they differ.
 */
import type { OcrImage } from './image';

/** Side of the blocks whose medians are the background (OCR pixels): more than twice the tallest line of text the check targets. */
export const BACKGROUND_BLOCK = 32;
/** Distances below this many gray levels are paper: noise and soft anatomy (raised on noisier images, see inkFloor). */
const MIN_INK_FLOOR = 16;
const MAX_INK_FLOOR = 48;
/** Gray levels of ink per level of distance above the floor: 64 levels above it is black. */
export const INK_GAIN = 4;

/** Each block's median gray level, blocks row by row. */
function blockMedians(image: OcrImage, block: number, columns: number, rows: number): Float32Array {
  const { width, height, gray } = image;
  const medians = new Float32Array(columns * rows);
  const histogram = new Uint32Array(256);
  for (let by = 0; by < rows; by++) {
    const y1 = Math.min(height, (by + 1) * block);
    for (let bx = 0; bx < columns; bx++) {
      histogram.fill(0);
      const x0 = bx * block;
      const x1 = Math.min(width, x0 + block);
      for (let y = by * block; y < y1; y++) for (let i = y * width + x0, end = y * width + x1; i < end; i++) histogram[gray[i]!]!++;
      const half = ((x1 - x0) * (y1 - by * block)) / 2;
      let level = 0;
      for (let seen = histogram[0]!; seen < half;) seen += histogram[++level]!;
      medians[by * columns + bx] = level;
    }
  }
  return medians;
}

/** Where pixel `p` falls between block centres: the lower block's index and the weight of the next, per pixel. */
function interpolation(pixels: number, block: number, blocks: number): { lower: Int32Array; weight: Float32Array } {
  const lower = new Int32Array(pixels);
  const weight = new Float32Array(pixels);
  for (let p = 0; p < pixels; p++) {
    const at = Math.min(blocks - 1, Math.max(0, (p + 0.5) / block - 0.5));
    lower[p] = Math.min(blocks - 2, Math.floor(at));
    weight[p] = blocks > 1 ? at - lower[p]! : 0;
    if (blocks === 1) lower[p] = 0;
  }
  return { lower, weight };
}

/** The paper's level: four median absolute distances (the image's own noise), within bounds. */
function inkFloor(distanceHistogram: Uint32Array, samples: number): number {
  let level = 0;
  for (let seen = distanceHistogram[0]!; seen < samples / 2 && level < 255;) seen += distanceHistogram[++level]!;
  return Math.min(MAX_INK_FLOOR, Math.max(MIN_INK_FLOOR, 4 * level));
}

/** The image with every stroke dark on white (same size and factor). */
export function inkOnPaper(image: OcrImage, block = BACKGROUND_BLOCK): OcrImage {
  const { width, height, gray } = image;
  const columns = Math.ceil(width / block);
  const rows = Math.ceil(height / block);
  const medians = blockMedians(image, block, columns, rows);
  const across = interpolation(width, block, columns);
  const down = interpolation(height, block, rows);
  const distance = new Uint8Array(width * height);
  const distances = new Uint32Array(256);
  const background = new Float32Array(width);
  const rowOf = new Float32Array(columns);
  for (let y = 0; y < height; y++) {
    const upper = down.lower[y]! * columns;
    const lowerRow = Math.min(rows - 1, down.lower[y]! + 1) * columns;
    const t = down.weight[y]!;
    for (let bx = 0; bx < columns; bx++) rowOf[bx] = medians[upper + bx]! * (1 - t) + medians[lowerRow + bx]! * t;
    for (let x = 0; x < width; x++) {
      const left = across.lower[x]!;
      const right = Math.min(columns - 1, left + 1);
      const s = across.weight[x]!;
      background[x] = rowOf[left]! * (1 - s) + rowOf[right]! * s;
    }
    for (let x = 0, i = y * width; x < width; x++, i++) {
      const d = Math.min(255, Math.abs(gray[i]! - background[x]!) + 0.5) | 0;
      distance[i] = d;
      distances[d]!++;
    }
  }
  const floor = inkFloor(distances, width * height);
  const ink = new Uint8Array(256);
  for (let d = 0; d < 256; d++) ink[d] = 255 - Math.min(255, Math.max(0, (d - floor) * INK_GAIN));
  for (let i = 0; i < distance.length; i++) distance[i] = ink[distance[i]!]!;
  return { ...image, gray: distance };
}
