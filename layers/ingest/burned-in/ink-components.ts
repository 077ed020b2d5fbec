/**
 * Which ink of the ink page (flatten.ts) could be text, judged before Tesseract is asked. The ink page
 * turns an anatomical edge the block-median background cannot follow into a band of ink barely past
 * the paper's floor, speckled by the image's noise: Tesseract reads such a band as `/`, `\`, `7`
 * (the ingest benchmark's radiographs: a smooth ellipse's outline cost about 100 ms of OCR CPU per
 * image, its page read whole, and no word). Text is strokes: each pixel of a stroke stands out as far as its neighbours, so a
 * stroke's pixels mostly reach half of its darkest ink, while a band of noise is a thin tail that
 * reaches its darkest in a few specks. Faint text (its ink as light as such a band: Tesseract reads
 * words whose darkest ink is 6 gray levels past the floor) is kept by its strokes, and by the row its
 * characters make. Every component with ink darker than FAINT_INK is kept, whatever its shape.
 */
import { INK_GAIN, type InkPage } from './flatten';
import { CheckScratch } from './scratch';

/** A connected run of non-white pixels (8-neighbours) and what the decision needs of it. */
export interface InkComponent {
  readonly x0: number;
  readonly y0: number;
  /** Inclusive. */
  readonly x1: number;
  readonly y1: number;
  /** Its darkest gray level (0: black). */
  readonly darkest: number;
  /** Its pixels' indices on the page: `pixels.subarray(start, end)` of inkComponents' answer. */
  readonly start: number;
  readonly end: number;
  /** How many of its pixels are darker than halfway between its darkest and white. */
  readonly strokePixels: number;
}

/**
 * Ink that reaches no further than this many gray levels past the paper's floor is noise: of text drawn
 * ever fainter on the bench's radiographs, Tesseract read words whose darkest ink was 6 levels past it,
 * none at 4 (12 and 16 px); an outline's band reaches 2-10.
 */
export const NOISE_DEPTH = 5;
/** The ink page's gray level of NOISE_DEPTH: components no darker than this are left out. */
export const NOISE_INK = 255 - INK_GAIN * NOISE_DEPTH;
/** Ink that reaches more than this many gray levels past the paper's floor is kept whatever its shape. */
export const FAINT_DEPTH = 16;
/** The ink page's gray level of FAINT_DEPTH: components as light as this or lighter are faint. */
export const FAINT_INK = 255 - INK_GAIN * FAINT_DEPTH;
/** A faint component is strokes when at least this share of its pixels reaches half of its darkest ink (noise bands: 0.13-0.34; faint text: 0.44 and more). */
export const STROKE_SHARE = 0.4;
/** Heights (OCR pixels) of a character's ink: from the x-height of 8 px text to twice the largest em the bench draws (32 px). */
export const MIN_CHARACTER_HEIGHT = 4;
export const MAX_CHARACTER_HEIGHT = 64;

const height = (c: InkComponent): number => c.y1 - c.y0 + 1;
const width = (c: InkComponent): number => c.x1 - c.x0 + 1;

/** Four white pixels read as one 32-bit word. */
const ALL_WHITE = 0xffffffff;

/**
 * The page's non-white components and the pixel indices they point into (`scratch`'s pixel list: read it
 * before the scratch's next use). Seeds are taken in pixel order, from where the ink page's list says its
 * ink is (flatten.ts: no pass over the page's paper), or else from a scan of the page.
 */
export function inkComponents(page: InkPage, scratch = new CheckScratch()): { components: InkComponent[]; pixels: Int32Array } {
  const { width: w, height: h, gray } = page;
  // One bit a pixel: a page's worth of bytes would be five more megabytes for the collector per check.
  const fill: Fill = { gray, w, h, seen: scratch.visitedBits((w * h + 31) >>> 5), scratch, components: [] };
  scratch.pixelList(4096);
  let used = 0;
  const inked = page.inked?.gray === gray ? page.inked : undefined;
  if (inked) {
    for (let k = 0; k < inked.count; k++) {
      const first = inked.quads[k]! << 2;
      for (let seed = first; seed < first + 4; seed++) used = grow(fill, seed, used);
    }
    for (let seed = inked.ungroupedFrom; seed < gray.length; seed++) used = grow(fill, seed, used);
    return { components: fill.components, pixels: scratch.pixelListInUse() };
  }
  // The page is mostly paper: four white pixels are skipped at once (never a seed, never seen).
  const quads = gray.byteOffset % 4 === 0 ? new Uint32Array(gray.buffer, gray.byteOffset, gray.length >>> 2) : new Uint32Array(0);
  for (let seed = 0; seed < gray.length; seed++) {
    if ((seed & 3) === 0) {
      let quad = seed >>> 2;
      while (quad < quads.length && quads[quad] === ALL_WHITE) quad++;
      if (quad << 2 > seed) {
        seed = (quad << 2) - 1;
        continue;
      }
    }
    used = grow(fill, seed, used);
  }
  return { components: fill.components, pixels: scratch.pixelListInUse() };
}

/**
 * What grow fills from, the same for every seed of one page. grow is a function of the module, not a closure
 * over inkComponents' variables: a closure made anew at each check is optimized by V8 anew for each (its code
 * bound to that call's context), and compiling it was ~5 ms of every radiograph's check in a commons.
 */
interface Fill {
  readonly gray: Uint8Array;
  readonly w: number;
  readonly h: number;
  /** One bit a pixel: taken into a component (or a seed's). */
  readonly seen: Uint32Array;
  /** Holds the pixel list (pixelListInUse), grown as components fill it. */
  readonly scratch: CheckScratch;
  readonly components: InkComponent[];
}

