/**
 * One frame as Explicit VR Little Endian carries it: the bytes of that frame in the
 * Pixel Data transcodeToExplicitLittleEndian writes (WADO-RS frames asked for as
 * application/octet-stream with the Explicit VR Little Endian transfer syntax).
 */
import { decodeFrame } from './decode';
import type { ImagePixelDescription } from './description';
import { swapped } from './native';
import { NATIVE_SYNTAXES, PIXEL_SYNTAX } from './syntaxes';

export async function frameAsExplicitLittleEndian(
  frame: Uint8Array,
  transferSyntaxUid: string,
  pixel: ImagePixelDescription,
): Promise<Uint8Array> {
  if (NATIVE_SYNTAXES.has(transferSyntaxUid)) {
    // Native frames keep their layout (planar or not, bit-packed or not); Big Endian words are turned round.
    if (transferSyntaxUid !== PIXEL_SYNTAX.explicitBig || pixel.bitsAllocated <= 8) return frame;
    return swapped(frame, pixel.bitsAllocated / 8, frame.byteLength - (frame.byteLength % (pixel.bitsAllocated / 8)));
  }
  const decoded = await decodeFrame(frame, transferSyntaxUid, pixel);
  return new Uint8Array(decoded.pixels.buffer, decoded.pixels.byteOffset, decoded.pixels.byteLength);
}
