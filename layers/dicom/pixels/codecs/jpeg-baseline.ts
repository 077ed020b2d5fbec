/**
 * JPEG baseline and extended (.50, .51) through libjpeg-turbo's 8-bit asm.js
 * build. 8-bit precision only: a 12-bit .51 frame is UnsupportedTransferSyntax.
 * libjpeg-turbo converts YCbCr to RGB, so colour comes out RGB.
 */
import type { ImagePixelDescription } from '../description';
import { decodedFrame, samplesFromCodec, type DecodedFrame } from '../decoded';
import { UnsupportedTransferSyntax } from '../errors';
import { checkGeometry, runDecoder, type CornerstoneDecoder } from './cornerstone';
import { lazyModule, type EmscriptenFactory } from './load';

interface LibJpegTurbo {
  JPEGDecoder: new () => CornerstoneDecoder;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const libjpeg = lazyModule(() => require('@cornerstonejs/codec-libjpeg-turbo-8bit/decode') as EmscriptenFactory<LibJpegTurbo>);

export async function decodeJpegBaseline(frame: Uint8Array, pixel: ImagePixelDescription): Promise<DecodedFrame> {
  const precision = sofPrecision(frame);
  if (precision !== undefined && precision > 8) {
    throw new UnsupportedTransferSyntax(`pixel data: ${precision}-bit JPEG (process 4) has no bundled decoder`);
  }
  const codec = await libjpeg();
  const { info, bytes } = runDecoder(new codec.JPEGDecoder(), frame, 'JPEG');
  checkGeometry(info, pixel, 'JPEG');
  return decodedFrame(pixel, samplesFromCodec(bytes, 1, pixel), pixel.samplesPerPixel === 3 ? 'RGB' : pixel.photometricInterpretation);
}

/** The sample precision of a JPEG's frame header (SOF0-SOF15 but DHT, JPG, DAC), or undefined if none is found. */
export function sofPrecision(frame: Uint8Array): number | undefined {
  let at = 2;
  while (at + 4 < frame.byteLength) {
    if (frame[at] !== 0xff) return undefined;
    const marker = frame[at + 1] as number;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return frame[at + 4];
    if (marker === 0xda) return undefined;
    at += 2 + (((frame[at + 2] as number) << 8) | (frame[at + 3] as number));
  }
  return undefined;
}
