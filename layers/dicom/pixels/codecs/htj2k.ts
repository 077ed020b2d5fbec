/**
 * High-Throughput JPEG 2000 (.201, .202, .203) through OpenJPH's WebAssembly build.
 */
import type { ImagePixelDescription } from '../description';
import { decodedFrame, samplesFromCodec, type DecodedFrame } from '../decoded';
import { checkDeclared, j2kFrameHeader } from './codestream';
import { checkGeometry, runDecoder, type CornerstoneDecoder } from './cornerstone';
import { colourAfterMct } from './jpeg2000';
import { lazyModule, wasmFile, type EmscriptenFactory } from './load';

interface OpenJph {
  HTJ2KDecoder: new () => CornerstoneDecoder;
}

const openjph = lazyModule(
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  () => require('@cornerstonejs/codec-openjph') as EmscriptenFactory<OpenJph>,
  // The name is CODEC_FILES' (load.ts): infra copies that file into each bundle that holds this module.
  () => wasmFile('openjphjs.wasm', '@cornerstonejs/codec-openjph/wasm'),
);

export async function decodeHtj2k(frame: Uint8Array, pixel: ImagePixelDescription): Promise<DecodedFrame> {
  checkDeclared(j2kFrameHeader(frame), pixel, 'HTJ2K');
  const codec = await openjph();
  const { info, bytes } = runDecoder(() => new codec.HTJ2KDecoder(), frame, 'HTJ2K', openjph.reset);
  checkGeometry(info, pixel, 'HTJ2K');
  return decodedFrame(
    pixel,
    samplesFromCodec(bytes, info.bitsPerSample > 8 ? 2 : 1, pixel),
    colourAfterMct(pixel.photometricInterpretation),
  );
}
