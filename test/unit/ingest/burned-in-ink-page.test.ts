/**
 * The burned-in text check's ink page in fewer passes (layers/ingest/burned-in/ink-page.ts, flatten.ts,
 * ink-components.ts) gives the bytes and components session 10's plain passes gave
 * (test/support/burned-in-reference.ts), so the check finds exactly what it found: text of several
 * sizes and contrasts (faint too), none, the ingest benchmark's outline, MONOCHROME1 and 2, 8, 12 and
 * 16 bits, signed samples, bits above Bits Stored, a rescale, sizes that are not whole blocks, a copy
 * downsampled to fit. No OCR runs here: a page with nothing to read does not even start its worker.
 */
import { readDicomHeader, storedFrames } from '../../../layers/dicom';
import { checkBurnedInText, DEFAULT_BURNED_IN_TEXT_POLICY, stopOcr } from '../../../layers/ingest/burned-in';
import { ocrThreadsCpuMs } from '../../../layers/ingest/burned-in/ocr';
import { inkComponents } from '../../../layers/ingest/burned-in/ink-components';
import { BACKGROUND_BLOCK, BlockMedians, inkOnPaper, type InkPage } from '../../../layers/ingest/burned-in/flatten';
import { inkPageOf } from '../../../layers/ingest/burned-in/ink-page';
import { drawTexts, grayImageDicom, type BurnedText } from '../../support/burned-in-dicom';
import { referenceBlockMedians, referenceInkComponents, referenceInkOnPaper, referenceOcrImage } from '../../support/burned-in-reference';
import { makeDicom } from '../../support/synthetic-dicom';
import { outlinedRadiograph, syntheticRadiograph, type GrayImage } from '../../support/text-raster';

const MAX_DIMENSION = 2600;

interface Encoding {
  readonly bitsStored: 8 | 12 | 16;
  readonly signed?: boolean;
  readonly monochrome1?: boolean;
  /** Sets bit 13 of every seventh sample (an overlay's bits above Bits Stored, masked when read). */
  readonly highBits?: boolean;
  readonly rescale?: { slope: number; intercept: number };
}

/** A 12-bit image (0..4095) as a Part 10 file of another depth: scaled to its range, signed ones centred on zero. */
function encoded(image: GrayImage, encoding: Encoding): Uint8Array {
  const { bitsStored, signed = false } = encoding;
  const samples = image.pixels.length;
  const eight = bitsStored === 8;
  const bytes = new Uint8Array(samples * (eight ? 1 : 2));
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples; i++) {
    const twelve = image.pixels[i]!;
    let value = bitsStored === 8 ? twelve >> 4 : bitsStored === 16 ? twelve * 16 + (i % 16) : twelve;
    if (signed) value -= 2 ** (bitsStored - 1);
    if (encoding.highBits && bitsStored === 12 && i % 7 === 0) value |= 1 << 13;
    if (eight) bytes[i] = value & 0xff;
    else view.setUint16(i * 2, value & 0xffff, true);
  }
  const us = (value: number) => ({ vr: 'US', Value: [value] });
  const elements = {
    '00280004': { vr: 'CS', Value: [encoding.monochrome1 ? 'MONOCHROME1' : 'MONOCHROME2'] },
    '00280100': us(eight ? 8 : 16),
    '00280101': us(bitsStored),
    '00280102': us(bitsStored - 1),
    '00280103': us(signed ? 1 : 0),
    '7FE00010': { vr: eight ? 'OB' : 'OW', Value: [bytes.buffer] },
    // The header's window is not the check's (it renders over the frame's own range): present to prove it is ignored.
    '00281050': { vr: 'DS', Value: [40] },
    '00281051': { vr: 'DS', Value: [80] },
    ...(encoding.rescale
      ? {
          '00281053': { vr: 'DS', Value: [encoding.rescale.slope] },
          '00281052': { vr: 'DS', Value: [encoding.rescale.intercept] },
        }
      : {}),
  };
  return makeDicom({ modality: 'CR', rows: image.rows, columns: image.columns, elements });
}

const text = (words: string, pixelSize: number, left: number, top: number, value: number): BurnedText => ({
  text: words,
  pixelSize,
  left,
  top,
  value,
});

