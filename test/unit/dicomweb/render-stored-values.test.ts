/**
 * Stored values as rendering reads them (layers/dicomweb/render/grayscale.ts): bits above Bits Stored
 * dropped, two's complement for Pixel Representation 1, whatever typed array holds the samples. The
 * reader masks instead of taking a modulo per sample (a radiograph has five million); these cases hold
 * it to PS3.5's definition, written here as the modulo it replaced.
 */
import { renderFrame, type RenderableFrame } from '../../../layers/dicomweb/render';
import { storedValueReader } from '../../../layers/dicomweb/render/grayscale';

/** PS3.5 8.1.1: the low Bits Stored bits, as two's complement when signed. */
function definition(raw: number, bitsStored: number, signed: boolean): number {
  const range = 2 ** bitsStored;
  const masked = ((raw % range) + range) % range;
  return signed && masked >= range / 2 ? masked - range : masked;
}

describe('storedValueReader', () => {
  const raws = [
    0, 1, 2, 7, 8, 255, 256, 2047, 2048, 4095, 4096, 0x8000, 0xffff, -1, -2, -2048, -2049, -32768, 0x7fffffff, 0xffffffff, -0x80000000,
  ];

  it.each([1, 8, 12, 15, 16, 31])('keeps the low %i bits of any sample, signed and unsigned, as PS3.5 defines them', (bits) => {
    for (const signed of [false, true]) {
      const read = storedValueReader(bits, signed);
      for (const raw of raws) expect([bits, signed, raw, read(raw)]).toEqual([bits, signed, raw, definition(raw, bits, signed)]);
    }
  });
});

describe('renderGrayscale over stored values', () => {
  const frame = (
    pixels: RenderableFrame['pixels'],
    bitsStored: number,
    pixelRepresentation: 0 | 1,
    bitsAllocated = 16,
  ): RenderableFrame => ({
    rows: 1,
    columns: pixels.length,
    samplesPerPixel: 1,
    bitsAllocated,
    bitsStored,
    pixelRepresentation,
    photometricInterpretation: 'MONOCHROME2',
    planarConfiguration: 0,
    pixels,
  });
  const minMax = { rescaleSlope: 1, rescaleIntercept: 0, windows: [], voiFunction: 'LINEAR' as const };

  it('ignores bits above Bits Stored (an overlay in the high bits of 12-bit samples)', () => {
    const plain = renderFrame(frame(Uint16Array.from([0, 1000, 4095]), 12, 0), minMax).data;
    const overlaid = renderFrame(frame(Uint16Array.from([0xf000, 0x1000 | 1000, 0x8000 | 4095]), 12, 0), minMax).data;
    expect([...overlaid]).toEqual([...plain]);
  });

  it('reads signed 12-bit samples from 16-bit words, sign-extended or not, as the same values', () => {
    const extended = renderFrame(frame(Int16Array.from([-2048, -1, 0, 2047]), 12, 1), minMax).data;
    const raw = renderFrame(frame(Uint16Array.from([0x800, 0xfff, 0, 0x7ff]), 12, 1), minMax).data;
    expect([...raw]).toEqual([...extended]);
    expect([...extended]).toEqual([0, 127, 127, 255]);
  });

  it('renders 32-bit samples as their values', () => {
    expect([...renderFrame(frame(Int32Array.from([-100000, 0, 100000]), 32, 1, 32), minMax).data]).toEqual([0, 127, 255]);
  });
});
