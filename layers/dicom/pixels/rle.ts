/**
 * RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, then one
 * PackBits segment per byte plane, most significant byte of each sample first,
 * sample by sample. Decoded to interleaved little-endian samples.
 */
import type { ImagePixelDescription } from './description';
import { decodedFrame, samplesFromLittleEndian, type DecodedFrame } from './decoded';
import { MAX_DECODED_FRAME_BYTES } from './codecs/codestream';
import { PixelDataError } from './errors';

export function decodeRle(frame: Uint8Array, pixel: ImagePixelDescription): DecodedFrame {
  if (pixel.bitsAllocated === 1) throw new PixelDataError('pixel data: RLE with BitsAllocated 1 is not supported');
  if (frame.byteLength < 64) throw new PixelDataError('pixel data: an RLE frame is shorter than its 64-byte header');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = view.getUint32(0, true);
  const width = pixel.bitsAllocated / 8;
  const spp = pixel.samplesPerPixel;
  if (segments !== width * spp) throw new PixelDataError(`pixel data: an RLE frame has ${segments} segments, ${width * spp} expected`);
  const offsets = Array.from({ length: segments }, (_, i) => view.getUint32(4 + i * 4, true));
  const pixels = pixel.rows * pixel.columns;
  if (pixels * spp * width > MAX_DECODED_FRAME_BYTES) {
    throw new PixelDataError(`pixel data: a decoded frame would take ${pixels * spp * width} bytes, more than ${MAX_DECODED_FRAME_BYTES}`);
  }
  const out = new Uint8Array(pixels * spp * width);
  for (let segment = 0; segment < segments; segment++) {
    const start = offsets[segment] as number;
    const end = segment + 1 < segments ? (offsets[segment + 1] as number) : frame.byteLength;
    if (start < 64 || end > frame.byteLength || start > end) throw new PixelDataError('pixel data: an RLE segment offset is out of range');
    const sample = Math.floor(segment / width);
    // Segments go from the most significant byte down; little-endian output puts that byte last.
    const byte = width - 1 - (segment % width);
    unpackBits(frame, start, end, out, sample * width + byte, spp * width, pixels);
  }
  return decodedFrame(pixel, samplesFromLittleEndian(out, pixel));
}

/** PackBits into every `stride`-th byte of `out` from `first`; stops at `count` bytes (segments may carry a pad byte). */
function unpackBits(src: Uint8Array, start: number, end: number, out: Uint8Array, first: number, stride: number, count: number): void {
  let written = 0;
  let at = first;
  let i = start;
  while (i < end && written < count) {
    const n = src[i++] as number;
    if (n < 128) {
      const literal = Math.min(n + 1, count - written, end - i);
      for (let k = 0; k < literal; k++, at += stride) out[at] = src[i + k] as number;
      i += n + 1;
      written += literal;
    } else if (n > 128) {
      if (i >= end) break;
      const value = src[i++] as number;
      const run = Math.min(257 - n, count - written);
      for (let k = 0; k < run; k++, at += stride) out[at] = value;
      written += run;
    }
    // n === 128 (-128): no operation
  }
  if (written < count) throw new PixelDataError(`pixel data: an RLE segment decodes to ${written} bytes, ${count} expected`);
}
