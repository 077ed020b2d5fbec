/**
 * The page Tesseract is given: only the parts of the ink page that hold ink. Tesseract's cost grows
 * with the page's area whatever it holds (an all-white 2048 x 2500 page costs about 100 ms of CPU, a
 * 1024 x 300 one under 10 ms), and after flatten.ts smooth anatomy is white paper. So every block that
 * holds a pixel that is not white, with white margins around it, is cut out, and the crops are
 * stacked one under another on a smaller white page, far enough apart that no line of text runs from
 * one into the next. Nothing is dropped that Tesseract could read: every non-white pixel is on the
 * page, among its neighbours. A page that is ink nearly everywhere (noisy anatomy, a real
 * radiograph's edges) is read whole, as before. Word boxes are mapped back to the ink page's pixels.
 */
import type { OcrImage } from './image';
import { couldBeText, inkComponents } from './ink-components';
import type { OcrBox } from './ocr';
import { CheckScratch } from './scratch';

/** Side of the blocks looked at for ink (OCR pixels). */
export const INK_TILE = 16;
/** White kept around the ink of a crop on every side (OCR pixels): more than the line spacing of the text the check targets. */
export const CROP_MARGIN = 16;
/** Ink this close beside other ink (OCR pixels, on overlapping rows) is cut out with it, so a line's words stay one line. */
export const LINE_BRIDGE = 64;
/** White between stacked crops and around them (OCR pixels). */
export const CROP_GAP = 32;
/** Crops worth stacking only while the stacked page is at most this share of the ink page's area. */
export const MAX_STACKED_SHARE = 0.5;
/** More separate crops than this: the page is read whole (merging them costs more than it saves). */
const MAX_CROPS = 256;

/** Where a crop of the ink page sits on the page Tesseract reads. */
export interface Placement {
  /** The crop, in the ink page's pixels. */
  readonly from: OcrBox;
  /** Its top-left corner on the page read. */
  readonly x: number;
  readonly y: number;
}

/** The page to read and how its pixels map back to the ink page's; `image` undefined: nothing to read. */
export interface PageToRead {
  readonly image: OcrImage | undefined;
  /** Crops as placed (empty when the ink page is read whole). */
  readonly placements: readonly Placement[];
  toInkPage(box: OcrBox): OcrBox;
}

/** Tiles (INK_TILE square, row by row) holding a pixel of ink that could be text (ink-components.ts). */
function inkTiles(page: OcrImage, columns: number, rows: number, scratch: CheckScratch): Uint8Array {
  const tiles = new Uint8Array(columns * rows);
  const { components, pixels } = inkComponents(page, scratch);
  for (const component of couldBeText(components, LINE_BRIDGE)) {
    for (let k = component.start; k < component.end; k++) {
      const i = pixels[k]!;
      const x = i % page.width;
      tiles[(((i - x) / page.width / INK_TILE) | 0) * columns + ((x / INK_TILE) | 0)] = 1;
    }
  }
  return tiles;
}

/** The ink tiles' clusters as boxes in the ink page's pixels, each grown by its margins and clipped to the page. */
function clusters(page: OcrImage, tiles: Uint8Array, columns: number, rows: number): OcrBox[] | undefined {
  // Tiles within the bridge of each other are one cluster: their grown boxes would overlap anyway.
  const reachX = Math.ceil((LINE_BRIDGE + 2 * CROP_MARGIN) / INK_TILE);
  const reachY = Math.ceil((2 * CROP_MARGIN) / INK_TILE);
  const seen = new Uint8Array(tiles.length);
  const boxes: OcrBox[] = [];
  const stack: number[] = [];
  for (let start = 0; start < tiles.length; start++) {
    if (!tiles[start] || seen[start]) continue;
    if (boxes.length >= MAX_CROPS) return undefined;
    let [c0, r0, c1, r1] = [start % columns, (start / columns) | 0, start % columns, (start / columns) | 0];
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const at = stack.pop()!;
      const c = at % columns;
      const r = (at / columns) | 0;
      [c0, r0, c1, r1] = [Math.min(c0, c), Math.min(r0, r), Math.max(c1, c), Math.max(r1, r)];
      for (let rr = Math.max(0, r - reachY); rr <= Math.min(rows - 1, r + reachY); rr++) {
        for (let cc = Math.max(0, c - reachX); cc <= Math.min(columns - 1, c + reachX); cc++) {
          const next = rr * columns + cc;
          if (tiles[next] && !seen[next]) {
            seen[next] = 1;
            stack.push(next);
          }
        }
      }
    }
    const x0 = Math.max(0, c0 * INK_TILE - CROP_MARGIN);
    const y0 = Math.max(0, r0 * INK_TILE - CROP_MARGIN);
    const x1 = Math.min(page.width, (c1 + 1) * INK_TILE + CROP_MARGIN);
    const y1 = Math.min(page.height, (r1 + 1) * INK_TILE + CROP_MARGIN);
    boxes.push({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 });
  }
  return mergeOverlapping(boxes);
}