/** A synthetic radiograph with a bright label on its border, a dark one over its anatomy and a faint one (a step of 5% of the range). */
function labelled(rows: number, columns: number, seed: number): GrayImage {
  const image = syntheticRadiograph(rows, columns, seed);
  const border = image.pixels[(rows - 34) * columns + 20]!;
  drawTexts(image, [
    text('KELLY', 16, 12, 12, 4095),
    text('03/12/85', 12, Math.round(columns * 0.4), Math.round(rows * 0.5), 0),
    text('MRN 4417', 14, 12, rows - 40, Math.min(4095, border + 205)),
  ]);
  return image;
}

async function expectSameAsReference(bytes: Uint8Array, maxDimension = MAX_DIMENSION): Promise<InkPage> {
  const reference = referenceInkOnPaper(await referenceOcrImage(bytes, maxDimension));
  const page = await inkPageOf(bytes, maxDimension, readDicomHeader(bytes).dict);
  expect({ width: page.width, height: page.height, factor: page.factor }).toEqual({
    width: reference.width,
    height: reference.height,
    factor: reference.factor,
  });
  expect(Buffer.from(page.gray).equals(Buffer.from(reference.gray))).toBe(true);
  const components = inkComponents(page);
  const expected = referenceInkComponents(reference);
  expect(components.components).toEqual(expected.components);
  expect(components.pixels.subarray(0, components.components.at(-1)?.end ?? 0)).toEqual(
    expected.pixels.subarray(0, expected.components.at(-1)?.end ?? 0),
  );
  return page;
}

