/**
 * The ink page's render in the WebAssembly module (layers/ingest/burned-in/render-in-module.ts, ink-row.wat's
 * range, render and medians) against the JS path (ink-page.ts renderAndCount, BlockMedians, grayscale.ts'
 * range, the reference): the same samples' range, the same gray page, the same block medians, and through
 * inkPageOf the same ink page, the same inked groups in the same order (and so the same floor), on 16-bit
 * unsigned samples on and off a 4-byte boundary, widths whose pixels do not fill the last block (odd ones
 * too, whose ink rows then run in JS from the page copied out), tables with offsets, MONOCHROME1 and 2, a
 * rescale, tiny images; and the frames that stay in JS (color, signed, bits above Bits Stored, 32-bit,
 * downsampled) render no row in the module.
 */
import { readDicomHeader, storedFrames } from '../../../layers/dicom';
import { BACKGROUND_BLOCK, BlockMedians, type InkPage } from '../../../layers/ingest/burned-in/flatten';
import { inkPageOf } from '../../../layers/ingest/burned-in/ink-page';
import { copyPageOut, inkRowWasmAvailable, inkRowWasmRowsRun, useInkRowWasm } from '../../../layers/ingest/burned-in/ink-row-simd';
import { renderInModule, renderRowsInModule, samplesInModule } from '../../../layers/ingest/burned-in/render-in-module';
import { CheckScratch } from '../../../layers/ingest/burned-in/scratch';
import { makeDicom } from '../../support/synthetic-dicom';
import { outlinedRadiograph, syntheticRadiograph, type GrayImage } from '../../support/text-raster';
import { drawTexts } from '../../support/burned-in-dicom';
import { inEachInkModuleSetting } from '../../support/ink-module-settings';
import { rngWords as generator } from '../../support/random';

afterAll(() => useInkRowWasm(undefined));

interface Stored {
  readonly bitsStored?: 12 | 16;
  readonly signed?: boolean;
  readonly monochrome1?: boolean;
  /** Sets bit 13 of every seventh sample of a 12-bit image (bits above Bits Stored). */
  readonly highBits?: boolean;
  readonly rescale?: { slope: number; intercept: number };
}

/** A Part 10 file of 16-bit samples (`image.pixels` as they are, or shifted for signed ones), moved `shift` bytes into its buffer. */
function dicomOf(image: GrayImage, stored: Stored = {}, shift = 0): Uint8Array {
  const { bitsStored = 16, signed = false } = stored;
  const bytes = new Uint8Array(image.pixels.length * 2);
  const view = new DataView(bytes.buffer);
  image.pixels.forEach((value, i) => {
    let sample = signed ? value - 2 ** (bitsStored - 1) : value;
    if (stored.highBits && i % 7 === 0) sample |= 1 << 13;
    view.setUint16(i * 2, sample & 0xffff, true);
  });
  const us = (value: number) => ({ vr: 'US', Value: [value] });
  const file = makeDicom({
    modality: 'DX',
    rows: image.rows,
    columns: image.columns,
    elements: {
      '00280004': { vr: 'CS', Value: [stored.monochrome1 ? 'MONOCHROME1' : 'MONOCHROME2'] },
      '00280100': us(16),
      '00280101': us(bitsStored),
      '00280102': us(bitsStored - 1),
      '00280103': us(signed ? 1 : 0),
      '7FE00010': { vr: 'OW', Value: [bytes.buffer] },
      ...(stored.rescale
        ? { '00281053': { vr: 'DS', Value: [stored.rescale.slope] }, '00281052': { vr: 'DS', Value: [stored.rescale.intercept] } }
        : {}),
    },
  });
  const moved = new Uint8Array(file.length + shift).subarray(shift);
  moved.set(file);
  return moved;
}

