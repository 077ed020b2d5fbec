/**
 * The page Tesseract reads: text of either polarity as dark ink on white paper. A radiograph's
 * labels are bright on a dark border or dark over bright anatomy; Tesseract binarises with one
 * threshold for the whole page, which splits anatomy from border and leaves faint labels on the
 * wrong side of it (bench burned-in: the faintest contrast step and border lines were its misses).
 * Here each pixel's distance from its neighbourhood's background (the median of its block,
 * interpolated between blocks, so strokes covering less than half a block do not move it) becomes
 * ink: smooth anatomy and noise turn white, strokes black, whichever way they differ.
 */
import type { OcrImage } from './image';
import { COUNTED_LEVELS, copyPageOut, inkRowsInSimd, type RowPieces } from './ink-row-simd';
import { CheckScratch } from './scratch';

/** Side of the blocks whose medians are the background (OCR pixels): more than twice the tallest line of text the check targets. */
export const BACKGROUND_BLOCK = 32;
/** Distances below this many gray levels are paper: noise and soft anatomy (raised on noisier images, see inkFloor). */
const MIN_INK_FLOOR = 16;
const MAX_INK_FLOOR = 48;
/** Gray levels of ink per level of distance above the floor: 64 levels above it is black. */
export const INK_GAIN = 4;

/**
 * Each block's median gray level (blocks row by row), from the image's rows given top to bottom: a row's
 * levels are counted into its blocks' histograms, and a row of blocks' medians are taken after its last row.
 * A renderer can hand each row over while it is still in cache (ink-page.ts) instead of a pass of its own.
 */
export class BlockMedians {
  readonly columns: number;
  readonly rows: number;
  readonly medians: Float32Array;
  /**
   * Each block column's two histograms of the current block row (512 counters from `column * 512`: even
   * pixels' levels, then odd pixels'), for a caller that counts a row as it writes it (ink-page.ts) and
   * then calls rowCounted.
   */
  readonly histograms: Uint32Array;
  private next = 0;

  constructor(
    private readonly width: number,
    private readonly height: number,
    readonly block: number,
  ) {
    this.columns = Math.ceil(width / block);
    this.rows = Math.ceil(height / block);
    this.medians = new Float32Array(this.columns * this.rows);
    this.histograms = new Uint32Array(this.columns * 512);
  }

  /**
   * Counts the next row (`gray[start .. start + width)`), rows in order from the top. Each block has two
   * histograms, even and odd pixels, summed for the median: a run of one level then increments two
   * counters in turn instead of waiting on one.
   */
  addRow(gray: Uint8Array, start: number): void {
    const { width, block, histograms } = this;
    for (let x0 = 0, base = 0; x0 < width; x0 += block, base += 512) {
      const end = start + Math.min(width, x0 + block);
      let i = start + x0;
      for (; i + 1 < end; i += 2) {
        histograms[base + gray[i]!]!++;
        histograms[base + 256 + gray[i + 1]!]!++;
      }
      if (i < end) histograms[base + gray[i]!]!++;
    }
    this.rowCounted();
  }

  /** The next row has been counted into the histograms (by addRow, or by a caller as addRow counts). */
  rowCounted(): void {
    const y = this.next++;
    if ((y + 1) % this.block === 0 || y + 1 === this.height) this.closeBlockRow((y / this.block) | 0);
  }

  private closeBlockRow(by: number): void {
    const { width, height, block, columns, histograms, medians } = this;
    const blockHeight = Math.min(height, (by + 1) * block) - by * block;
    for (let bx = 0, base = 0; bx < columns; bx++, base += 512) {
      const x0 = bx * block;
      const half = ((Math.min(width, x0 + block) - x0) * blockHeight) / 2;
      let level = 0;
      for (let seen = histograms[base]! + histograms[base + 256]!; seen < half;) {
        level++;
        seen += histograms[base + level]! + histograms[base + 256 + level]!;
      }
      medians[by * columns + bx] = level;
    }
    histograms.fill(0);
  }
}

