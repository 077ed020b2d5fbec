/** JPEG baseline (jpeg-js, pure JavaScript) of an 8-bit grayscale or RGB image. */
import { encode } from 'jpeg-js';
import type { RenderedImage } from './image';

/** The quality when the request names none: dcmtk's dcmj2pnm default. */
export const DEFAULT_JPEG_QUALITY = 90;

export function encodeJpeg(image: RenderedImage, quality = DEFAULT_JPEG_QUALITY): Uint8Array {
  const count = image.width * image.height;
  const rgba = new Uint8Array(count * 4);
  const { data, channels } = image;
  for (let i = 0; i < count; i++) {
    const o = i * 4;
    if (channels === 1) {
      const v = data[i]!;
      rgba[o] = v;
      rgba[o + 1] = v;
      rgba[o + 2] = v;
    } else {
      rgba[o] = data[i * 3]!;
      rgba[o + 1] = data[i * 3 + 1]!;
      rgba[o + 2] = data[i * 3 + 2]!;
    }
    rgba[o + 3] = 255;
  }
  const encoded = encode({ width: image.width, height: image.height, data: rgba }, quality).data;
  return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}