/** The component of `seed`, when it is ink no component holds yet, its pixels listed after the first `used`; answers the list's new length. */
function grow({ gray, w, h, seen, scratch, components }: Fill, seed: number, used: number): number {
  if (gray[seed] === 255 || (seen[seed >>> 5]! & (1 << (seed & 31))) !== 0) return used;
  let pixels = scratch.pixelListInUse();
  const start = used;
  seen[seed >>> 5]! |= 1 << (seed & 31);
  if (used === pixels.length) pixels = scratch.grownPixelList(used);
  pixels[used++] = seed;
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  let darkest = 255;
  // The component's own pixel list is its flood-fill queue.
  for (let next = start; next < used; next++) {
    const i = pixels[next]!;
    const x = i % w;
    const y = (i - x) / w;
    if (gray[i]! < darkest) darkest = gray[i]!;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
    const left = x > 0 ? x - 1 : x;
    const right = x < w - 1 ? x + 1 : x;
    const bottom = y < h - 1 ? y + 1 : y;
    for (let yy = y > 0 ? y - 1 : y; yy <= bottom; yy++) {
      for (let xx = left; xx <= right; xx++) {
        const j = yy * w + xx;
        if (gray[j] === 255 || (seen[j >>> 5]! & (1 << (j & 31))) !== 0) continue;
        seen[j >>> 5]! |= 1 << (j & 31);
        if (used === pixels.length) pixels = scratch.grownPixelList(used);
        pixels[used++] = j;
      }
    }
  }
  const half = (darkest + 255) / 2;
  let strokePixels = 0;
  for (let k = start; k < used; k++) if (gray[pixels[k]!]! < half) strokePixels++;
  components.push({ x0, y0, x1, y1, darkest, start, end: used, strokePixels });
  return used;
}

const isFaint = (c: InkComponent): boolean => c.darkest >= FAINT_INK;
const isStrokes = (c: InkComponent): boolean =>
  !isFaint(c) || (c.darkest < NOISE_INK && c.strokePixels >= STROKE_SHARE * (c.end - c.start));
const isCharacterSized = (c: InkComponent): boolean => height(c) >= MIN_CHARACTER_HEIGHT && height(c) <= MAX_CHARACTER_HEIGHT;

/** Two character-sized components side by side as characters of one line are: rows shared, heights alike, a gap under a character's height. */
function onOneLine(a: InkComponent, b: InkComponent): boolean {
  const [ha, hb] = [height(a), height(b)];
  if (ha > 2 * hb || hb > 2 * ha) return false;
  const gap = Math.max(b.x0 - a.x1, a.x0 - b.x1);
  const shared = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0) + 1;
  return gap <= Math.max(ha, hb) && shared >= Math.min(ha, hb) / 2;
}

/**
 * The components that could be text: every one with ink darker than FAINT_INK; a faint one when it is
 * strokes (STROKE_SHARE) of a character's height and either as wide as two characters (letters run
 * together) or beside another such component on its line; and, so that a faint word is read whole,
 * any ink within `lineReach` pixels beside a faint one kept, on its rows (its letters that are not
 * strokes by themselves). Specks and noise bands are left out.
 */
export function couldBeText(components: readonly InkComponent[], lineReach = 0): InkComponent[] {
  const kept = likelyText(components);
  if (lineReach <= 0) return kept;
  const chosen = new Set(kept);
  const byX = [...components].sort((a, b) => a.x0 - b.x0);
  for (const c of kept) {
    if (!isFaint(c)) continue; // a word of dark ink is dark throughout: its letters are kept by their own ink
    for (let i = firstAtOrAfter(byX, c.x0 - lineReach - MAX_LINE_PIECE); i < byX.length && byX[i]!.x0 <= c.x1 + lineReach; i++) {
      const other = byX[i]!;
      const besideIt = other.x1 >= c.x0 - lineReach && other.y1 >= c.y0 && other.y0 <= c.y1;
      if (besideIt) chosen.add(other);
    }
  }
  return components.filter((c) => chosen.has(c));
}

/** Ink further left than this beside a faint word is not looked for (it would be a piece wider than a line of text). */
const MAX_LINE_PIECE = 16 * MAX_CHARACTER_HEIGHT;

/** Index of the first of `sorted` (by x0) whose x0 is at least `x`. */
function firstAtOrAfter(sorted: readonly InkComponent[], x: number): number {
  let [low, high] = [0, sorted.length];
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]!.x0 < x) low = middle + 1;
    else high = middle;
  }
  return low;
}

function likelyText(components: readonly InkComponent[]): InkComponent[] {
  const characters = components.filter((c) => isStrokes(c) && isCharacterSized(c)).sort((a, b) => a.x0 - b.x0);
  const kept: InkComponent[] = [];
  for (const c of components) {
    if (!isFaint(c)) kept.push(c);
    else if (c.darkest >= NOISE_INK || !isStrokes(c) || !isCharacterSized(c)) continue;
    else if (width(c) >= 2 * height(c)) kept.push(c);
    else if (hasLineNeighbour(c, characters)) kept.push(c);
  }
  return kept;
}

/** `characters` sorted by x0. */
function hasLineNeighbour(c: InkComponent, characters: readonly InkComponent[]): boolean {
  const reach = 2 * height(c); // a neighbour is at most twice as high, and its gap under its height
  for (let i = firstAtOrAfter(characters, c.x0 - reach - MAX_LINE_PIECE); i < characters.length; i++) {
    const other = characters[i]!;
    if (other.x0 > c.x1 + reach) return false;
    if (other !== c && onOneLine(c, other)) return true;
  }
  return false;
}