/**
 * A BlockMedians that lives as long as the thread. V8 drops an object layout (map) that no live object has at
 * a full collection, and with it the optimized code of the methods that read such objects (closeBlockRow,
 * rowCounted: "embedded weak objects cleared"); each check's medians die with it, and in a commons' function
 * thread a full collection runs every radiograph or two, so each check recompiled them. Holding one keeps the
 * layout.
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- held, never read: see above
const KEEPS_THE_LAYOUT = new BlockMedians(1, 1, 1);

/** Where each pixel falls between block centres: the lower block's index, the next one's (the same at the edge), the weight of the next, and where runs of one pair of blocks end. */
interface Interpolation {
  readonly lower: Int32Array;
  readonly upper: Int32Array;
  readonly weight: Float32Array;
  readonly runEnds: Int32Array;
}

function interpolation(pixels: number, block: number, blocks: number): Interpolation {
  const lower = new Int32Array(pixels);
  const upper = new Int32Array(pixels);
  const weight = new Float32Array(pixels);
  const runEnds: number[] = [];
  for (let p = 0; p < pixels; p++) {
    const at = Math.min(blocks - 1, Math.max(0, (p + 0.5) / block - 0.5));
    lower[p] = Math.min(blocks - 2, Math.floor(at));
    weight[p] = blocks > 1 ? at - lower[p]! : 0;
    if (blocks === 1) lower[p] = 0;
    upper[p] = Math.min(blocks - 1, lower[p]! + 1);
    if (p > 0 && lower[p] !== lower[p - 1]) runEnds.push(p);
  }
  if (pixels > 0) runEnds.push(pixels);
  return { lower, upper, weight, runEnds: Int32Array.from(runEnds) };
}

/** The paper's level: four median absolute distances (the image's own noise), within bounds. */
export function inkFloor(distanceHistogram: Uint32Array, samples: number): number {
  let level = 0;
  for (let seen = distanceHistogram[0]!; seen < samples / 2 && level < 255;) seen += distanceHistogram[++level]!;
  return Math.min(MAX_INK_FLOOR, Math.max(MIN_INK_FLOOR, 4 * level));
}

/**
 * inkFloor's floor from fewer counts: `atMost[i]` distances of at most `from + i`. The floor is four times the
 * median within 16 .. 48, so a median up to 4 gives 16 and one of 12 or more 48: only the counts through
 * level 11 tell floors apart, and those from level 4 on are enough to place a median below 12.
 */
export function inkFloorOfCounts(atMost: readonly number[], from: number, samples: number): number {
  if (from > MIN_INK_FLOOR / 4 || from + atMost.length < MAX_INK_FLOOR / 4) throw new Error('the counts do not reach the floor');
  for (let i = 0; i < atMost.length; i++) {
    if (atMost[i]! >= samples / 2) return Math.min(MAX_INK_FLOOR, Math.max(MIN_INK_FLOOR, 4 * (from + i)));
  }
  return MAX_INK_FLOOR;
}

/**
 * One row's distances from its background (`out` may be `gray`: each pixel is read before it is written),
 * counted into `distances`. The background is the blocks' row (`rowOf`) interpolated across, rounded to
 * 32-bit float as it always was (Math.fround: what a Float32Array held); `runs` are where the pair of
 * blocks interpolated between changes, so within a run only the weight changes from pixel to pixel.
 */
function distanceRow(
  gray: Uint8Array,
  out: Uint8Array,
  start: number,
  rowOf: Float32Array,
  across: Interpolation,
  distances: Uint32Array,
): void {
  const { lower, upper, weight, runEnds } = across;
  for (let run = 0, x = 0, i = start; run < runEnds.length; run++) {
    const left = rowOf[lower[x]!]!;
    const right = rowOf[upper[x]!]!;
    for (const end = runEnds[run]!; x < end; x++, i++) {
      const s = weight[x]!;
      const near = Math.abs(gray[i]! - Math.fround(left * (1 - s) + right * s)) + 0.5;
      const d = near < 255 ? near | 0 : 255;
      out[i] = d;
      distances[d]!++;
    }
  }
}

/**
 * Where an ink page's ink is, as toInk or inkInWords found it: the groups of four pixels (pixels 4q to 4q + 3 of
 * `gray`) that hold a pixel that is not white, in order, and the pixel from which on the page was not
 * looked at in groups (its last pixels, or all of a page that does not start on a 4-byte boundary).
 * Ink components are looked for there only (ink-components.ts), not in a scan of the whole page.
 */
