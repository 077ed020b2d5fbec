/**
 * JPEG 2000 (.90, .91) through OpenJPEG's WebAssembly decoder. OpenJPEG undoes the
 * multiple-component transform, so YBR_RCT / YBR_ICT frames come out as RGB.
 */
import type { ImagePixelDescription } from '../description';
import { decodedFrame, samplesFromCodec, type DecodedFrame } from '../decoded';
import { checkDeclared, j2kFrameHeader } from './codestream';
import { checkGeometry, runDecoder, type CornerstoneDecoder } from './cornerstone';
import { lazyModule, wasmFile, type EmscriptenFactory } from './load';

interface OpenJpeg {
  J2KDecoder: new () => CornerstoneDecoder;
}

const openjpeg = lazyModule(
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  () => require('@cornerstonejs/codec-openjpeg/decodewasmjs') as EmscriptenFactory<OpenJpeg>,
  () => wasmFile('openjpegwasm_decode.wasm', '@cornerstonejs/codec-openjpeg/decodewasm'),
);

export async function decodeJpeg2000(frame: Uint8Array, pixel: ImagePixelDescription): Promise<DecodedFrame> {
  checkDeclared(j2kFrameHeader(frame), pixel, 'JPEG 2000');
  const codec = await openjpeg();
  const { info, bytes } = runDecoder(() => new codec.J2KDecoder(), frame, 'JPEG 2000', openjpeg.reset);
  checkGeometry(info, pixel, 'JPEG 2000');
  return decodedFrame(
    pixel,
    samplesFromCodec(bytes, info.bitsPerSample > 8 ? 2 : 1, pixel),
    colourAfterMct(pixel.photometricInterpretation),
  );
}

/** The photometric interpretation of what a J2K decoder returns: the component transform is undone. */
export function colourAfterMct(photometric: string): string {
  return photometric === 'YBR_RCT' || photometric === 'YBR_ICT' ? 'RGB' : photometric;
}