const overlap = (a: OcrBox, b: OcrBox): boolean =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Boxes that overlap (clusters of L-shaped ink do) become one, until none do. */
function mergeOverlapping(boxes: OcrBox[]): OcrBox[] {
  const merged = [...boxes];
  for (let changed = true; changed;) {
    changed = false;
    for (let i = 0; i < merged.length && !changed; i++) {
      for (let j = i + 1; j < merged.length && !changed; j++) {
        const [a, b] = [merged[i]!, merged[j]!];
        if (!overlap(a, b)) continue;
        const x = Math.min(a.x, b.x);
        const y = Math.min(a.y, b.y);
        merged[i] = { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
        merged.splice(j, 1);
        changed = true;
      }
    }
  }
  return merged;
}

/** The crops of `page` that hold ink (ink page pixels, top to bottom), or undefined when it is to be read whole. */
export function inkCrops(page: OcrImage, scratch = new CheckScratch()): OcrBox[] | undefined {
  const columns = Math.ceil(page.width / INK_TILE);
  const rows = Math.ceil(page.height / INK_TILE);
  const crops = clusters(page, inkTiles(page, columns, rows, scratch), columns, rows);
  return crops?.sort((a, b) => a.y - b.y || a.x - b.x);
}

/** Crops stacked one under another on a white page, CROP_GAP apart and from its edges. */
export function stackCrops(page: OcrImage, crops: readonly OcrBox[]): { image: OcrImage; placements: Placement[] } {
  const width = Math.max(...crops.map((c) => c.width)) + 2 * CROP_GAP;
  const height = crops.reduce((sum, c) => sum + c.height + CROP_GAP, CROP_GAP);
  const gray = new Uint8Array(width * height).fill(255);
  const placements: Placement[] = [];
  let y = CROP_GAP;
  for (const from of crops) {
    for (let row = 0; row < from.height; row++) {
      const source = (from.y + row) * page.width + from.x;
      gray.set(page.gray.subarray(source, source + from.width), (y + row) * width + CROP_GAP);
    }
    placements.push({ from, x: CROP_GAP, y });
    y += from.height + CROP_GAP;
  }
  return { image: { width, height, gray, factor: page.factor }, placements };
}

/** A box on the stacked page back in the ink page: by the crop under its centre, else the one it overlaps most. */
export function toInkPage(box: OcrBox, placements: readonly Placement[]): OcrBox {
  const on = (p: Placement): OcrBox => ({ x: p.x, y: p.y, width: p.from.width, height: p.from.height });
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const shared = (p: Placement): number => {
    const r = on(p);
    return (
      Math.max(0, Math.min(box.x + box.width, r.x + r.width) - Math.max(box.x, r.x)) *
      Math.max(0, Math.min(box.y + box.height, r.y + r.height) - Math.max(box.y, r.y))
    );
  };
  const under = placements.find((p) => cx >= p.x && cx < p.x + p.from.width && cy >= p.y && cy < p.y + p.from.height);
  const place = under ?? placements.reduce((best, p) => (shared(p) > shared(best) ? p : best));
  return { x: box.x - place.x + place.from.x, y: box.y - place.y + place.from.y, width: box.width, height: box.height };
}

/** What Tesseract reads of an ink page: nothing (all white), its inked crops stacked, or the page whole. */
export function pageToRead(page: OcrImage, scratch = new CheckScratch()): PageToRead {
  const whole: PageToRead = { image: page, placements: [], toInkPage: (box) => box };
  const crops = inkCrops(page, scratch);
  if (!crops) return whole;
  if (crops.length === 0) return { image: undefined, placements: [], toInkPage: (box) => box };
  const stackedArea =
    (Math.max(...crops.map((c) => c.width)) + 2 * CROP_GAP) * crops.reduce((sum, c) => sum + c.height + CROP_GAP, CROP_GAP);
  if (stackedArea > MAX_STACKED_SHARE * page.width * page.height) return whole;
  const { image, placements } = stackCrops(page, crops);
  return { image, placements, toInkPage: (box) => toInkPage(box, placements) };
}
