/** Native (uncompressed) frames: byte order, bit-packed 1-bit data and planar colour to interleaved samples. */
import type { ImagePixelDescription } from './description';
import { decodedFrame, interleave, samplesFromLittleEndian, sampleCount, type DecodedFrame } from './decoded';
import { PixelDataError } from './errors';

export function decodeNative(frame: Uint8Array, pixel: ImagePixelDescription, bigEndian: boolean): DecodedFrame {
  if (pixel.bitsAllocated === 1) return decodeBitPacked(frame, pixel);
  let bytes = frame;
  const width = pixel.bitsAllocated / 8;
  if (bigEndian && width > 1) bytes = swapped(frame, width, sampleCount(pixel) * width);
  if (pixel.samplesPerPixel > 1 && pixel.planarConfiguration === 1) bytes = interleave(bytes, pixel);
  return decodedFrame(pixel, samplesFromLittleEndian(bytes, pixel));
}

/** Byte-swaps each `width`-byte word (Explicit VR Big Endian OW data). */
export function swapped(bytes: Uint8Array, width: number, length: number): Uint8Array {
  if (bytes.byteLength < length) throw new PixelDataError(`pixel data: a frame needs ${length} bytes, ${bytes.byteLength} present`);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += width) for (let b = 0; b < width; b++) out[i + b] = bytes[i + width - 1 - b] as number;
  return out;
}

/** One sample per bit, least significant bit first (PS3.5 D.2): unpacked to one byte (0 or 1) per sample. */
function decodeBitPacked(frame: Uint8Array, pixel: ImagePixelDescription): DecodedFrame {
  const count = sampleCount(pixel);
  if (frame.byteLength * 8 < count)
    throw new PixelDataError(`pixel data: a 1-bit frame needs ${Math.ceil(count / 8)} bytes, ${frame.byteLength} present`);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = ((frame[i >> 3] as number) >> (i & 7)) & 1;
  return { ...decodedFrame(pixel, out), bitsAllocated: 8, bitsStored: 1, highBit: 0, pixelRepresentation: 0 };
}
