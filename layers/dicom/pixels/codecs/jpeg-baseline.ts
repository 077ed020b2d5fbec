/**
 * JPEG baseline and extended (.50, .51) through libjpeg-turbo's 8-bit
 * WebAssembly decoder. 8-bit precision only: a 12-bit .51 frame is UnsupportedTransferSyntax.
 * libjpeg-turbo converts YCbCr to RGB, so colour comes out RGB.
 */
import type { ImagePixelDescription } from '../description';
import { decodedFrame, samplesFromCodec, type DecodedFrame } from '../decoded';
import { UnsupportedTransferSyntax } from '../errors';
import { checkDeclared, jpegFrameHeader } from './codestream';
import { checkGeometry, runDecoder, type CornerstoneDecoder } from './cornerstone';
import { lazyModule, wasmFile, type EmscriptenFactory } from './load';

interface LibJpegTurbo {
  JPEGDecoder: new () => CornerstoneDecoder;
}

const libjpeg = lazyModule(
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  () => require('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs') as EmscriptenFactory<LibJpegTurbo>,
  () => wasmFile('libjpegturbowasm_decode.wasm', '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm'),
);

export async function decodeJpegBaseline(frame: Uint8Array, pixel: ImagePixelDescription): Promise<DecodedFrame> {
  const declared = jpegFrameHeader(frame);
  checkDeclared(declared, pixel, 'JPEG');
  if (declared && declared.precision > 8) {
    throw new UnsupportedTransferSyntax(`pixel data: ${declared.precision}-bit JPEG (process 4) has no bundled decoder`);
  }
  const codec = await libjpeg();
  const { info, bytes } = runDecoder(() => new codec.JPEGDecoder(), frame, 'JPEG', libjpeg.reset);
  checkGeometry(info, pixel, 'JPEG');
  return decodedFrame(pixel, samplesFromCodec(bytes, 1, pixel), pixel.samplesPerPixel === 3 ? 'RGB' : pixel.photometricInterpretation);
}
