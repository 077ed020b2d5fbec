/**
 * Which ink Tesseract is given (layers/ingest/burned-in/ink-components.ts, used by ink-crops.ts): the
 * faint band of noise an anatomical outline leaves on the ink page is left out, so a radiograph whose
 * only ink it is is not read at all; text is kept, faint or not, with its line. No OCR runs here.
 */
import { inkOnPaper } from '../../../layers/ingest/burned-in/flatten';
import { ocrImageOf, type OcrImage } from '../../../layers/ingest/burned-in/image';
import { couldBeText, FAINT_INK, inkComponents } from '../../../layers/ingest/burned-in/ink-components';
import { pageToRead } from '../../../layers/ingest/burned-in/ink-crops';
import { DEFAULT_BURNED_IN_TEXT_POLICY } from '../../../layers/ingest/burned-in';
import { grayImageDicom, type DrawnBox } from '../../support/burned-in-dicom';
import { outlinedRadiograph, rasterizeText, TrueTypeFont } from '../../support/text-raster';

const WHITE = 255;

const contains = (outer: DrawnBox, inner: DrawnBox): boolean =>
  inner.x >= outer.x &&
  inner.y >= outer.y &&
  inner.x + inner.width <= outer.x + outer.width &&
  inner.y + inner.height <= outer.y + outer.height;

function whitePage(width: number, height: number): OcrImage {
  return { width, height, gray: new Uint8Array(width * height).fill(WHITE), factor: 1 };
}

/** `text` drawn on `page` as ink of `level` at its darkest (anti-aliased edges lighter); returns its mask's box. */
function ink(page: OcrImage, text: string, left: number, top: number, pixelSize: number, level: number): DrawnBox {
  const mask = rasterizeText(TrueTypeFont.dejaVu('DejaVuSans'), text, pixelSize);
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      const coverage = Math.min(1, mask.coverage[y * mask.width + x]!);
      if (coverage > 0) page.gray[(top + y) * page.width + left + x] = Math.round(WHITE - coverage * (WHITE - level));
    }
  }
  return { x: left, y: top, width: mask.width, height: mask.height };
}

describe('the ink Tesseract is given', () => {
  // The ingest benchmark's radiograph at its size: the band along its outline appears at this scale.
  const [rows, columns] = [2500, 2048];
  let outlinePage: OcrImage;

  beforeAll(async () => {
    outlinePage = inkOnPaper(
      await ocrImageOf(
        grayImageDicom(outlinedRadiograph(rows, columns, 1), { modality: 'DX' }),
        DEFAULT_BURNED_IN_TEXT_POLICY.maxDimension,
      ),
    );
  });

  it("gives Tesseract nothing to read on the ingest benchmark's radiograph, whose only ink is its outline's faint band of noise", () => {
    const inked = outlinePage.gray.reduce((n, level) => n + (level < WHITE ? 1 : 0), 0);
    expect(inked).toBeGreaterThan(10_000); // the band is there: the whole page was read before
    expect(pageToRead(outlinePage).image).toBeUndefined();
  });

  it('still gives it a faint 12 px name on the border, its ink no darker than the band, with its whole line', () => {
    // Ink 8 levels past the floor at its darkest (223), within the band's 2-10: a step of about 0.06 of the stored range.
    const page = { ...outlinePage, gray: outlinePage.gray.slice() };
    const name = ink(page, 'Martinson, Kelly', 60, 60, 12, 223);
    const read = pageToRead(page);
    expect(read.placements.some(({ from }) => contains(from, name))).toBe(true);
    expect(read.image!.width * read.image!.height).toBeLessThan(0.05 * rows * columns);
  });
});

describe('couldBeText', () => {
  const kept = (page: OcrImage) => couldBeText(inkComponents(page).components).length;

  it('keeps ink darker than the faint limit whatever its shape: a single dark speck', () => {
    const page = whitePage(64, 64);
    page.gray[20 * 64 + 20] = FAINT_INK - 1;
    expect(kept(page)).toBe(1);
  });

  it('leaves out faint specks, and a faint band whose pixels mostly stay near white (noise along an edge)', () => {
    const page = whitePage(256, 64);
    page.gray[5 * 256 + 5] = FAINT_INK;
    // A band 6 px high across the page: light everywhere, a few darker specks.
    for (let y = 30; y < 36; y++) for (let x = 20; x < 236; x++) page.gray[y * 256 + x] = (x * 7 + y * 13) % 10 === 0 ? 223 : 247;
    expect(kept(page)).toBe(0);
  });

  it('keeps faint text: strokes of a character’s height beside each other on a line, and letters run together', () => {
    const line = whitePage(512, 64);
    ink(line, 'KELLY 1985', 20, 20, 16, 223);
    expect(kept(line)).toBeGreaterThanOrEqual(5);
    const single = whitePage(128, 64);
    ink(single, 'I', 20, 20, 16, 223);
    expect(kept(single)).toBe(0); // one faint stroke alone is no word
  });
});