describe('the ink page in fewer passes', () => {
  let shared: GrayImage | undefined;
  let evenWidth: GrayImage | undefined;

  afterAll(stopOcr);

  it('clears an at-risk radiograph whose ink page holds nothing to read without starting the OCR worker', async () => {
    const flat: GrayImage = { rows: 96, columns: 80, pixels: new Uint16Array(96 * 80).fill(900) };
    const check = await checkBurnedInText(encoded(flat, { bitsStored: 12 }), DEFAULT_BURNED_IN_TEXT_POLICY);
    expect(check.status).toBe('clear');
    expect(ocrThreadsCpuMs()).toBe(0); // no OCR worker thread: the process never started one
  });

  it("equals session 10's passes on the ingest benchmark's radiograph (625 x 512), with a faint name beside its outline", async () => {
    const image = outlinedRadiograph(625, 512, 3);
    drawTexts(image, [text('Kelly Martinson', 12, 30, 290, 300 + 180)]);
    const page = await expectSameAsReference(grayImageDicom(image, { modality: 'DX' }));
    expect(page.gray.some((level) => level < 255)).toBe(true);
  });

  it.each<[string, Encoding]>([
    ['12-bit MONOCHROME2', { bitsStored: 12 }],
    ['12-bit MONOCHROME1', { bitsStored: 12, monochrome1: true }],
    ['8-bit', { bitsStored: 8 }],
    ['16-bit', { bitsStored: 16 }],
    ['12-bit signed', { bitsStored: 12, signed: true }],
    ['16-bit signed MONOCHROME1', { bitsStored: 16, signed: true, monochrome1: true }],
    ['12-bit with bits above Bits Stored set', { bitsStored: 12, highBits: true }],
    ['12-bit with a rescale', { bitsStored: 12, rescale: { slope: 0.5, intercept: -1024 } }],
  ])('equals them on a labelled radiograph stored %s, its sides no whole number of blocks', async (_name, encoding) => {
    shared ??= labelled(225, 193, 7);
    await expectSameAsReference(encoded(shared, encoding));
  });

  it.each<[string, Encoding]>([
    ['12-bit MONOCHROME2', { bitsStored: 12 }],
    ['12-bit MONOCHROME1', { bitsStored: 12, monochrome1: true }],
    ['16-bit', { bitsStored: 16 }],
    ['12-bit signed', { bitsStored: 12, signed: true }],
    ['12-bit with bits above Bits Stored set', { bitsStored: 12, highBits: true }],
    ['12-bit with a rescale', { bitsStored: 12, rescale: { slope: 0.5, intercept: -1024 } }],
  ])(
    'equals them on an even-width radiograph stored %s, its samples read in place on and off a 4-byte boundary',
    async (_name, encoding) => {
      // Unsigned 16-bit samples that are their stored values and an even width are read two at a time, as 32-bit
      // words: from the first sample or, where the pixel data starts 2 bytes off a 4-byte boundary, the second.
      evenWidth ??= labelled(226, 194, 8);
      const bytes = encoded(evenWidth, encoding);
      const boundaries = new Set<number>();
      for (const shift of [0, 2]) {
        const moved = new Uint8Array(bytes.length + shift).subarray(shift);
        moved.set(bytes);
        boundaries.add(storedFrames(moved).frames[0]!.byteOffset % 4);
        await expectSameAsReference(moved);
      }
      expect([...boundaries].sort()).toEqual([0, 2]);
    },
  );

  it('equals them on a radiograph without text', async () => {
    await expectSameAsReference(encoded(syntheticRadiograph(161, 130, 11), { bitsStored: 12 }));
  });

  it('equals them on a flat image (one stored value: every pixel paper)', async () => {
    const flat: GrayImage = { rows: 100, columns: 90, pixels: new Uint16Array(9000).fill(1200) };
    const page = await expectSameAsReference(encoded(flat, { bitsStored: 12 }));
    expect(page.gray.every((level) => level === 255)).toBe(true);
  });

  it('equals them on a copy downsampled to fit (the passes one by one)', async () => {
    shared ??= labelled(225, 193, 7);
    await expectSameAsReference(encoded(shared, { bitsStored: 12 }), 110);
  });

  it('takes the same block medians row by row, blocks of odd width at the edge included', () => {
    const [width, height] = [301, 75]; // last blocks 13 pixels wide and 11 high
    let state = 7;
    const gray = Uint8Array.from({ length: width * height }, () => (state = (state * 1103515245 + 12345) >>> 0) >>> 24);
    const medians = new BlockMedians(width, height, BACKGROUND_BLOCK);
    for (let y = 0; y < height; y++) medians.addRow(gray, y * width);
    const reference = referenceBlockMedians({ width, height, gray, factor: 1 }, BACKGROUND_BLOCK, medians.columns, medians.rows);
    expect(medians.medians).toEqual(reference);
  });

  it('lists exactly the groups of four pixels that hold ink, where the components are then looked for', async () => {
    shared ??= labelled(225, 193, 7);
    const bytes = encoded(shared, { bitsStored: 12 });
    const page = await expectSameAsReference(bytes); // components found from the list equal a scan's
    const whole = page.gray.length >>> 2;
    const expected: number[] = [];
    for (let q = 0; q < whole; q++) if (page.gray.subarray(4 * q, 4 * q + 4).some((level) => level < 255)) expected.push(q);
    expect(expected.length).toBeGreaterThan(0);
    expect(page.inked?.gray).toBe(page.gray);
    expect([...page.inked!.quads.subarray(0, page.inked!.count)]).toEqual(expected);
    expect(page.inked!.ungroupedFrom).toBe(whole * 4);
  });

  it('scans a copy of an ink page for its ink, not the list of where the original had it', async () => {
    shared ??= labelled(225, 193, 7);
    const page = await inkPageOf(encoded(shared, { bitsStored: 12 }), MAX_DIMENSION);
    const copy = { ...page, gray: page.gray.slice() };
    // Paper with no ink in its group of four pixels nor next to it: a speck drawn there is a component of its own.
    const near = [-4, -3, -2, -1, 0, 1, 2, 3, 4];
    const paper = (x: number, y: number): boolean =>
      near.every((dy) => near.every((dx) => page.gray[(y + dy) * page.width + x + dx] === 255));
    let [x, y] = [4, 4];
    while (!paper(x, y)) [x, y] = x + 1 < page.width - 4 ? [x + 1, y] : [4, y + 1];
    copy.gray[y * page.width + x] = 0; // ink the original's list does not know of
    const found = inkComponents(copy).components;
    expect(found).toEqual(referenceInkComponents(copy).components);
    expect(found.some((c) => c.x0 === x && c.y0 === y && c.x1 === x && c.y1 === y)).toBe(true);
  });

  it('finds the same components on a page that does not start on a 4-byte boundary', () => {
    shared ??= labelled(225, 193, 7);
    const page = inkOnPaper({ width: 193, height: 225, factor: 1, gray: grayOf(shared) });
    const shifted = new Uint8Array(page.gray.length + 1).subarray(1);
    shifted.set(page.gray);
    expect(inkComponents({ ...page, gray: shifted })).toEqual(referenceInkComponents(page));
  });
});

/** 12-bit samples to 8 bits (a page to flatten without a file). */
function grayOf(image: GrayImage): Uint8Array {
  return Uint8Array.from(image.pixels, (value) => value >> 4);
}
