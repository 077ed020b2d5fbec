/**
 * Which ink Tesseract is given (layers/ingest/burned-in/ink-components.ts, used by ink-crops.ts): the
 * faint band of noise an anatomical outline leaves on the ink page is left out, so a radiograph whose
 * only ink it is is not read at all; text is kept, faint or not, with its line. No OCR runs here.
 */
import { inkOnPaper } from '../../../layers/ingest/burned-in/flatten';
import { ocrImageOf, type OcrImage } from '../../../layers/ingest/burned-in/image';
import { couldBeText, FAINT_INK, inkComponents } from '../../../layers/ingest/burned-in/ink-components';
import { pageToRead } from '../../../layers/ingest/burned-in/ink-crops';
import { checkBurnedInText, DEFAULT_BURNED_IN_TEXT_POLICY, stopOcr } from '../../../layers/ingest/burned-in';
import { drawTexts, grayImageDicom, overlaps, type DrawnBox } from '../../support/burned-in-dicom';
import { outlinedRadiograph, rasterizeText, TrueTypeFont, type GrayImage } from '../../support/text-raster';

const WHITE = 255;

const contains = (outer: DrawnBox, inner: DrawnBox): boolean =>
  inner.x >= outer.x &&
  inner.y >= outer.y &&
  inner.x + inner.width <= outer.x + outer.width &&
  inner.y + inner.height <= outer.y + outer.height;

function whitePage(width: number, height: number): OcrImage {
  return { width, height, gray: new Uint8Array(width * height).fill(WHITE), factor: 1 };
}

/** `text` drawn on `page` as ink of `level` at its darkest (anti-aliased edges lighter). */
function ink(page: OcrImage, text: string, left: number, top: number, pixelSize: number, level: number): void {
  const mask = rasterizeText(TrueTypeFont.dejaVu('DejaVuSans'), text, pixelSize);
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      const coverage = Math.min(1, mask.coverage[y * mask.width + x]!);
      if (coverage > 0) page.gray[(top + y) * page.width + left + x] = Math.round(WHITE - coverage * (WHITE - level));
    }
  }
}

const inkPageOf = async (image: GrayImage): Promise<OcrImage> =>
  inkOnPaper(await ocrImageOf(grayImageDicom(image, { modality: 'DX' }), DEFAULT_BURNED_IN_TEXT_POLICY.maxDimension));

describe('the ink Tesseract is given', () => {
  // The ingest benchmark's radiograph at its size: the band along its outline appears at this scale.
  const [rows, columns] = [2500, 2048];
  let outline: GrayImage;
  // The same radiograph with two texts: a faint 12 px name on the border, a step of 0.06 of the stored range (the
  // bench's faintest is 0.33: its darkest ink 8 levels past the floor, within the band's 2-10), and a 12 px date
  // near the outline at the bench's lowest contrast.
  let labelled: { bytes: Uint8Array; image: GrayImage; name: DrawnBox; date: DrawnBox };

  beforeAll(() => {
    outline = outlinedRadiograph(rows, columns, 1);
    const image = { ...outline, pixels: outline.pixels.slice() };
    const [name, date] = drawTexts(image, [
      { text: 'Martinson, Kelly', pixelSize: 12, left: 60, top: 60, value: 300 + 246 },
      { text: '1943-08-28', pixelSize: 12, left: 1500, top: 200, value: 300 + 1351 },
    ]);
    labelled = { bytes: grayImageDicom(image, { modality: 'DX', burnedInAnnotation: 'NO' }), image, name: name!, date: date! };
  });
  afterAll(stopOcr);

  it("gives Tesseract nothing to read on the ingest benchmark's radiograph, whose only ink is its outline's faint band of noise", async () => {
    const page = await inkPageOf(outline);
    const inked = page.gray.reduce((n, level) => n + (level < WHITE ? 1 : 0), 0);
    expect(inked).toBeGreaterThan(10_000); // the band is there: the whole page was read before
    expect(pageToRead(page).image).toBeUndefined();
  });

  it('still gives it a faint 12 px name on the border, as light as the band, with its whole line', async () => {
    const read = pageToRead(await inkPageOf(labelled.image));
    expect(read.placements.some(({ from }) => contains(from, labelled.name))).toBe(true);
    expect(read.image!.width * read.image!.height).toBeLessThan(0.05 * rows * columns);
  });

  it("holds a 12 px date burned in among the outline's ink at the bench's lowest contrast, its box found", async () => {
    const check = await checkBurnedInText(labelled.bytes, DEFAULT_BURNED_IN_TEXT_POLICY);
    expect(check.status).toBe('held');
    expect(check.status === 'held' && check.regions.some((r) => r.classes.includes('date') && overlaps(r, labelled.date))).toBe(true);
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
