/** Which decoder reads which transfer syntax. */
import { decodeHtj2k } from './codecs/htj2k';
import { decodeJpeg2000 } from './codecs/jpeg2000';
import { decodeJpegBaseline } from './codecs/jpeg-baseline';
import { decodeJpegLossless } from './codecs/jpeg-lossless';
import { decodeJpegLs } from './codecs/jpeg-ls';
import type { ImagePixelDescription } from './description';
import type { DecodedFrame } from './decoded';
import { UnsupportedTransferSyntax } from './errors';
import { decodeNative } from './native';
import { decodeRle } from './rle';
import { PIXEL_SYNTAX } from './syntaxes';

type Decoder = (frame: Uint8Array, pixel: ImagePixelDescription) => DecodedFrame | Promise<DecodedFrame>;

const DECODERS: ReadonlyMap<string, Decoder> = new Map<string, Decoder>([
  [PIXEL_SYNTAX.implicitLittle, (f, p) => decodeNative(f, p, false)],
  [PIXEL_SYNTAX.explicitLittle, (f, p) => decodeNative(f, p, false)],
  // storedFrames reads a deflated file's inflated data set, so its frames are plain Explicit VR Little Endian bytes.
  [PIXEL_SYNTAX.deflatedExplicitLittle, (f, p) => decodeNative(f, p, false)],
  [PIXEL_SYNTAX.encapsulatedUncompressed, (f, p) => decodeNative(f, p, false)],
  [PIXEL_SYNTAX.explicitBig, (f, p) => decodeNative(f, p, true)],
  [PIXEL_SYNTAX.rle, decodeRle],
  [PIXEL_SYNTAX.jpegBaseline, decodeJpegBaseline],
  [PIXEL_SYNTAX.jpegExtended, decodeJpegBaseline],
  [PIXEL_SYNTAX.jpegLossless, decodeJpegLossless],
  [PIXEL_SYNTAX.jpegLosslessSv1, decodeJpegLossless],
  [PIXEL_SYNTAX.jpegLsLossless, decodeJpegLs],
  [PIXEL_SYNTAX.jpegLsNearLossless, decodeJpegLs],
  [PIXEL_SYNTAX.jpeg2000Lossless, decodeJpeg2000],
  [PIXEL_SYNTAX.jpeg2000, decodeJpeg2000],
  [PIXEL_SYNTAX.htj2kLossless, decodeHtj2k],
  [PIXEL_SYNTAX.htj2kLosslessRpcl, decodeHtj2k],
  [PIXEL_SYNTAX.htj2k, decodeHtj2k],
]);

/**
 * True when frames of this transfer syntax can be decoded here. Without `pixel`, only syntaxes whose every
 * frame can be (JPEG extended, .51, is false: its 12-bit frames cannot); with it, the answer for that image.
 */
export function canDecode(transferSyntaxUid: string, pixel?: Pick<ImagePixelDescription, 'bitsStored' | 'bitsAllocated'>): boolean {
  if (!DECODERS.has(transferSyntaxUid)) return false;
  if (transferSyntaxUid === PIXEL_SYNTAX.jpegExtended) return pixel !== undefined && pixel.bitsStored <= 8 && pixel.bitsAllocated === 8;
  return true;
}

/** Decodes one frame as storedFrames returned it; throws UnsupportedTransferSyntax or a value-free PixelDataError. */
export async function decodeFrame(frame: Uint8Array, transferSyntaxUid: string, pixel: ImagePixelDescription): Promise<DecodedFrame> {
  const decoder = DECODERS.get(transferSyntaxUid);
  if (!decoder) throw new UnsupportedTransferSyntax(`pixel data: no decoder for transfer syntax ${uidForMessage(transferSyntaxUid)}`);
  return decoder(frame, pixel);
}

/** A transfer syntax UID for an error message: only a well-formed UID is quoted, anything else a file carries could be a value. */
export function uidForMessage(uid: string): string {
  return /^[0-9.]{1,64}$/.test(uid) ? uid : '(not a UID)';
}
