/**
 * The ink page's rows (flatten.ts, inkInWords) in WebAssembly SIMD: sixteen pixels a vector instead of four a
 * word, the same bytes out and the same list of inked groups (test/unit/ingest/burned-in-ink-wasm.test.ts
 * compares the two paths). The JS path stays the reference and the fallback: where WebAssembly or its SIMD is
 * missing, where the module fails to instantiate, or with HILUM_INK_WASM=0 in the environment (read once).
 *
 * The page lies in the module's memory, where render-in-module.ts rendered it or copied in once, and the rows
 * run there in place; the page is copied out once at the end. The module counts only how many distances are at
 * most 4, 5, ..., 11 (all the floor needs: flatten.ts, inkFloorOfCounts), not a whole histogram. The blocks' row
 * background stays in JS, as inkRowInWords computes it.
 */
import { INK_ROW_WASM } from './ink-row-wasm';
import type { CheckScratch } from './scratch';

/** What the module exports (ink-row.wat). */
export interface InkRowModule {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  row(rowOf: number, pieces: number, count: number, unit: number, shift: number, row: number, list: number): number;
  render(samples: number, page: number, width: number, rows: number, bySample: number, histograms: number, block: number): void;
  medians(histograms: number, columns: number, width: number, block: number, blockHeight: number, out: number): void;
  range(samples: number, count: number): number;
}

/** The part of the WebAssembly global used here: not in this project's TypeScript libraries, and absent from some runtimes. */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

/** The levels whose counts the module keeps (ink-row.wat: bytes 0..127, four i32 lanes a level). */
export const COUNTED_LEVELS = { from: 4, to: 11 } as const;

const OFF_BY_ENVIRONMENT = typeof process !== 'undefined' && process.env['HILUM_INK_WASM'] === '0';

/** The thread's instance: undefined until first wanted, null where it cannot be had. */
let instance: InkRowModule | null | undefined;
/** Set by tests only, to run each path on the same pages; undefined follows the environment. */
let forced: boolean | undefined;
/** Rows the module has turned into distances in this thread: tests tell by it which path ran. */
let rowsRun = 0;

/** How many rows the module has run in this thread. */
export function inkRowWasmRowsRun(): number {
  return rowsRun;
}

/** Tests' switch between the paths: true or false, or undefined for the environment's choice. */
export function useInkRowWasm(use: boolean | undefined): void {
  forced = use;
}

/** Whether the module runs in this thread (WebAssembly with SIMD, instantiated), whatever the switch says. */
export function inkRowWasmAvailable(): boolean {
  instance ??= instantiated();
  return instance !== null;
}

function instantiated(): InkRowModule | null {
  const wasm = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (!wasm) return null;
  try {
    const bytes = Uint8Array.from(atob(INK_ROW_WASM), (c) => c.charCodeAt(0));
    if (!wasm.validate(bytes)) return null;
    return new wasm.Instance(new wasm.Module(bytes), {}).exports as InkRowModule;
  } catch {
    return null;
  }
}

/** The module where it is to run in this thread (available, not switched off), else undefined: the JS path. */
export function kernelToRun(): InkRowModule | undefined {
  if (forced === false || (forced === undefined && OFF_BY_ENVIRONMENT)) return undefined;
  return inkRowWasmAvailable() ? instance! : undefined;
}

/** A page's pieces along a row (flatten.ts Steps): lower and upper block, first weight, weight per pixel, end. */
export interface RowPieces {
  readonly count: number;
  readonly lower: Int32Array;
  readonly upper: Int32Array;
  readonly first: Int32Array;
  readonly step: Int32Array;
  readonly end: Int32Array;
}

/** What inkInWords hands over: the page (width a multiple of 4, each piece's end too), its blocks and its interpolation down. */
export interface SimdPage {
  /** The page's gray bytes, or where they are to be written from the module when `inModule` is given. */
  readonly gray: Uint8Array;
  /** Where the page's gray bytes already lie in the module's memory (render-in-module.ts). */
  readonly inModule?: number;
  readonly out: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly medians: Float32Array;
  readonly columns: number;
  /** Each row's rows of blocks (above and below it) and its weight down (units). */
  readonly top: Int32Array;
  readonly bottom: Int32Array;
  readonly down: Int32Array;
  readonly pieces: RowPieces;
  readonly unit: number;
  readonly shift: number;
}

/** The page's inked groups (the first `count` of the scratch's list) and how many distances are at most each counted level. */
export interface SimdPass {
  readonly count: number;
  /** atMost[L - COUNTED_LEVELS.from]: distances of at most L. */
  readonly atMost: number[];
}

/** The module computes in 1/2^16 of a level: backgrounds finer than that are not for it (none are: flatten.ts MAX_UNIT). */
const MAX_SHIFT = 16;
const COUNTS_BYTES = 16 * (COUNTED_LEVELS.to - COUNTED_LEVELS.from + 1);
/** The module's constants (ink-row.wat's data segment) lie from COUNTS_BYTES to here: a page's own data from here on. */
export const CONSTANTS_END = 272;
const PIECE_BYTES = 20;
const PAGE_BYTES = 65536;
export const aligned = (offset: number): number => (offset + 15) & ~15;

