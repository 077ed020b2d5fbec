/** JPEG-LS lossless and near-lossless (.80, .81) through CharLS's WebAssembly decoder. */
import type { ImagePixelDescription } from '../description';
import { decodedFrame, interleave, samplesFromCodec, type DecodedFrame } from '../decoded';
import { checkDeclared, checkJpegEnd, jpegFrameHeader } from './codestream';
import { checkGeometry, runDecoder, type CornerstoneDecoder } from './cornerstone';
import { lazyModule, wasmFile, type EmscriptenFactory } from './load';

interface CharLs {
  JpegLSDecoder: new () => CornerstoneDecoder & { getInterleaveMode(): number };
}

const charls = lazyModule(
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  () => require('@cornerstonejs/codec-charls/decodewasmjs') as EmscriptenFactory<CharLs>,
  () => wasmFile('charlswasm_decode.wasm', '@cornerstonejs/codec-charls/decodewasm'),
);

export async function decodeJpegLs(frame: Uint8Array, pixel: ImagePixelDescription): Promise<DecodedFrame> {
  checkDeclared(jpegFrameHeader(frame), pixel, 'JPEG-LS');
  checkJpegEnd(frame, 'JPEG-LS');
  const codec = await charls();
  const { info, bytes, extra } = runDecoder(
    () => new codec.JpegLSDecoder(),
    frame,
    'JPEG-LS',
    charls.reset,
    (d) => ({
      interleave: (d as CornerstoneDecoder & { getInterleaveMode(): number }).getInterleaveMode(),
    }),
  );
  checkGeometry(info, pixel, 'JPEG-LS');
  const bytesPerSample = info.bitsPerSample > 8 ? 2 : 1;
  // Interleave mode 0 (none) holds colour component by component, i.e. by plane.
  const ordered =
    pixel.samplesPerPixel > 1 && extra.interleave === 0 ? interleave(bytes, { ...pixel, bitsAllocated: bytesPerSample * 8 }) : bytes;
  return decodedFrame(pixel, samplesFromCodec(ordered, bytesPerSample, pixel));
}
