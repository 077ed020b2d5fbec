/**
 * The burned-in text check's ink page and ink components as session 10 computed them, pass by pass
 * (render to 8 bits through renderFrame, downsample, block medians, interpolated background, distance,
 * ink; components by a scan of every pixel): the reference layers/ingest/burned-in's fused passes
 * (ink-page.ts, flatten.ts, ink-components.ts) must equal byte for byte. Copied from 47f4d71; kept
 * plain on purpose, never optimised.
 */
import { decodeFrame, readDicomHeader, storedFrames } from '../../layers/dicom';
import { renderAttributes, renderFrame } from '../../layers/dicomweb/render';
import type { OcrImage } from '../../layers/ingest/burned-in/image';
import type { InkComponent } from '../../layers/ingest/burned-in/ink-components';

const BACKGROUND_BLOCK = 32;
const MIN_INK_FLOOR = 16;
const MAX_INK_FLOOR = 48;
const INK_GAIN = 4;

/** image.ts's ocrImageOf at 47f4d71. */
export async function referenceOcrImage(part10: Uint8Array, maxDimension: number): Promise<OcrImage> {
  const stored = storedFrames(part10);
  const first = stored.frames[0];
  if (!first) throw new Error('the instance has no frame');
  const decoded = await decodeFrame(first, stored.transferSyntaxUid, stored.pixel);
  const attributes = renderAttributes(readDicomHeader(part10).dict, 0);
  const { windows: _windows, voiLut: _voiLut, ...rest } = attributes;
  const rendered = renderFrame(decoded, { ...rest, windows: [] });
  const gray = rendered.channels === 1 ? rendered.data : luminance(rendered.data);
  return downsample(
    rendered.width,
    rendered.height,
    gray,
    Math.max(1, Math.ceil(Math.max(rendered.width, rendered.height) / maxDimension)),
  );
}

function luminance(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length / 3);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!);
  return out;
}

function downsample(width: number, height: number, gray: Uint8Array, factor: number): OcrImage {
  if (factor === 1) return { width, height, gray, factor };
  const w = Math.floor(width / factor);
  const h = Math.floor(height / factor);
  const out = new Uint8Array(w * h);
  const area = factor * factor;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = 0; dy < factor; dy++) {
        const row = (y * factor + dy) * width + x * factor;
        for (let dx = 0; dx < factor; dx++) sum += gray[row + dx]!;
      }
      out[y * w + x] = Math.round(sum / area);
    }
  }
  return { width: w, height: h, gray: out, factor };
}

/** flatten.ts's block medians at 47f4d71. */
export function referenceBlockMedians(image: OcrImage, block: number, columns: number, rows: number): Float32Array {
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

function inkFloor(distanceHistogram: Uint32Array, samples: number): number {
  let level = 0;
  for (let seen = distanceHistogram[0]!; seen < samples / 2 && level < 255;) seen += distanceHistogram[++level]!;
  return Math.min(MAX_INK_FLOOR, Math.max(MIN_INK_FLOOR, 4 * level));
}

/** flatten.ts's inkOnPaper at 47f4d71. */
export function referenceInkOnPaper(image: OcrImage, block = BACKGROUND_BLOCK): OcrImage {
  const { width, height, gray } = image;
  const columns = Math.ceil(width / block);
  const rows = Math.ceil(height / block);
  const medians = referenceBlockMedians(image, block, columns, rows);
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

/** ink-components.ts's inkComponents at 47f4d71. */
export function referenceInkComponents(page: OcrImage): { components: InkComponent[]; pixels: Int32Array } {
  const { width: w, height: h, gray } = page;
  const seen = new Uint8Array(w * h);
  const components: InkComponent[] = [];
  let pixels: Int32Array = new Int32Array(4096);
  let used = 0;
  const grown = (): Int32Array => {
    const larger = new Int32Array(pixels.length * 2);
    larger.set(pixels);
    return larger;
  };
  for (let seed = 0; seed < gray.length; seed++) {
    if (gray[seed] === 255 || seen[seed]) continue;
    const start = used;
    seen[seed] = 1;
    if (used === pixels.length) pixels = grown();
    pixels[used++] = seed;
    let [x0, y0, x1, y1, darkest] = [w, h, -1, -1, 255];
    for (let next = start; next < used; next++) {
      const i = pixels[next]!;
      const x = i % w;
      const y = (i - x) / w;
      if (gray[i]! < darkest) darkest = gray[i]!;
      [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
      const left = x > 0 ? x - 1 : x;
      const right = x < w - 1 ? x + 1 : x;
      const bottom = y < h - 1 ? y + 1 : y;
      for (let yy = y > 0 ? y - 1 : y; yy <= bottom; yy++) {
        for (let xx = left; xx <= right; xx++) {
          const j = yy * w + xx;
          if (gray[j] === 255 || seen[j]) continue;
          seen[j] = 1;
          if (used === pixels.length) pixels = grown();
          pixels[used++] = j;
        }
      }
    }
    const half = (darkest + 255) / 2;
    let strokePixels = 0;
    for (let k = start; k < used; k++) if (gray[pixels[k]!]! < half) strokePixels++;
    components.push({ x0, y0, x1, y1, darkest, start, end: used, strokePixels });
  }
  return { components, pixels };
}