export interface InkedQuads {
  /** The pixels described: the list holds for this array as inkAround left it. */
  readonly gray: Uint8Array;
  /** The first `count` entries. */
  readonly quads: Int32Array;
  readonly count: number;
  readonly ungroupedFrom: number;
}

/** An ink page, with where its ink is when it is known. */
export interface InkPage extends OcrImage {
  readonly inked?: InkedQuads;
}

/** The image with every stroke dark on white (same size and factor). */
export function inkOnPaper(image: OcrImage, block = BACKGROUND_BLOCK, scratch = new CheckScratch()): InkPage {
  const medians = new BlockMedians(image.width, image.height, block);
  for (let y = 0; y < image.height; y++) medians.addRow(image.gray, y * image.width);
  return inkAround(image, medians, new Uint8Array(image.width * image.height), scratch);
}

/**
 * inkOnPaper of `image` given its block medians, written into `out` (the image's own gray may be
 * given: the ink page then replaces it, one array of five million bytes fewer); the list of where its
 * ink is in `scratch`'s. `inModule`: the image's gray bytes are not in `image.gray` yet but at that
 * address in the WebAssembly module's memory (render-in-module.ts), where the module's rows read them.
 */
export function inkAround(
  image: OcrImage,
  blocks: BlockMedians,
  out: Uint8Array,
  scratch = new CheckScratch(),
  inModule?: number,
): InkPage {
  const { width, height, gray } = image;
  const { columns, rows, medians, block } = blocks;
  const across = interpolation(width, block, columns);
  const down = interpolation(height, block, rows);
  const exact = wholeUnits(across, down, block);
  if (exact && fitsWords(image, out, exact.steps)) return inkInWords(image, blocks, out, across, down, exact, scratch, inModule);
  if (inModule !== undefined) copyPageOut(inModule, gray.subarray(0, width * height));
  const distances = new Uint32Array(256);
  const rowOf = new Float32Array(columns);
  for (let y = 0; y < height; y++) {
    const upper = down.lower[y]! * columns;
    const lowerRow = down.upper[y]! * columns;
    const t = down.weight[y]!;
    for (let bx = 0; bx < columns; bx++) rowOf[bx] = medians[upper + bx]! * (1 - t) + medians[lowerRow + bx]! * t;
    distanceRow(gray, out, y * width, rowOf, across, distances);
  }
  const floor = inkFloor(distances, width * height);
  return { ...image, gray: out, inked: toInk(out, inkLevels(floor), floor, scratch) };
}

/** Each distance's ink level: white up to the floor, then INK_GAIN levels darker per level past it. */
function inkLevels(floor: number): Uint8Array {
  const ink = new Uint8Array(256);
  for (let d = 0; d < 256; d++) ink[d] = 255 - Math.min(255, Math.max(0, (d - floor) * INK_GAIN));
  return ink;
}

/**
 * The interpolation in whole numbers, where distanceRow's float arithmetic is exact: with a block of 2^k
 * pixels every weight is a whole number of 1/unit (unit = 2 * block; a Float32Array holds it exactly), a
 * blocks' row (medians are whole levels) a whole number of 1/unit and a background a whole number of
 * 1/unit² below 2^24, which Math.fround keeps, and |gray - background| + 0.5 is exact in a double. The
 * distance computed in integers is then the same number. Each weight is checked to be whole, not assumed.
 */
interface WholeUnits {
  /** Weights and a blocks' row are whole numbers of 1/unit, a background of 1/unit² = 2^shift. */
  readonly unit: number;
  readonly shift: number;
  /** down.weight times unit, row by row. */
  readonly down: Int32Array;
  /** The row cut where the background's rise from pixel to pixel changes. */
  readonly steps: Steps;
}

/**
 * A row in pieces along which the background rises by the same amount from pixel to pixel: one pair of
 * blocks, and a weight going up by the same whole number of units (none at the row's ends, where the
 * weight stays 0 or 1).
 */
type Steps = RowPieces;

