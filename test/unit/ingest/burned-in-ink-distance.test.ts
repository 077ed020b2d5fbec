/**
 * The ink page's distances in whole numbers, four pixels a word (layers/ingest/burned-in/flatten.ts
 * inkInWords): the same bytes, the same list of inked groups and the same components as session 10's
 * float passes (test/support/burned-in-reference.ts), so the check finds exactly what it found. The
 * arithmetic is exact only because the interpolation's weights are whole numbers of 1/(2 * block); the
 * pages here hold what could tell it apart: backgrounds that sit exactly halfway between two levels
 * with pixels on both sides of them (a distance of x.5 rounds away from the background), a floor raised
 * above 16 by noise (distances past 16 but not past the floor end white and unlisted), every distance up
 * to 255, blocks of every power-of-two size and of others (the float passes), pages that do not start on
 * a 4-byte boundary.
 */
import { BACKGROUND_BLOCK, BlockMedians, inkAround, inkOnPaper, type InkPage } from '../../../layers/ingest/burned-in/flatten';
import { DEFAULT_BURNED_IN_TEXT_POLICY } from '../../../layers/ingest/burned-in';
import { ocrImageOf, type OcrImage } from '../../../layers/ingest/burned-in/image';
import { inkComponents } from '../../../layers/ingest/burned-in/ink-components';
import { CheckScratch } from '../../../layers/ingest/burned-in/scratch';
import { drawTexts, grayImageDicom } from '../../support/burned-in-dicom';
import { referenceInkComponents, referenceInkOnPaper } from '../../support/burned-in-reference';
import { outlinedRadiograph, syntheticRadiograph, type GrayImage } from '../../support/text-raster';

const page = (width: number, height: number, level: (x: number, y: number) => number): OcrImage => {
  const gray = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) gray[y * width + x] = level(x, y);
  return { width, height, gray, factor: 1 };
};

/** 12-bit samples to 8 bits. */
const grayOf = (image: GrayImage): OcrImage => ({
  width: image.columns,
  height: image.rows,
  gray: Uint8Array.from(image.pixels, (value) => value >> 4),
  factor: 1,
});

/** A labelled synthetic radiograph whose width is a whole number of 4-pixel groups. */
function labelled(rows: number, columns: number, seed: number): OcrImage {
  const image = syntheticRadiograph(rows, columns, seed);
  drawTexts(image, [
    { text: 'KELLY', pixelSize: 16, left: 12, top: 12, value: 4095 },
    { text: '03/12/85', pixelSize: 12, left: Math.round(columns * 0.4), top: Math.round(rows * 0.5), value: 0 },
  ]);
  return grayOf(image);
}

/** The groups of four pixels of `gray` that hold a pixel that is not white. */
function inkedGroups(gray: Uint8Array): number[] {
  const groups: number[] = [];
  for (let q = 0; q < gray.length >>> 2; q++) if (gray.subarray(4 * q, 4 * q + 4).some((level) => level < 255)) groups.push(q);
  return groups;
}

function expectSameAsReference(found: InkPage, image: OcrImage, block = BACKGROUND_BLOCK): void {
  const reference = referenceInkOnPaper(image, block);
  expect(Buffer.from(found.gray).equals(Buffer.from(reference.gray))).toBe(true);
  if (found.inked?.gray === found.gray) {
    // A page off a 4-byte boundary is not looked at in groups: none listed, all of it left to a scan.
    const grouped = found.gray.byteOffset % 4 === 0 ? (found.gray.length >>> 2) * 4 : 0;
    expect(found.inked.ungroupedFrom).toBe(grouped);
    expect([...found.inked.quads.subarray(0, found.inked.count)]).toEqual(inkedGroups(found.gray.subarray(0, grouped)));
  }
  const components = inkComponents(found);
  const expected = referenceInkComponents(reference);
  expect(components.components).toEqual(expected.components);
}