/**
 * The module's memory, grown to at least `bytes`. Growing detaches every view of the old buffer: views are
 * taken from the buffer this answers, after the last growth of the page.
 */
export function memoryOf(kernel: InkRowModule, bytes: number): ArrayBuffer {
  const { memory } = kernel;
  if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE_BYTES));
  return memory.buffer;
}

/** The page at `at` in the module's memory copied out into `into` (its length), for a path that does not run there. */
export function copyPageOut(at: number, into: Uint8Array): void {
  const kernel = kernelToRun();
  if (!kernel) throw new Error('no page is in the module');
  into.set(new Uint8Array(kernel.memory.buffer, at, into.length));
}

/**
 * What simdRow reads, the same for every row of one page. The row's work is a function called once a row, as
 * inkRowInWords is (flatten.ts, WordPass: a loop over a page's rows inside a function called once a page would
 * start each check unoptimized in a thread where full collections drop its code).
 */
interface RowPass {
  readonly width: number;
  readonly medians: Float32Array;
  readonly columns: number;
  readonly top: Int32Array;
  readonly bottom: Int32Array;
  readonly down: Int32Array;
  readonly unit: number;
  readonly shift: number;
  readonly pieces: number;
  /** Views of the module's memory: the row's blocks' background and its list of groups not paper. */
  readonly rowOf: Int32Array;
  readonly list: Int32Array;
  /** Where those, the pieces and the page lie in the module's memory. */
  readonly at: { readonly rowOf: number; readonly pieces: number; readonly page: number; readonly list: number };
  readonly kernel: InkRowModule;
  readonly scratch: CheckScratch;
}

/** Row `y` of the page in the module's memory turned into its distances there, its groups that are not paper listed after the first `count`; answers the list's new length. */
function simdRow(pass: RowPass, y: number, count: number): number {
  const { width, medians, columns, top, bottom, down, unit, shift, pieces, rowOf, list, at, kernel, scratch } = pass;
  const t = down[y]!;
  const above = top[y]! * columns;
  const below = bottom[y]! * columns;
  for (let bx = 0; bx < columns; bx++) rowOf[bx] = medians[above + bx]! * (unit - t) + medians[below + bx]! * t;
  const start = y * width;
  const inked = kernel.row(at.rowOf, at.pieces, pieces, unit, shift, at.page + start, at.list);
  let listed = scratch.quadListInUse();
  for (let i = 0, q = start >>> 2; i < inked; i++) {
    if (count === listed.length) listed = scratch.grownQuadList(count);
    listed[count++] = q + list[i]!;
  }
  return count;
}

/**
 * inkInWords' rows through the module, or undefined where the JS path runs (the module unavailable or
 * switched off; a page already in the module's memory is then copied out into `gray` first). Writes `out` as
 * inkRowInWords would and lists its groups that are not paper in `scratch`.
 */
export function inkRowsInSimd(page: SimdPage, scratch: CheckScratch): SimdPass | undefined {
  const { gray, out, width, height, medians, columns, top, bottom, down, pieces, unit, shift, inModule } = page;
  const kernel = kernelToRun();
  if (!kernel || shift > MAX_SHIFT) {
    if (inModule !== undefined) copyPageOut(inModule, gray.subarray(0, width * height));
    return undefined;
  }
  const pageAt = inModule ?? aligned(CONSTANTS_END);
  const piecesAt = aligned(pageAt + width * height);
  const rowOfAt = aligned(piecesAt + pieces.count * PIECE_BYTES);
  const listAt = aligned(rowOfAt + columns * 4);
  const buffer = memoryOf(kernel, listAt + width);
  if (inModule === undefined) new Uint8Array(buffer, pageAt, width * height).set(gray.subarray(0, width * height));
  const counts = new Uint32Array(buffer, 0, COUNTS_BYTES / 4);
  counts.fill(0);
  const laid = new Int32Array(buffer, piecesAt, pieces.count * 5);
  for (let k = 0; k < pieces.count; k++) {
    laid.set([pieces.lower[k]!, pieces.upper[k]!, pieces.first[k]!, pieces.step[k]!, pieces.end[k]!], k * 5);
  }
  const pass: RowPass = {
    width,
    medians,
    columns,
    top,
    bottom,
    down,
    unit,
    shift,
    pieces: pieces.count,
    rowOf: new Int32Array(buffer, rowOfAt, columns),
    list: new Int32Array(buffer, listAt, width >>> 2),
    at: { rowOf: rowOfAt, pieces: piecesAt, page: pageAt, list: listAt },
    kernel,
    scratch,
  };
  let count = 0;
  for (let y = 0; y < height; y++) count = simdRow(pass, y, count);
  rowsRun += height;
  out.set(new Uint8Array(buffer, pageAt, width * height));
  const atMost: number[] = [];
  for (let level = 0; level < COUNTS_BYTES / 16; level++) {
    const lanes = counts.subarray(4 * level, 4 * level + 4);
    atMost.push(lanes[0]! + lanes[1]! + lanes[2]! + lanes[3]!);
  }
  return { count, atMost };
}
