/**
 * Color frames to 8-bit RGB: RGB as is (scaled down from more than 8 bits), YBR_FULL and
 * YBR_FULL_422 converted with PS3.3 C.7.6.3.1.2's equations, PALETTE COLOR looked up in
 * its red, green and blue palettes. YBR_ICT/YBR_RCT are what JPEG 2000 stores; its
 * decoders undo the component transform, so their output is RGB. A window applies to
 * grayscale images only (PS3.18 8.3.5.1.4), so color ignores it.
 */
import type { Lut, RenderAttributes } from './attributes';
import type { RenderableFrame, RenderedImage } from './image';
import { UnrenderableImage } from './image';
import { storedValueReader } from './grayscale';

const clamp8 = (v: number): number => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));

/** Sample s (0..samples-1) of pixel i, interleaved or planar. */
function sampleAt(frame: RenderableFrame): (i: number, s: number) => number {
  const { pixels, samplesPerPixel } = frame;
  const plane = frame.rows * frame.columns;
  return frame.planarConfiguration === 1 ? (i, s) => pixels[s * plane + i]! : (i, s) => pixels[i * samplesPerPixel + s]!;
}

function ybrToRgb(out: Uint8Array, o: number, y: number, cb: number, cr: number): void {
  out[o] = clamp8(y + 1.402 * (cr - 128));
  out[o + 1] = clamp8(y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128));
  out[o + 2] = clamp8(y + 1.772 * (cb - 128));
}

function renderPalette(frame: RenderableFrame, palette: { red: Lut; green: Lut; blue: Lut }): RenderedImage {
  const count = frame.rows * frame.columns;
  const stored = storedValueReader(frame.bitsStored, frame.pixelRepresentation === 1);
  const out = new Uint8Array(count * 3);
  const luts = [palette.red, palette.green, palette.blue];
  // 16-bit palette entries keep their most significant byte; 8-bit ones are used as they are.
  const shifts = luts.map((lut) => (lut.bits > 8 ? lut.bits - 8 : 0));
  for (let i = 0; i < count; i++) {
    const v = stored(frame.pixels[i]!);
    for (let c = 0; c < 3; c++) {
      const lut = luts[c]!;
      const index = Math.min(Math.max(v - lut.firstMapped, 0), lut.data.length - 1);
      out[i * 3 + c] = Math.min(lut.data[index]! >> shifts[c]!, 255);
    }
  }
  return { width: frame.columns, height: frame.rows, channels: 3, data: out };
}

export function renderColor(frame: RenderableFrame, attributes: RenderAttributes): RenderedImage {
  const photometric = frame.photometricInterpretation.trim().toUpperCase();
  const { rows, columns } = frame;
  const count = rows * columns;
  if (photometric === 'PALETTE COLOR') {
    if (!attributes.palette) throw new UnrenderableImage('a PALETTE COLOR image without its palettes');
    if (frame.pixels.length < count) throw new UnrenderableImage('the frame holds fewer samples than its rows and columns');
    return renderPalette(frame, attributes.palette);
  }
  if (frame.samplesPerPixel !== 3) throw new UnrenderableImage('a color image needs three samples per pixel');
  const out = new Uint8Array(count * 3);
  const scale = frame.bitsStored > 8 ? 255 / (2 ** frame.bitsStored - 1) : 1;

  // Native YBR_FULL_422 keeps two luminances and one chroma pair per two pixels (PS3.5 8.2.1 / PS3.3 C.7.6.3.1.2).
  if (photometric === 'YBR_FULL_422' && frame.pixels.length === count * 2) {
    const p = frame.pixels;
    for (let row = 0; row < rows; row++) {
      for (let col = 0; col < columns; col += 2) {
        const at = (row * columns + col) * 2;
        const cb = p[at + 2]!;
        const cr = p[at + 3]!;
        ybrToRgb(out, (row * columns + col) * 3, p[at]!, cb, cr);
        if (col + 1 < columns) ybrToRgb(out, (row * columns + col + 1) * 3, p[at + 1]!, cb, cr);
      }
    }
    return { width: columns, height: rows, channels: 3, data: out };
  }
  if (frame.pixels.length < count * 3) throw new UnrenderableImage('the frame holds fewer samples than its rows and columns');
  const sample = sampleAt(frame);
  if (photometric === 'YBR_FULL' || photometric === 'YBR_FULL_422') {
    for (let i = 0; i < count; i++) ybrToRgb(out, i * 3, sample(i, 0) * scale, sample(i, 1) * scale, sample(i, 2) * scale);
  } else if (photometric === 'RGB' || photometric === 'YBR_ICT' || photometric === 'YBR_RCT') {
    for (let i = 0; i < count; i++) for (let c = 0; c < 3; c++) out[i * 3 + c] = clamp8(sample(i, c) * scale);
  } else {
    throw new UnrenderableImage('unsupported photometric interpretation');
  }
  return { width: columns, height: rows, channels: 3, data: out };
}