describe('the ink page in whole numbers', () => {
  it('equals the float passes where the background sits halfway between two levels, pixels on both sides of it', () => {
    // Block rows of median 100 but one of 132: between its centre and its neighbours' every row's background is
    // 100 + T/2 for an odd T, a level and a half, and each pixel is above or below it by x.5 levels: quiet ones
    // around 100 or 132 (paper), dark specks of 30 (ink, whose level the rounding decides).
    const spread = [0, 1, -1, 2, -2, 0, 3, -3];
    const halfway = page(256, 256, (x, y) => {
      if (y >= 40 && y < 120 && x % 16 === 5) return 30;
      return (y >> 5 === 2 ? 132 : 100) + spread[(x + 3 * y) % 8]!;
    });
    const found = inkOnPaper(halfway);
    expectSameAsReference(found, halfway);
    expect(found.gray.every((level, i) => halfway.gray[i] !== 30 || level < 255)).toBe(true);
  });

  it('equals them where a falling background is halfway at the last pixel of a group whose others round to its level', () => {
    // Flat blocks of medians 100, 60 (top) and 61, 85 (bottom): on row 31 the background falls by 0.28 of a level
    // a pixel and is exactly 74.5 at x = 39, the last of the group from x = 36, whose other backgrounds round to 75
    // too. A pixel of 110 there is 35.5 levels away: 36, not the 35 its group's level would give (a floor of 28:
    // ink a step darker).
    const medians = [100, 60, 61, 85];
    const falling = page(64, 64, (x, y) => (x === 39 && y === 31 ? 110 : medians[(y >> 5) * 2 + (x >> 5)]!));
    expectSameAsReference(inkOnPaper(falling), falling);
  });

  it('equals them where noise raises the floor: distances past 16 but not past it end white, their groups unlisted', () => {
    // Around a flat 128 each block holds distances 0, 3, 8, 8, 9, 9, 20 and 60: the median distance is 8, the
    // floor 32. A distance of 20 is ink below the floor of a quiet image, paper on this one.
    const offsets = [0, 8, -8, 9, -9, 20, -60, 3];
    const noisy = page(256, 128, (x) => 128 + offsets[x % 8]!);
    const found = inkOnPaper(noisy);
    expectSameAsReference(found, noisy);
    expect(found.gray.every((level, i) => (i % 8 === 5 ? level === 255 : true))).toBe(true);
    expect(found.gray.filter((level) => level < 255).length).toBe((256 * 128) / 8); // only the distances of 60

    const quieter = page(256, 128, (x) => 128 + offsets[x % 8]! * (x % 8 === 6 ? 0 : 1));
    const none = inkOnPaper(quieter);
    expectSameAsReference(none, quieter);
    expect(none.inked?.count).toBe(0); // every group with a distance of 20 was struck from the list
  });

  it('equals them on every distance up to 255 (black and white pixels beside each other)', () => {
    let state = 99;
    const random = (): number => (state = (state * 1103515245 + 12345) >>> 0) >>> 24;
    const extremes = page(320, 96, (x, y) => (x % 7 === 0 ? 0 : y % 5 === 0 ? 255 : random()));
    const found = inkOnPaper(extremes);
    expectSameAsReference(found, extremes);
    expect(found.inked!.count).toBeGreaterThan(4096); // the scratch's first list was grown
  });

  it("equals them on the ingest benchmark's radiograph, with a faint name beside its outline", async () => {
    const image = outlinedRadiograph(625, 512, 3);
    drawTexts(image, [{ text: 'Kelly Martinson', pixelSize: 12, left: 30, top: 290, value: 300 + 180 }]);
    const rendered = await ocrImageOf(grayImageDicom(image, { modality: 'DX' }), DEFAULT_BURNED_IN_TEXT_POLICY.maxDimension);
    const found = inkOnPaper(rendered);
    expectSameAsReference(found, rendered);
    expect(found.inked!.count).toBeGreaterThan(100);
  });

  it.each([1, 2, 4, 8, 16, 32, 64, 128, 256, 24, 48])('equals them with blocks of %i pixels', (block) => {
    const image = labelled(200, 236, 5);
    expectSameAsReference(inkOnPaper(image, block), image, block);
  });

  it('equals them on pages and copies that do not start on a 4-byte boundary', () => {
    const image = labelled(120, 160, 6);
    const medians = (): BlockMedians => {
      const blocks = new BlockMedians(image.width, image.height, BACKGROUND_BLOCK);
      for (let y = 0; y < image.height; y++) blocks.addRow(image.gray, y * image.width);
      return blocks;
    };
    const offBoundary = (bytes: Uint8Array): Uint8Array => {
      const moved = new Uint8Array(bytes.length + 1).subarray(1);
      moved.set(bytes);
      return moved;
    };
    const into = offBoundary(new Uint8Array(image.gray.length));
    expectSameAsReference(inkAround(image, medians(), into), image);
    const shifted = { ...image, gray: offBoundary(image.gray) };
    expectSameAsReference(inkAround(shifted, medians(), new Uint8Array(image.gray.length)), image);
    const inPlace = { ...image, gray: image.gray.slice() };
    expectSameAsReference(inkAround(inPlace, medians(), inPlace.gray, new CheckScratch()), image);
  });
});
