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

/**
 * Decodes one bitstream; `extra` reads decoder state (interleave mode, ...) before the decoder is freed.
 * A codec that aborts (out of memory, a trap) is unusable afterwards: `onAbort` lets its loader start a
 * fresh instance for the next frame. A C++ exception (a refused bitstream) leaves it usable.
 */
export function runDecoder(
  newDecoder: () => CornerstoneDecoder,
  frame: Uint8Array,
  codec: string,
  onAbort: () => void,
  extra: (decoder: CornerstoneDecoder) => Record<string, number> = () => ({}),
): DecoderRun {
  let decoder: CornerstoneDecoder | undefined;
  try {
    decoder = newDecoder();
    decoder.getEncodedBuffer(frame.byteLength).set(frame);
    decoder.decode();
    const info = decoder.getFrameInfo();
    return { info, bytes: decoder.getDecodedBuffer().slice(), extra: extra(decoder) };
  } catch (error) {
    // Emscripten throws a C++ exception as a number (or a CppException); anything else is an abort.
    if (typeof error !== 'number' && (error as { name?: unknown } | undefined)?.name !== 'CppException') {
      decoder = undefined;
      onAbort();
    }
    // The codec's own message is not ours to promise value-free; say which codec refused.
    throw new PixelDataError(`pixel data: the ${codec} decoder could not decode a frame`);
  } finally {
    decoder?.delete();
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