function stepsOf(across: Interpolation, weights: Int32Array): Steps {
  const { lower, upper } = across;
  const pieces: [number, number, number, number, number][] = [];
  for (let x = 0; x < weights.length;) {
    const step = x + 1 < weights.length && lower[x + 1] === lower[x] ? weights[x + 1]! - weights[x]! : 0;
    let end = x + 1;
    while (end < weights.length && lower[end] === lower[x] && weights[end]! - weights[end - 1]! === step) end++;
    pieces.push([lower[x]!, upper[x]!, weights[x]!, step, end]);
    x = end;
  }
  const column = (i: number): Int32Array => Int32Array.from(pieces, (piece) => piece[i]!);
  return { count: pieces.length, lower: column(0), upper: column(1), first: column(2), step: column(3), end: column(4) };
}

/** Largest unit whose backgrounds (up to 255 unit²) a float32 holds exactly. */
const MAX_UNIT = 256;

function wholeUnits(across: Interpolation, down: Interpolation, block: number): WholeUnits | undefined {
  const unit = 2 * block;
  if (!Number.isInteger(block) || block < 1 || (block & (block - 1)) !== 0 || unit > MAX_UNIT) return undefined;
  const whole = (weights: Float32Array): Int32Array | undefined => {
    const scaled = new Int32Array(weights.length);
    for (let p = 0; p < weights.length; p++) {
      const w = weights[p]! * unit;
      if (!Number.isInteger(w)) return undefined;
      scaled[p] = w;
    }
    return scaled;
  };
  const [x, y] = [whole(across.weight), whole(down.weight)];
  return x && y ? { unit, shift: 2 * Math.log2(unit), down: y, steps: stepsOf(across, x) } : undefined;
}

/** |z - 255| at z: a distance between two levels given 255 plus their difference. */
const ABSOLUTE = Uint8Array.from({ length: 511 }, (_, z) => Math.abs(z - 255));

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** The page can be read and written four pixels (one 32-bit word) at a time, a group never straddling two runs. */
function fitsWords(image: OcrImage, out: Uint8Array, steps: Steps): boolean {
  const { width, height, gray } = image;
  return (
    LITTLE_ENDIAN &&
    width % 4 === 0 &&
    out.length === width * height &&
    gray.length >= width * height &&
    out.byteOffset % 4 === 0 &&
    gray.byteOffset % 4 === 0 &&
    steps.end.every((end) => end % 4 === 0)
  );
}

/**
 * inkAround's page in whole numbers (WholeUnits), four pixels a word: the same bytes and the same list of
 * inked groups as distanceRow then toInk, in one pass over the page instead of two. A distance of at most
 * MIN_INK_FLOOR is paper whatever the floor turns out to be, so a group of four such is written white at
 * once; any other group is written as its distances and listed. Once every distance is counted and the
 * floor known, only the listed groups are turned to ink, and those that end white are struck from the list.
 */
function inkInWords(
  image: OcrImage,
  blocks: BlockMedians,
  out: Uint8Array,
  across: Interpolation,
  down: Interpolation,
  units: WholeUnits,
  scratch: CheckScratch,
  inModule: number | undefined,
): InkPage {
  const { width, height, gray } = image;
  const { steps, unit, shift } = units;
  scratch.quadList(4096);
  const simd = inkRowsInSimd(
    {
      gray,
      inModule,
      out,
      width,
      height,
      medians: blocks.medians,
      columns: blocks.columns,
      top: down.lower,
      bottom: down.upper,
      down: units.down,
      pieces: steps,
      unit,
      shift,
    },
    scratch,
  );
  const { count, floor } = simd
    ? { count: simd.count, floor: inkFloorOfCounts(simd.atMost, COUNTED_LEVELS.from, width * height) }
    : inkRowsInWords(image, blocks, out, down, units, scratch);
  const ink = inkLevels(floor);
  const listed = scratch.quadListInUse();
  const outWords = new Int32Array(out.buffer, out.byteOffset, (width * height) >>> 2);
  let inked = 0;
  for (let k = 0; k < count; k++) {
    const q = listed[k]!;
    const i = q << 2;
    out[i] = ink[out[i]!]!;
    out[i + 1] = ink[out[i + 1]!]!;
    out[i + 2] = ink[out[i + 2]!]!;
    out[i + 3] = ink[out[i + 3]!]!;
    if (outWords[q] !== -1) listed[inked++] = q;
  }
  return { ...image, gray: out, inked: { gray: out, quads: listed, count: inked, ungroupedFrom: width * height } };
}

