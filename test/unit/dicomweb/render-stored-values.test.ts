/**
 * Stored values as rendering reads them (layers/dicomweb/render/grayscale.ts): bits above Bits Stored
 * dropped, two's complement for Pixel Representation 1, whatever typed array holds the samples. The
 * reader masks instead of taking a modulo per sample (a radiograph has five million); these cases hold
 * it to PS3.5's definition, written here as the modulo it replaced.
 */
import { renderFrame, type RenderableFrame } from '../../../layers/dicomweb/render';
import { grayscaleDisplayTable, storedValueReader } from '../../../layers/dicomweb/render/grayscale';

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

describe("grayscaleDisplayTable's stored range", () => {
  /** The frame's stored minimum and maximum by PS3.5's definition, sample by sample. */
  function definedRange(pixels: ArrayLike<number>, count: number, bitsStored: number, signed: boolean): [number, number] {
    let [min, max] = [Infinity, -Infinity];
    for (let i = 0; i < count; i++) {
      const v = definition(pixels[i]!, bitsStored, signed);
      [min, max] = [Math.min(min, v), Math.max(max, v)];
    }
    return [min, max];
  }

  const frameOf = (
    pixels: RenderableFrame['pixels'],
    rows: number,
    columns: number,
    bitsStored: number,
    signed = false,
  ): RenderableFrame => ({
    rows,
    columns,
    samplesPerPixel: 1,
    bitsAllocated: 16,
    bitsStored,
    pixelRepresentation: signed ? 1 : 0,
    photometricInterpretation: 'MONOCHROME2',
    planarConfiguration: 0,
    pixels,
  });
  const ownRange = { rescaleSlope: 1, rescaleIntercept: 0, windows: [], voiFunction: 'LINEAR' as const };

  /** 12-bit noise between 1000 and 1999, the same for the same seed. */
  function noise(length: number, seed: number): Uint16Array {
    let state = seed;
    return Uint16Array.from({ length }, () => 1000 + (((state = (state * 1103515245 + 12345) >>> 0) >>> 16) % 1000));
  }

  /** The samples in a view starting `byteShift` bytes into its buffer (a file's pixel data on or off a 4-byte boundary). */
  function placed(samples: Uint16Array, byteShift: 0 | 2): Uint16Array {
    const view = new Uint16Array(samples.length + 1).subarray(byteShift / 2, byteShift / 2 + samples.length);
    view.set(samples);
    return view;
  }

  // 1,961 samples: the range is read in chunks of 128 samples from the first on a 4-byte boundary (the
  // first or the second), 15 whole chunks, then a tail of 41 or 40 samples one by one.
  const [rows, columns] = [37, 53];
  const count = rows * columns;
  // Where a new extreme is: the first sample, inside a chunk, its last sample, the tail past the whole chunks, the last sample.
  const extremes: [string, number][] = [
    ['the first sample', 0],
    ['inside a chunk', 700],
    ['the last of a chunk', 127],
    ['the last of a chunk from the second sample', 128],
    ['the first of a chunk', 256],
    ['the tail past the whole chunks', 1940],
    ['the last sample', count - 1],
  ];

  it.each(extremes.flatMap(([where, at]) => [0, 2].map((shift) => [where, shift, at] as const)))(
    'finds a new minimum and maximum at %s (samples %i bytes off a 4-byte boundary)',
    (_where, byteShift, at) => {
      for (const [low, high] of [
        [3, 4000],
        [999, 2000],
      ] as const) {
        const samples = noise(count, at + 1);
        samples[at] = low;
        samples[(at * 7 + 13) % count] = high;
        const frame = frameOf(placed(samples, byteShift as 0 | 2), rows, columns, 12);
        const table = grayscaleDisplayTable(frame, ownRange)!;
        expect([table.offset, table.offset + table.table.length - 1, table.samplesAreStored]).toEqual([
          ...definedRange(samples, count, 12, false),
          true,
        ]);
      }
    },
  );

  // 12,000 samples: 93 whole chunks, read 16 chunks (2,048 samples) a call, then a tail of 96 or 95 samples.
  const [tallRows, tallColumns] = [300, 40];
  const tallCount = tallRows * tallColumns;
  it.each([
    ['in the first call', 100, 0x1000],
    ['in a later call', 5000, 0x7fff],
    ['past 0x8000 in the middle of a call (its other chunks then read one by one)', 2048 * 3 + 700, 0x8000],
    ['past 0x8000 at the first sample of a call', 2048 * 2, 0xffff],
    ['in the tail', tallCount - 3, 0x9000],
  ] as const)('finds 16-bit extremes %s', (_where, at, high) => {
    for (const byteShift of [0, 2] as const) {
      const samples = noise(tallCount, at);
      samples[at] = high;
      samples[(at * 5 + 977) % tallCount] = 7;
      // A sample past 0x8000 later on is still seen after the chunked reads have stopped.
      samples[tallCount - 1 - (at % 50)] = Math.max(samples[tallCount - 1 - (at % 50)]!, high === 0xffff ? 0xffff : 0x8001);
      const frame = frameOf(placed(samples, byteShift), tallRows, tallColumns, 16);
      const table = grayscaleDisplayTable(frame, ownRange)!;
      expect([table.offset, table.offset + table.table.length - 1]).toEqual(definedRange(samples, tallCount, 16, false));
    }
  });

  it("reads only the frame's rows and columns of a longer array", () => {
    const samples = noise(count + 300, 5);
    samples[count + 10] = 4095; // past the frame
    samples[count + 250] = 0;
    const table = grayscaleDisplayTable(frameOf(samples, rows, columns, 12), ownRange)!;
    expect([table.offset, table.offset + table.table.length - 1]).toEqual(definedRange(samples, count, 12, false));
  });

  it.each([0, 2] as const)('takes 16-bit samples of 0x8000 and more (%i bytes off a 4-byte boundary) as they are', (byteShift) => {
    const samples = noise(count, 9);
    samples[400] = 0x8000;
    samples[1200] = 0xffff;
    samples[1500] = 7;
    const table = grayscaleDisplayTable(frameOf(placed(samples, byteShift), rows, columns, 16), ownRange)!;
    expect([table.offset, table.offset + table.table.length - 1, table.samplesAreStored]).toEqual([7, 0xffff, true]);
  });

  it.each<[string, Uint16Array | Int16Array, number, boolean, boolean]>([
    [
      'a bit above Bits Stored set in one sample',
      Uint16Array.from(noise(count, 3), (v, i) => (i === 1000 ? v | 0x4000 : v)),
      12,
      false,
      false,
    ],
    ['signed 12-bit samples sign-extended in an Int16Array', Int16Array.from(noise(count, 4), (v) => v - 2048), 12, true, true],
    [
      'signed 12-bit samples not sign-extended (0x800 and up are negative)',
      Uint16Array.from(noise(count, 4), (v) => (v + 1500) & 0xfff),
      12,
      true,
      false,
    ],
    ['signed 16-bit samples', Int16Array.from(noise(count, 6), (v, i) => (i % 2 ? -v : v)), 16, true, true],
  ])('masks the range only where needed: %s', (_name, samples, bitsStored, signed, samplesAreStored) => {
    const table = grayscaleDisplayTable(frameOf(samples, rows, columns, bitsStored, signed), ownRange)!;
    expect([table.offset, table.offset + table.table.length - 1, table.samplesAreStored]).toEqual([
      ...definedRange(samples, count, bitsStored, signed),
      samplesAreStored,
    ]);
  });
});
