/** JPEG Lossless process 14 (.57, any predictor; .70, selection value 1) through jpeg-lossless-decoder-js (plain JavaScript). */
import type { ImagePixelDescription } from '../description';
import { decodedFrame, samplesFromCodec, type DecodedFrame } from '../decoded';
import { PixelDataError } from '../errors';
import { checkDeclared, jpegFrameHeader } from './codestream';

interface LosslessDecoder {
  decode(buffer: ArrayBuffer, offset: number, length: number, numBytes: number): Uint8Array | Uint16Array;
}

type LosslessModule = { Decoder: new () => LosslessDecoder };

let loaded: LosslessModule | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lossless = (): LosslessModule => (loaded ??= require('jpeg-lossless-decoder-js') as LosslessModule);

export function decodeJpegLossless(frame: Uint8Array, pixel: ImagePixelDescription): DecodedFrame {
  checkDeclared(jpegFrameHeader(frame), pixel, 'JPEG Lossless');
  const bytesPerSample = pixel.bitsAllocated > 8 ? 2 : 1;
  let decoded: Uint8Array | Uint16Array;
  try {
    decoded = new (lossless().Decoder)().decode(frame.buffer as ArrayBuffer, frame.byteOffset, frame.byteLength, bytesPerSample);
  } catch {
    throw new PixelDataError('pixel data: the JPEG Lossless decoder could not decode a frame');
  }
  const bytes = new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
  return decodedFrame(pixel, samplesFromCodec(bytes, bytesPerSample, pixel));
}
