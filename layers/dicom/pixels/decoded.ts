/** A decoded frame: interleaved samples in a typed array chosen by BitsAllocated and PixelRepresentation. */
import type { ImagePixelDescription } from './description';
import { PixelDataError } from './errors';

export type PixelSamples = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

/**
 * The description of `pixels`: one frame (numberOfFrames 1), interleaved (planarConfiguration 0),
 * with the photometric interpretation the decoder produced (RGB where it converted YBR).
 */
export interface DecodedFrame extends ImagePixelDescription {
  pixels: PixelSamples;
}

export function sampleCount(pixel: ImagePixelDescription): number {
  return pixel.rows * pixel.columns * pixel.samplesPerPixel;
}

/**
 * The little-endian sample bytes as the typed array for the description: a view of `bytes` where their offset
 * suits the sample width (a native frame read in place, as a decoder's own output: no copy of a 10 MB frame),
 * else a copy. The samples may share the file's memory: readers read them, nothing writes into them.
 */
export function samplesFromLittleEndian(bytes: Uint8Array, pixel: ImagePixelDescription): PixelSamples {
  const count = sampleCount(pixel);
  const width = pixel.bitsAllocated / 8;
  if (bytes.byteLength < count * width) {
    throw new PixelDataError(`pixel data: a frame needs ${count * width} bytes, ${bytes.byteLength} decoded`);
  }
  // The view starts at the bytes' own offset: a Node Buffer (what S3 and readFileSync give) is often a view into a
  // larger one. An offset that is not a multiple of the sample width cannot start a typed array: those are copied
  // (explicitly: a Buffer's slice() is a view too).
  const source = bytes.byteOffset % width === 0 ? bytes : copyOf(bytes.subarray(0, count * width));
  const { buffer, byteOffset } = source;
  const signed = pixel.pixelRepresentation === 1;
  // Typed arrays read in the machine's order; every platform Node runs on here is little-endian.
  switch (pixel.bitsAllocated) {
    case 8:
      return signed ? new Int8Array(buffer, byteOffset, count) : new Uint8Array(buffer, byteOffset, count);
    case 16:
      return signed ? new Int16Array(buffer, byteOffset, count) : new Uint16Array(buffer, byteOffset, count);
    case 32:
      return signed ? new Int32Array(buffer, byteOffset, count) : new Uint32Array(buffer, byteOffset, count);
    default:
      throw new PixelDataError(`pixel data: BitsAllocated ${pixel.bitsAllocated} has no sample type`);
  }
}

function copyOf(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

/** Planar (RRR..GGG..BBB..) to interleaved (RGBRGB..), for samples of any width. */
export function interleave(planar: Uint8Array, pixel: ImagePixelDescription): Uint8Array {
  const pixels = pixel.rows * pixel.columns;
  const width = pixel.bitsAllocated / 8;
  const spp = pixel.samplesPerPixel;
  const out = new Uint8Array(pixels * spp * width);
  for (let s = 0; s < spp; s++) {
    for (let p = 0; p < pixels; p++) {
      const from = (s * pixels + p) * width;
      const to = (p * spp + s) * width;
      for (let b = 0; b < width; b++) out[to + b] = planar[from + b] as number;
    }
  }
  return out;
}

export function decodedFrame(pixel: ImagePixelDescription, pixels: PixelSamples, photometricInterpretation?: string): DecodedFrame {
  return {
    ...pixel,
    photometricInterpretation: photometricInterpretation ?? pixel.photometricInterpretation,
    planarConfiguration: 0,
    numberOfFrames: 1,
    pixels,
  };
}

/** Samples a codec wrote `bytesPerSample` wide (1 or 2, little-endian), in the typed array BitsAllocated asks for. */
export function samplesFromCodec(bytes: Uint8Array, bytesPerSample: number, pixel: ImagePixelDescription): PixelSamples {
  const width = pixel.bitsAllocated / 8;
  if (bytesPerSample === width) return samplesFromLittleEndian(bytes, pixel);
  const count = sampleCount(pixel);
  if (bytes.byteLength < count * bytesPerSample) {
    throw new PixelDataError(`pixel data: a frame needs ${count * bytesPerSample} decoded bytes, ${bytes.byteLength} decoded`);
  }
  const wide = new Uint8Array(count * width);
  // Narrower or wider than allocated: copy the low bytes (a codec reports 8-bit data in 16 allocated bits, or the reverse).
  for (let i = 0; i < count; i++) {
    for (let b = 0; b < Math.min(width, bytesPerSample); b++) wide[i * width + b] = bytes[i * bytesPerSample + b] as number;
  }
  return samplesFromLittleEndian(wide, pixel);
}