/** inkInWords' rows in JS (inkRowInWords): the list of inked groups' length and the page's floor. */
function inkRowsInWords(
  image: OcrImage,
  blocks: BlockMedians,
  out: Uint8Array,
  down: Interpolation,
  units: WholeUnits,
  scratch: CheckScratch,
): { count: number; floor: number } {
  const { width, height, gray } = image;
  const { steps, unit, shift } = units;
  const pass: WordPass = {
    grayWords: new Int32Array(gray.buffer, gray.byteOffset, (width * height) >>> 2),
    outWords: new Int32Array(out.buffer, out.byteOffset, (width * height) >>> 2),
    // Four histograms (pixel x mod 4): a run of equal distances then increments four counters in turn.
    counts: new Uint32Array(1024),
    medians: blocks.medians,
    columns: blocks.columns,
    rowOf: new Int32Array(blocks.columns),
    unit,
    shift,
    pieces: steps.count,
    lower: steps.lower,
    upper: steps.upper,
    first: steps.first,
    step: steps.step,
    end: steps.end,
    scratch,
  };
  let count = 0;
  for (let y = 0, q = 0; y < height; y++, q += width >>> 2) {
    count = inkRowInWords(pass, q, units.down[y]!, down.lower[y]! * blocks.columns, down.upper[y]! * blocks.columns, count);
  }
  const { counts } = pass;
  const distances = new Uint32Array(256);
  for (let d = 0; d < 256; d++) distances[d] = counts[d]! + counts[256 + d]! + counts[512 + d]! + counts[768 + d]!;
  return { count, floor: inkFloor(distances, width * height) };
}

/**
 * What inkRowInWords reads, the same for every row of one page: typed arrays and numbers only. The row's work
 * is a function of its own, called once a row, rather than a loop over the page inside inkInWords: a function
 * called once per image with a loop over five million pixels is optimized by V8 on the stack (OSR) at each call
 * once a full collection has run since the last, and in a commons' function thread one runs every radiograph or
 * two (its 10 MB buffers), so each check paid its compilation and ran its first rows unoptimized; a function
 * called once a row keeps its optimized code.
 */
interface WordPass {
  readonly grayWords: Int32Array;
  readonly outWords: Int32Array;
  readonly counts: Uint32Array;
  readonly medians: Float32Array;
  readonly columns: number;
  /** The row's blocks' background, whole units (written by each row). */
  readonly rowOf: Int32Array;
  readonly unit: number;
  readonly shift: number;
  /** The Steps of the page's rows, its arrays. */
  readonly pieces: number;
  readonly lower: Int32Array;
  readonly upper: Int32Array;
  readonly first: Int32Array;
  readonly step: Int32Array;
  readonly end: Int32Array;
  /** Holds the list of inked groups (quadListInUse), grown as the rows fill it. */
  readonly scratch: CheckScratch;
}

/**
 * One row of inkInWords from word `q`: its distances written and counted, its groups that are not paper listed
 * after the first `count`; answers the list's new length. `t` is the row's weight down (units), `top` and
 * `bottom` the offsets of the blocks' rows it lies between.
 */
