/**
 * `viewport=vw,vh[,sx,sy,sw,sh]` (PS3.18 8.3.5.1.3): the source region (sx, sy, |sw|, |sh|;
 * defaults: the whole image from the offset on; a negative sw or sh flips that axis) is
 * scaled to fit within vw x vh, keeping its aspect ratio, so the answer may be narrower or
 * shorter than the viewport but never larger. Resampling is separable: bilinear when
 * enlarging, an area average when reducing (no aliasing in thumbnails).
 */
import type { RenderedImage } from './image';
import type { ViewportParameter } from './parameters';
import { InvalidRenderParameter } from './parameters';

interface Taps {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly index: Int32Array;
  readonly weight: Float32Array;
}

/**
 * For each output coordinate, the source coordinates and weights that make it: the
 * overlap of each source pixel with the output pixel's footprint when reducing (an area
 * average), the two nearest source pixels when enlarging (bilinear).
 */
function taps(sourceStart: number, sourceLength: number, outLength: number, flip: boolean): Taps {
  const scale = outLength / sourceLength;
  const start = new Int32Array(outLength);
  const count = new Int32Array(outLength);
  const index: number[] = [];
  const weight: number[] = [];
  const push = (i: number, w: number) => {
    const clamped = Math.min(Math.max(i, 0), sourceLength - 1);
    index.push(sourceStart + (flip ? sourceLength - 1 - clamped : clamped));
    weight.push(w);
  };
  for (let o = 0; o < outLength; o++) {
    start[o] = index.length;
    if (scale < 1) {
      const from = o / scale;
      const to = Math.min((o + 1) / scale, sourceLength);
      for (let i = Math.floor(from); i < to; i++) {
        const w = Math.min(i + 1, to) - Math.max(i, from);
        if (w > 0) push(i, w / (to - from));
      }
    } else {
      const center = (o + 0.5) / scale - 0.5;
      const left = Math.floor(center);
      const fraction = center - left;
      push(left, 1 - fraction);
      if (fraction > 0) push(left + 1, fraction);
    }
    count[o] = index.length - start[o]!;
  }
  return { start, count, index: Int32Array.from(index), weight: Float32Array.from(weight) };
}

/** The region and the output size a viewport asks of an image. */
export function viewportGeometry(
  image: { width: number; height: number },
  viewport: ViewportParameter,
): { x: number; y: number; width: number; height: number; flipX: boolean; flipY: boolean; outWidth: number; outHeight: number } {
  const x = viewport.region?.x ?? 0;
  const y = viewport.region?.y ?? 0;
  const sw = viewport.region?.width;
  const sh = viewport.region?.height;
  if (x >= image.width || y >= image.height) throw new InvalidRenderParameter('viewport source region lies outside the image');
  const width = Math.min(Math.abs(sw ?? image.width - x), image.width - x);
  const height = Math.min(Math.abs(sh ?? image.height - y), image.height - y);
  const scale = Math.min(viewport.width / width, viewport.height / height);
  return {
    x,
    y,
    width,
    height,
    flipX: (sw ?? 1) < 0,
    flipY: (sh ?? 1) < 0,
    outWidth: Math.max(1, Math.min(viewport.width, Math.round(width * scale))),
    outHeight: Math.max(1, Math.min(viewport.height, Math.round(height * scale))),
  };
}

export function applyViewport(image: RenderedImage, viewport: ViewportParameter): RenderedImage {
  const g = viewportGeometry(image, viewport);
  const { channels } = image;
  const across = taps(g.x, g.width, g.outWidth, g.flipX);
  const down = taps(g.y, g.height, g.outHeight, g.flipY);

  // Rows first (only the region's rows), then columns.
  const rowsPass = new Float32Array(g.height * g.outWidth * channels);
  for (let r = 0; r < g.height; r++) {
    const sourceRow = (g.y + r) * image.width;
    for (let o = 0; o < g.outWidth; o++) {
      const s = across.start[o]!;
      const n = across.count[o]!;
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < n; k++) sum += image.data[(sourceRow + across.index[s + k]!) * channels + c]! * across.weight[s + k]!;
        rowsPass[(r * g.outWidth + o) * channels + c] = sum;
      }
    }
  }
  const out = new Uint8Array(g.outWidth * g.outHeight * channels);
  for (let o = 0; o < g.outHeight; o++) {
    const s = down.start[o]!;
    const n = down.count[o]!;
    for (let col = 0; col < g.outWidth; col++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < n; k++) sum += rowsPass[((down.index[s + k]! - g.y) * g.outWidth + col) * channels + c]! * down.weight[s + k]!;
        out[(o * g.outWidth + col) * channels + c] = Math.min(Math.max(Math.round(sum), 0), 255);
      }
    }
  }
  return { width: g.outWidth, height: g.outHeight, channels, data: out };
}
