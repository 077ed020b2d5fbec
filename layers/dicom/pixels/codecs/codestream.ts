/**
 * The image size a bitstream declares, read before a codec runs: a frame whose
 * codestream describes another image than the header (a damaged or hostile
 * frame) is refused at once, and so is a JPEG-family frame cut short (no EOI):
 * CharLS took 10-60 s to give up on a 64x64 JPEG-LS frame truncated at some offsets.
 */
import type { ImagePixelDescription } from '../description';
import { PixelDataError } from '../errors';

export interface DeclaredImage {
  width: number;
  height: number;
  components: number;
  precision: number;
}

/** JPEG family (baseline, extended, lossless, JPEG-LS): the first SOF marker's segment. */
export function jpegFrameHeader(frame: Uint8Array): DeclaredImage | undefined {
  if (frame[0] !== 0xff || frame[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 9 < frame.byteLength) {
    if (frame[at] !== 0xff) return undefined;
    const marker = frame[at + 1] as number;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    // SOF0-SOF15 but DHT (C4), JPG (C8), DAC (CC); JPEG-LS SOF55 (F7)
    if ((marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7) {
      return {
        precision: frame[at + 4] as number,
        height: ((frame[at + 5] as number) << 8) | (frame[at + 6] as number),
        width: ((frame[at + 7] as number) << 8) | (frame[at + 8] as number),
        components: frame[at + 9] as number,
      };
    }
    if (marker === 0xda || marker === 0xd9) return undefined;
    at += 2 + (((frame[at + 2] as number) << 8) | (frame[at + 3] as number));
  }
  return undefined;
}

/** JPEG 2000 and HTJ2K codestreams (SOC then SIZ), or a JP2 file holding one. */
export function j2kFrameHeader(frame: Uint8Array): DeclaredImage | undefined {
  let at = findCodestream(frame);
  if (at === undefined || at + 43 > frame.byteLength) return undefined;
  at += 4; // SOC (FF4F), then SIZ (FF51) and its length
  const u32 = (o: number): number =>
    (frame[o] as number) * 0x1000000 + (((frame[o + 1] as number) << 16) | ((frame[o + 2] as number) << 8) | (frame[o + 3] as number));
  const xsiz = u32(at + 4);
  const ysiz = u32(at + 8);
  const xosiz = u32(at + 12);
  const yosiz = u32(at + 16);
  const components = ((frame[at + 36] as number) << 8) | (frame[at + 37] as number);
  const ssiz = frame[at + 38];
  return {
    width: xsiz - xosiz,
    height: ysiz - yosiz,
    components,
    precision: ssiz === undefined ? 0 : (ssiz & 0x7f) + 1,
  };
}

function findCodestream(frame: Uint8Array): number | undefined {
  const isSoc = (o: number): boolean => frame[o] === 0xff && frame[o + 1] === 0x4f && frame[o + 2] === 0xff && frame[o + 3] === 0x51;
  if (isSoc(0)) return 0;
  // A JP2 file: the contiguous codestream box 'jp2c' holds it.
  for (let o = 0; o + 8 < frame.byteLength && o < 4096; o++) {
    if (frame[o] === 0x6a && frame[o + 1] === 0x70 && frame[o + 2] === 0x32 && frame[o + 3] === 0x63 && isSoc(o + 4)) return o + 4;
  }
  return undefined;
}

/**
 * The largest decoded frame a codec is asked for (1 GiB): well above any single image (a 10,000 x 10,000
 * RGB slide tile is 300 MB), below what a 32-bit WebAssembly heap can hold next to the bitstream.
 */
export const MAX_DECODED_FRAME_BYTES = 1024 * 1024 * 1024;

/** Refuses a frame whose codestream declares another size, sample count or a deeper precision than the header allows. */
export function checkDeclared(declared: DeclaredImage | undefined, pixel: ImagePixelDescription, codec: string): void {
  if (!declared) throw new PixelDataError(`pixel data: a ${codec} frame has no readable image header`);
  if (declared.width !== pixel.columns || declared.height !== pixel.rows) {
    throw new PixelDataError(
      `pixel data: a ${codec} frame declares ${declared.width}x${declared.height}, the header says ${pixel.columns}x${pixel.rows}`,
    );
  }
  if (declared.components !== pixel.samplesPerPixel) {
    throw new PixelDataError(
      `pixel data: a ${codec} frame declares ${declared.components} component(s), SamplesPerPixel is ${pixel.samplesPerPixel}`,
    );
  }
  const bytes = pixel.rows * pixel.columns * pixel.samplesPerPixel * Math.ceil(pixel.bitsAllocated / 8);
  if (bytes > MAX_DECODED_FRAME_BYTES) {
    throw new PixelDataError(
      `pixel data: a decoded frame would take ${bytes} bytes, more than the ${MAX_DECODED_FRAME_BYTES} a codec is given`,
    );
  }
  if (declared.precision > pixel.bitsAllocated) {
    throw new PixelDataError(
      `pixel data: a ${codec} frame declares ${declared.precision}-bit samples, BitsAllocated is ${pixel.bitsAllocated}`,
    );
  }
}

/**
 * A JPEG-family frame ends with EOI (FFD9), followed at most by the pad that makes a fragment even:
 * NUL bytes (PS3.5 A.4), or one 0xFF (dcmtk's dcmcjpls pads so).
 */
export function checkJpegEnd(frame: Uint8Array, codec: string): void {
  let end = frame.byteLength;
  if (end > 2 && frame[end - 1] === 0xff && frame[end - 2] === 0xd9) end -= 1;
  while (end > 0 && frame[end - 1] === 0x00) end -= 1;
  if (end < 4 || frame[end - 2] !== 0xff || frame[end - 1] !== 0xd9) {
    throw new PixelDataError(`pixel data: a ${codec} frame does not end with an EOI marker (truncated)`);
  }
}
