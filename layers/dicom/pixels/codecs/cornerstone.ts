/**
 * The Cornerstone codecs share one decoder shape (an Emscripten class with an
 * encoded buffer in its heap, decode, frame info and a decoded buffer): this
 * runs one frame through such a decoder and checks the result against the header.
 */
import type { ImagePixelDescription } from '../description';
import { PixelDataError } from '../errors';

export interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

export interface CornerstoneDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

export interface DecoderRun {
  info: FrameInfo;
  /** A copy out of the codec's heap (the heap is reused by the next frame). */
  bytes: Uint8Array;
  extra: Record<string, number>;
}

/** Decodes one bitstream; `extra` reads decoder state (interleave mode, ...) before the decoder is freed. */
export function runDecoder(
  decoder: CornerstoneDecoder,
  frame: Uint8Array,
  codec: string,
  extra: (decoder: CornerstoneDecoder) => Record<string, number> = () => ({}),
): DecoderRun {
  try {
    decoder.getEncodedBuffer(frame.byteLength).set(frame);
    try {
      decoder.decode();
    } catch {
      // The codec's own message may quote nothing but is not ours to promise; say which codec refused.
      throw new PixelDataError(`pixel data: the ${codec} decoder could not decode a frame`);
    }
    const info = decoder.getFrameInfo();
    return { info, bytes: decoder.getDecodedBuffer().slice(), extra: extra(decoder) };
  } finally {
    decoder.delete();
  }
}

/** The decoded image must be the one the header describes: a mismatch would mislabel every pixel. */
export function checkGeometry(info: FrameInfo, pixel: ImagePixelDescription, codec: string): void {
  if (info.width !== pixel.columns || info.height !== pixel.rows) {
    throw new PixelDataError(
      `pixel data: the ${codec} frame is ${info.width}x${info.height}, the header says ${pixel.columns}x${pixel.rows}`,
    );
  }
  if (info.componentCount !== pixel.samplesPerPixel) {
    throw new PixelDataError(
      `pixel data: the ${codec} frame has ${info.componentCount} component(s), SamplesPerPixel is ${pixel.samplesPerPixel}`,
    );
  }
}