/** An image of `rows` x `columns` 16-bit samples from `from` up (a table with that offset), a radiograph's shape with text on it. */
function radiograph(rows: number, columns: number, seed: number, from = 0, scale = 16): GrayImage {
  const image = syntheticRadiograph(rows, columns, seed);
  drawTexts(image, [
    { text: 'KELLY 03/12/85', pixelSize: 12, left: 4, top: 4, value: 4095 },
    { text: 'MRN 4417', pixelSize: 10, left: Math.max(0, columns - 70), top: Math.max(0, rows - 16), value: 0 },
  ]);
  return { ...image, pixels: image.pixels.map((v) => from + v * scale + (v % scale)) };
}

interface Pass {
  readonly page: InkPage;
  readonly quads: number[];
  /** Rows the module rendered and turned into distances. */
  readonly rendered: number;
  readonly inked: number;
}

async function pageBy(file: Uint8Array, wasm: boolean, maxDimension: number): Promise<Pass> {
  useInkRowWasm(wasm);
  const [rendered, inked] = [renderRowsInModule(), inkRowWasmRowsRun()];
  const page = await inkPageOf(file, maxDimension, readDicomHeader(file).dict, new CheckScratch());
  const quads = [...page.inked!.quads.subarray(0, page.inked!.count)];
  return {
    page: { ...page, gray: page.gray.slice() },
    quads,
    rendered: renderRowsInModule() - rendered,
    inked: inkRowWasmRowsRun() - inked,
  };
}

/** inkPageOf by both paths: the same page, the same groups; answers the module's rows (rendered, inked) and the groups listed. */
async function expectSamePages(file: Uint8Array, maxDimension = 4096): Promise<{ rendered: number; inked: number; groups: number }> {
  const js = await pageBy(file, false, maxDimension);
  const wasm = await pageBy(file, true, maxDimension);
  expect({ rendered: js.rendered, inked: js.inked }).toEqual({ rendered: 0, inked: 0 });
  expect({ width: wasm.page.width, height: wasm.page.height, factor: wasm.page.factor }).toEqual({
    width: js.page.width,
    height: js.page.height,
    factor: js.page.factor,
  });
  expect(Buffer.from(wasm.page.gray).equals(Buffer.from(js.page.gray))).toBe(true);
  expect(wasm.quads).toEqual(js.quads);
  expect(wasm.page.inked!.ungroupedFrom).toBe(js.page.inked!.ungroupedFrom);
  return { rendered: wasm.rendered, inked: wasm.inked, groups: wasm.quads.length };
}

/** The JS render (the reference): each sample through the table, the medians as BlockMedians takes them from the page's rows. */
function renderedInJs(samples: Uint16Array, width: number, height: number, table: Uint8Array, offset: number, block: number) {
  const gray = Uint8Array.from(samples.subarray(0, width * height), (s) => table[s - offset]!);
  const blocks = new BlockMedians(width, height, block);
  for (let y = 0; y < height; y++) blocks.addRow(gray, y * width);
  return { gray, medians: blocks.medians };
}

/** The module's render of `samples`: their range, the page copied out, the medians. */
function renderedInModule(
  samples: Uint16Array,
  width: number,
  height: number,
  levels: (sample: number, min: number, max: number) => number,
  block: number,
) {
  useInkRowWasm(true);
  const blocks = new BlockMedians(width, height, block);
  const inModule = samplesInModule(samples, width, height, blocks)!;
  const { min, max } = inModule.range;
  const table = Uint8Array.from({ length: max - min + 1 }, (_, i) => levels(i + min, min, max));
  const before = renderRowsInModule();
  const at = renderInModule(inModule, { table, offset: min }, blocks);
  expect(renderRowsInModule() - before).toBe(height);
  const gray = new Uint8Array(width * height);
  copyPageOut(at, gray);
  return { range: inModule.range, table, gray, medians: blocks.medians };
}