function inkRowInWords(pass: WordPass, q: number, t: number, top: number, bottom: number, count: number): number {
  const {
    grayWords,
    outWords,
    counts,
    medians,
    columns,
    rowOf,
    unit,
    shift,
    pieces,
    lower,
    upper,
    first,
    step: steps,
    end: ends,
    scratch,
  } = pass;
  const half = 1 << (shift - 1);
  const fraction = (1 << shift) - 1;
  const spread = (127 - MIN_INK_FLOOR) * 0x01010101;
  let listed = scratch.quadListInUse();
  for (let bx = 0; bx < columns; bx++) rowOf[bx] = medians[top + bx]! * (unit - t) + medians[bottom + bx]! * t;
  for (let k = 0, x = 0; k < pieces; k++) {
    const left = rowOf[lower[k]!]!;
    const rise = rowOf[upper[k]!]! - left;
    const step = rise * steps[k]!;
    // The background raised by half a level: `>> shift` rounds it to the nearest level, halfway up.
    let raised = left * unit + rise * first[k]! + half;
    for (const end = ends[k]!; x < end; x += 4, q++) {
      const word = grayWords[q]!;
      const last = raised + 3 * step;
      const level = raised >> shift;
      let d0: number, d1: number, d2: number, d3: number;
      if (level === last >> shift && (raised & fraction) !== 0 && (last & fraction) !== 0) {
        // The four backgrounds (a straight line) round to one level and none is halfway between two (one
        // inside would have the levels at the ends differ): each distance is |gray - level|.
        const at = 255 - level;
        d0 = ABSOLUTE[(word & 255) + at]!;
        d1 = ABSOLUTE[((word >>> 8) & 255) + at]!;
        d2 = ABSOLUTE[((word >>> 16) & 255) + at]!;
        d3 = ABSOLUTE[(word >>> 24) + at]!;
      } else {
        // Each distance is |v| / 2^shift rounded half away from the background, as |gray - background| + 0.5
        // truncated is: v's sign spread (m) makes |v| without a branch.
        const background = raised - half;
        let v = ((word & 255) << shift) - background;
        let m = v >> 31;
        d0 = (((v ^ m) - m + half) >> shift) & 255;
        v = (((word >>> 8) & 255) << shift) - (background + step);
        m = v >> 31;
        d1 = (((v ^ m) - m + half) >> shift) & 255;
        v = (((word >>> 16) & 255) << shift) - (background + 2 * step);
        m = v >> 31;
        d2 = (((v ^ m) - m + half) >> shift) & 255;
        v = ((word >>> 24) << shift) - (background + 3 * step);
        m = v >> 31;
        d3 = (((v ^ m) - m + half) >> shift) & 255;
      }
      raised += 4 * step;
      counts[d0]!++;
      counts[256 + d1]!++;
      counts[512 + d2]!++;
      counts[768 + d3]!++;
      const four = d0 | (d1 << 8) | (d2 << 16) | (d3 << 24);
      // None of the four past MIN_INK_FLOOR (toInk's test of a word): paper on any page.
      if ((((four + spread) | four) & HIGH_BITS) === 0) {
        outWords[q] = -1;
        continue;
      }
      outWords[q] = four;
      if (count === listed.length) listed = scratch.grownQuadList(count);
      listed[count++] = q;
    }
  }
  return count;
}

/** Four distances read as one 32-bit word: none past the floor is four pixels of paper. */
const ALL_PAPER = 0xffffffff;
const HIGH_BITS = 0x80808080;

/**
 * Every distance to its ink level (`ink`), in place, and the groups of four that hold ink. The page is
 * mostly paper, so four distances are looked at at once: a byte b of a word is past `floor` (at most 127)
 * when b + 127 - floor reaches bit 7, or b has it already (a carry from such a byte into the next only
 * marks a word that has ink anyway). So a group is listed exactly when one of its pixels is not white.
 */
function toInk(distances: Uint8Array, ink: Uint8Array, floor: number, scratch: CheckScratch): InkedQuads {
  const quads =
    distances.byteOffset % 4 === 0 ? new Uint32Array(distances.buffer, distances.byteOffset, distances.length >>> 2) : new Uint32Array(0);
  const spread = (127 - floor) * 0x01010101;
  let inked = scratch.quadList(4096);
  let count = 0;
  for (let q = 0, i = 0; q < quads.length; q++, i += 4) {
    const word = quads[q]!;
    if ((((word + spread) | word) & HIGH_BITS) === 0) {
      quads[q] = ALL_PAPER;
      continue;
    }
    distances[i] = ink[distances[i]!]!;
    distances[i + 1] = ink[distances[i + 1]!]!;
    distances[i + 2] = ink[distances[i + 2]!]!;
    distances[i + 3] = ink[distances[i + 3]!]!;
    if (count === inked.length) inked = scratch.grownQuadList(count);
    inked[count++] = q;
  }
  const ungroupedFrom = quads.length * 4;
  for (let i = ungroupedFrom; i < distances.length; i++) distances[i] = ink[distances[i]!]!;
  return { gray: distances, quads: inked, count, ungroupedFrom };
}
