/** Which decoder reads which transfer syntax. */
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
]);

/** True when every frame stored in this transfer syntax can be decoded here (whatever its bit depth). */
export function canDecode(transferSyntaxUid: string): boolean {
  return DECODERS.has(transferSyntaxUid);
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