describe('the ink page rendered in WebAssembly', () => {
  it('runs here', () => {
    expect(inkRowWasmAvailable()).toBe(true);
  });

  it.each([
    [1, 1],
    [2, 1],
    [3, 2],
    [5, 7],
    [16, 16],
    [17, 3],
    [31, 33],
    [32, 32],
    [100, 37],
    [101, 64],
    [258, 70],
    [1030, 9],
  ])('takes the range, the page and the medians the JS path takes on %i x %i samples', (width, height) => {
    const random = generator(width * 1000 + height);
    for (const [from, spread] of [
      [0, 65536],
      [1000, 3000],
      [40000, 17],
      [65535, 1],
    ] as const) {
      const samples = Uint16Array.from({ length: width * height }, () => from + (random() % spread));
      const levels = (s: number, min: number, max: number): number => (max === min ? 128 : Math.round(((s - min) * 255) / (max - min)));
      for (const block of [8, 32, 256]) {
        const module = renderedInModule(samples, width, height, levels, block);
        expect(module.range).toEqual({ min: Math.min(...samples), max: Math.max(...samples) });
        const js = renderedInJs(samples, width, height, module.table, module.range.min, block);
        expect(Buffer.from(module.gray).equals(Buffer.from(js.gray))).toBe(true);
        expect(module.medians).toEqual(js.medians);
      }
    }
  });

  it('finds the range wherever its extremes lie: first, last, in the last sixteen or in a vector lane', () => {
    const length = 16 * 9 + 5;
    for (let at = 0; at < length; at++) {
      const samples = new Uint16Array(length).fill(30000);
      samples[at] = 65535;
      samples[length - 1 - at] = 0;
      const module = renderedInModule(samples, length, 1, () => 7, BACKGROUND_BLOCK);
      expect(module.range).toEqual({ min: 0, max: at === length - 1 - at ? 30000 : 65535 });
    }
  });

  it('takes the medians of blocks whose halves are at every level, levels tied at the half included', () => {
    // Each block half one level, half another: the median is the lower (the count reaches exactly half there).
    const [width, height] = [96, 64];
    const samples = Uint16Array.from({ length: width * height }, (_, i) => {
      const [x, y] = [i % width, Math.floor(i / width)];
      const bx = x >> 5;
      return (x + y) % 2 === 0 ? 10 * bx + (y >> 5) : 200 + bx;
    });
    const module = renderedInModule(samples, width, height, (s) => s, 32);
    const js = renderedInJs(samples, width, height, module.table, module.range.min, 32);
    expect(module.medians).toEqual(js.medians);
    expect([...module.medians]).toEqual([0, 10, 20, 1, 11, 21]);
  });

  it.each([
    ['16-bit MONOCHROME2', {}],
    ['16-bit MONOCHROME1', { monochrome1: true }],
    ['12-bit', { bitsStored: 12 }],
    ['16-bit with a rescale', { rescale: { slope: 0.5, intercept: -1024 } }],
  ] as const)('gives the JS path page on a radiograph stored %s, samples on and off a 4-byte boundary', async (_name, stored: Stored) => {
    // 226 wide: the last block's 2 pixels; 4-pixel groups and pieces not whole, so the ink rows run in JS.
    for (const [rows, columns] of [
      [130, 228],
      [97, 226],
    ] as const) {
      const image = radiograph(rows, columns, rows, stored.bitsStored === 12 ? 0 : 3000, stored.bitsStored === 12 ? 1 : 16);
      const boundaries = new Set<number>();
      for (const shift of [0, 2]) {
        const file = dicomOf(image, stored, shift);
        boundaries.add(storedFrames(file).frames[0]!.byteOffset % 4);
        const both = await expectSamePages(file);
        expect(both.rendered).toBe(rows);
        expect(both.inked).toBe(columns % 4 === 0 ? rows : 0);
        expect(both.groups).toBeGreaterThan(0);
      }
      expect([...boundaries].sort()).toEqual([0, 2]);
    }
  });

  it('gives the JS path page on the ingest benchmark radiograph (its faint outline band just past the floor)', async () => {
    const both = await expectSamePages(dicomOf(outlinedRadiograph(300, 256, 5)));
    expect(both).toMatchObject({ rendered: 300, inked: 300 });
    expect(both.groups).toBeGreaterThan(0);
  });

  it('gives the JS path page on tiny images and flat ones', async () => {
    const random = generator(5);
    for (const [rows, columns] of [
      [1, 1],
      [1, 4],
      [3, 5],
      [4, 8],
      [7, 33],
    ] as const) {
      const pixels = Uint16Array.from({ length: rows * columns }, () => 500 + (random() % 3000));
      expect((await expectSamePages(dicomOf({ rows, columns, pixels }))).rendered).toBe(rows);
      const flat = await expectSamePages(dicomOf({ rows, columns, pixels: new Uint16Array(rows * columns).fill(1234) }));
      expect(flat).toMatchObject({ rendered: rows, groups: 0 });
    }
  });

  it('leaves signed samples, bits above Bits Stored and downsampled copies to the JS render', async () => {
    const image = radiograph(97, 228, 4, 0, 1);
    for (const stored of [
      { bitsStored: 12, signed: true },
      { bitsStored: 16, signed: true, monochrome1: true },
      { bitsStored: 12, highBits: true },
    ] as const) {
      expect((await expectSamePages(dicomOf(image, stored))).rendered).toBe(0);
    }
    const downsampled = await expectSamePages(dicomOf(image, { bitsStored: 12 }), 100);
    expect(downsampled.rendered).toBe(0);
  });

  it('leaves color and 32-bit samples to the JS render', async () => {
    const [rows, columns] = [40, 64];
    const random = generator(9);
    const rgb = Uint8Array.from({ length: rows * columns * 3 }, (_, i) => ((i / 3) % columns < 20 ? 250 : 40 + (random() % 9)));
    const us = (value: number) => ({ vr: 'US', Value: [value] });
    const color = makeDicom({
      modality: 'OT',
      rows,
      columns,
      elements: {
        '00280002': us(3),
        '00280004': { vr: 'CS', Value: ['RGB'] },
        '00280006': us(0),
        '00280100': us(8),
        '00280101': us(8),
        '00280102': us(7),
        '00280103': us(0),
        '7FE00010': { vr: 'OB', Value: [rgb.buffer] },
      },
    });
    expect((await expectSamePages(color)).rendered).toBe(0);
    const wide = new Uint32Array(rows * columns).map((_, i) => (i % columns < 20 ? 4_000_000 : 100_000 + (random() % 500)));
    const thirtyTwo = makeDicom({
      modality: 'OT',
      rows,
      columns,
      elements: {
        '00280004': { vr: 'CS', Value: ['MONOCHROME2'] },
        '00280100': us(32),
        '00280101': us(32),
        '00280102': us(31),
        '00280103': us(0),
        '7FE00010': { vr: 'OW', Value: [wide.buffer] },
      },
    });
    expect((await expectSamePages(thirtyTwo)).rendered).toBe(0);
  });

  it('renders in JS without WebAssembly, and with HILUM_INK_WASM=0', async () => {
    const file = dicomOf(radiograph(70, 96, 2, 100));
    const expected = (await pageBy(file, false, 4096)).page.gray;
    type Render = typeof import('../../../layers/ingest/burned-in/render-in-module');
    type Page = typeof import('../../../layers/ingest/burned-in/ink-page');
    const {
      withoutWebAssembly: without,
      switchedOff,
      on,
    } = await inEachInkModuleSetting(async () => {
      const render: Render = await import('../../../layers/ingest/burned-in/render-in-module');
      const page: Page = await import('../../../layers/ingest/burned-in/ink-page');
      const gray = (await page.inkPageOf(file, 4096)).gray.slice();
      return { rendered: render.renderRowsInModule(), gray };
    });
    expect(without.rendered).toBe(0);
    expect(Buffer.from(without.gray).equals(Buffer.from(expected))).toBe(true);
    expect(switchedOff.rendered).toBe(0);
    expect(Buffer.from(switchedOff.gray).equals(Buffer.from(expected))).toBe(true);
    expect(on.rendered).toBe(70);
    expect(Buffer.from(on.gray).equals(Buffer.from(expected))).toBe(true);
  });
});
