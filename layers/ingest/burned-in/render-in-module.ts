/**
 * The ink page's render (ink-page.ts, renderAndCount) in the WebAssembly module of ink-row-simd.ts, for the
 * common frame: unsigned 16-bit samples that are their stored values. The gray page is written into the
 * module's memory, where the ink rows then run in place (no row copied in or out), and the blocks' histograms
 * and medians are kept there too; only the medians come back to JS, which takes each row's background from
 * them. MONOCHROME1 and 2 differ only in the table.
 * The same bytes and medians as the JS render (test/unit/ingest/burned-in-render-wasm.test.ts); the JS path
 * stays the reference and the fallback, switched as the ink rows are (ink-row-simd.ts).
 *
 * The samples are copied in once, and their range (the display table's start and end) is taken there with SIMD
 * before the table is built: grayscale.ts' pass for it cost ~4.5 ms a radiograph. Copying bytes also makes the
 * samples' alignment in the file irrelevant: the JS path has a loop of its own for samples 2 bytes off.
 */
import { aligned, CONSTANTS_END, kernelToRun, memoryOf } from './ink-row-simd';

/** What the render fills in of a page's BlockMedians (flatten.ts): the medians, block rows in order. */
export interface RenderedBlocks {
  readonly block: number;
  readonly columns: number;
  readonly rows: number;
  readonly medians: Float32Array;
}

/** The display table of samples that are their stored values: `table[sample - offset]`, within the samples' range. */
export interface SampleTable {
  readonly table: Uint8Array;
  readonly offset: number;
}

/** The histograms of one block column (ink-row.wat, render): even and odd pixels, 256 16-bit counters each. */
const HISTOGRAM_BYTES = 1024;
/** The largest block whose histograms' 16-bit counters cannot overflow: each counts at most half a block's pixels. */
const MAX_BLOCK = 256;
const TABLE_BYTES = 65536;

/** Rows the module has rendered in this thread: tests tell by it which path ran. */
let rowsRendered = 0;

/** How many rows the module has rendered in this thread. */
export function renderRowsInModule(): number {
  return rowsRendered;
}

/** A frame's samples copied into the module's memory (samplesInModule), with their range and where the rest lies. */
export interface SamplesInModule {
  readonly width: number;
  readonly height: number;
  /** The smallest and largest sample (grayscaleDisplayTable's sampleRange). */
  readonly range: { readonly min: number; readonly max: number };
  readonly at: {
    readonly table: number;
    readonly histograms: number;
    readonly medians: number;
    readonly samples: number;
    readonly page: number;
  };
}

/**
 * The frame's `width` x `height` samples copied into the module's memory, once, and their range taken there;
 * undefined where the JS path renders (the module unavailable or switched off, blocks too large for its
 * counters). The memory is laid out for the whole page here: nothing grows it before the page is rendered.
 */
export function samplesInModule(samples: Uint16Array, width: number, height: number, blocks: RenderedBlocks): SamplesInModule | undefined {
  const kernel = kernelToRun();
  const count = width * height;
  // Too few samples is grayscaleDisplayTable's error to raise, as on the JS path.
  if (!kernel || count === 0 || samples.length < count || blocks.block > MAX_BLOCK) return undefined;
  const { columns, rows } = blocks;
  const table = aligned(CONSTANTS_END);
  const histograms = table + TABLE_BYTES;
  const medians = aligned(histograms + columns * HISTOGRAM_BYTES);
  const samplesAt = aligned(medians + columns * rows * 4);
  const page = aligned(samplesAt + count * 2);
  const buffer = memoryOf(kernel, page + count);
  new Uint8Array(buffer, samplesAt, count * 2).set(new Uint8Array(samples.buffer, samples.byteOffset, count * 2));
  const range = kernel.range(samplesAt, count);
  return { width, height, range: { min: range & 0xffff, max: range >>> 16 }, at: { table, histograms, medians, samples: samplesAt, page } };
}

/**
 * Renders the samples (each a stored value within the table: DisplayTable.samplesAreStored) into the page in
 * the module's memory and writes the blocks' medians into `blocks.medians`; answers where the page lies (for
 * inkAround).
 */
export function renderInModule(frame: SamplesInModule, lookUp: SampleTable, blocks: RenderedBlocks): number {
  const kernel = kernelToRun();
  if (!kernel) throw new Error('the samples are in no module');
  const { width, height, at } = frame;
  const { block, columns, rows, medians } = blocks;
  const { buffer } = kernel.memory;
  // Entries below the offset are left as they are: no sample reads them.
  new Uint8Array(buffer, at.table + lookUp.offset, lookUp.table.length).set(lookUp.table);
  // The module clears the histograms after each block row's medians; the memory's last page left them unknown.
  new Uint8Array(buffer, at.histograms, columns * HISTOGRAM_BYTES).fill(0);
  for (let by = 0, y = 0; by < rows; by++, y += block) {
    const blockHeight = Math.min(block, height - y);
    kernel.render(at.samples + y * width * 2, at.page + y * width, width, blockHeight, at.table, at.histograms, block);
    kernel.medians(at.histograms, columns, width, block, blockHeight, at.medians + by * columns * 4);
  }
  medians.set(new Float32Array(buffer, at.medians, columns * rows));
  rowsRendered += height;
  return at.page;
}
