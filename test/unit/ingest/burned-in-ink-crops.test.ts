/**
 * What Tesseract is given of an ink page (layers/ingest/burned-in/ink-crops.ts): nothing for a white
 * page, the inked blocks with their margins stacked on a small page, or the page whole when ink is
 * everywhere; and every box read on the stacked page maps back to where its ink was. Pure geometry
 * on synthetic ink pages (DejaVu text rasterized by text-raster.ts): no OCR runs here.
 */
import type { OcrImage } from '../../../layers/ingest/burned-in/image';
import { CROP_MARGIN, inkCrops, pageToRead, toInkPage, type Placement } from '../../../layers/ingest/burned-in/ink-crops';
import type { OcrBox } from '../../../layers/ingest/burned-in/ocr';
import { rasterizeText, TrueTypeFont } from '../../support/text-raster';

const WHITE = 255;

function whitePage(width: number, height: number): OcrImage {
  return { width, height, gray: new Uint8Array(width * height).fill(WHITE), factor: 1 };
}

/** Draws `text` as dark ink (flatten.ts's output) at (left, top); returns the box of its non-white pixels. */
function ink(page: OcrImage, text: string, left: number, top: number, pixelSize = 16): OcrBox {
  const mask = rasterizeText(TrueTypeFont.dejaVu('DejaVuSans'), text, pixelSize);
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      const level = Math.round(WHITE * (1 - Math.min(1, mask.coverage[y * mask.width + x]!)));
      const [px, py] = [left + x, top + y];
      if (level >= WHITE || px < 0 || py < 0 || px >= page.width || py >= page.height) continue;
      page.gray[py * page.width + px] = level;
      [x0, y0, x1, y1] = [Math.min(x0, px), Math.min(y0, py), Math.max(x1, px + 1), Math.max(y1, py + 1)];
    }
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

const contains = (outer: OcrBox, inner: OcrBox): boolean =>
  inner.x >= outer.x &&
  inner.y >= outer.y &&
  inner.x + inner.width <= outer.x + outer.width &&
  inner.y + inner.height <= outer.y + outer.height;

describe('pageToRead', () => {
  it('gives Tesseract nothing to read on a page without a pixel of ink', () => {
    expect(pageToRead(whitePage(2048, 2500)).image).toBeUndefined();
  });

  it('stacks the inked blocks on a page a small share of the original, every non-white pixel on it and mapped back to where it was', () => {
    const page = whitePage(1024, 1250);
    ink(page, 'DOE, JANE', 40, 30, 20);
    ink(page, '03/14/1999', 900, 1230, 12);
    ink(page, 'MRN 5567123', 400, 600, 32);
    const read = pageToRead(page);
    const stacked = read.image!;
    expect(read.placements).toHaveLength(3);
    expect(stacked.width * stacked.height).toBeLessThan(0.15 * page.width * page.height);
    let [nonWhite, misplaced] = [0, 0];
    for (let y = 0; y < page.height; y++) {
      for (let x = 0; x < page.width; x++) {
        const level = page.gray[y * page.width + x]!;
        if (level === WHITE) continue;
        nonWhite++;
        const place = read.placements.find((p) => contains(p.from, { x, y, width: 1, height: 1 }));
        if (!place) {
          misplaced++;
          continue;
        }
        const [sx, sy] = [x - place.from.x + place.x, y - place.from.y + place.y];
        const back = read.toInkPage({ x: sx, y: sy, width: 1, height: 1 });
        if (stacked.gray[sy * stacked.width + sx] !== level || back.x !== x || back.y !== y) misplaced++;
      }
    }
    expect(nonWhite).toBeGreaterThan(1000);
    expect(misplaced).toBe(0);
  });

  it('keeps white margins around each crop inside the page, and clips a crop at the page edge to the page', () => {
    const page = whitePage(1024, 768);
    const inner = ink(page, 'KELLY', 400, 300);
    const corner = ink(page, 'ACC A123456', -4, -6);
    const crops = inkCrops(page)!;
    const holding = (box: OcrBox): OcrBox => crops.find((c) => contains(c, box))!;
    const grown = {
      x: inner.x - CROP_MARGIN,
      y: inner.y - CROP_MARGIN,
      width: inner.width + 2 * CROP_MARGIN,
      height: inner.height + 2 * CROP_MARGIN,
    };
    expect(contains(holding(inner), grown)).toBe(true);
    expect(holding(corner)).toMatchObject({ x: 0, y: 0 });
  });

  it("keeps a line's words in one crop (a date across words), and text far apart on the same row in two", () => {
    const line = whitePage(1024, 256);
    ink(line, '12 Mar 1985', 100, 100);
    ink(line, 'ANDERSEN', 100 + 150 + 40, 100); // a wide gap, as between a name and a date on a label
    expect(inkCrops(line)).toHaveLength(1);
    const apart = whitePage(1024, 256);
    ink(apart, 'LEFT', 20, 100);
    ink(apart, 'RIGHT', 800, 100);
    expect(inkCrops(apart)).toHaveLength(2);
  });

  it('reads a page inked nearly everywhere whole (a noisy image), boxes unchanged', () => {
    const page = whitePage(512, 512);
    for (let y = 0; y < page.height; y += 16) for (let x = 0; x < page.width; x += 16) page.gray[(y + 7) * page.width + x + 7] = 100;
    const read = pageToRead(page);
    expect(read.image).toBe(page);
    expect(read.placements).toEqual([]);
    expect(read.toInkPage({ x: 5, y: 6, width: 7, height: 8 })).toEqual({ x: 5, y: 6, width: 7, height: 8 });
  });
});

describe('toInkPage', () => {
  const placements: Placement[] = [
    { from: { x: 1000, y: 40, width: 200, height: 60 }, x: 32, y: 32 },
    { from: { x: 10, y: 2000, width: 300, height: 80 }, x: 32, y: 124 },
  ];

  it('maps a box by the crop under its centre', () => {
    expect(toInkPage({ x: 40, y: 130, width: 50, height: 20 }, placements)).toEqual({ x: 18, y: 2006, width: 50, height: 20 });
  });

  it('maps a box whose centre falls in the white between crops by the crop it overlaps most', () => {
    expect(toInkPage({ x: 40, y: 80, width: 30, height: 32 }, placements)).toEqual({ x: 1008, y: 88, width: 30, height: 32 });
  });
});
