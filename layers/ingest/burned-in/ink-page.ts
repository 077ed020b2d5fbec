/**
 * The ink page (flatten.ts) of an original's first frame, as inkOnPaper(ocrImageOf(...)) gives it, in
 * fewer passes over its five million pixels: each row is rendered from its stored values through the
 * frame's display table and counted into its blocks' histograms while it is in cache, and the ink is
 * written over the rendered copy instead of a second array. The same bytes (test/unit/ingest/
 * burned-in-ink-page.test.ts compares them with session 10's passes); color images, copies
 * downsampled to fit and stored values 32 bits wide or spanning more than 2^20 levels take the
 * passes one by one. Where the WebAssembly module runs, unsigned 16-bit samples that are their stored
 * values are rendered in its memory instead (render-in-module.ts), the ink rows then running there.
 */
import { decodeFrame, readDicomHeader, storedFrames, type DataSet } from '../../dicom';
import { grayscaleDisplayTable, type DisplayTable, type RenderableFrame } from '../../dicomweb/render';
import { BACKGROUND_BLOCK, BlockMedians, inkAround, inkOnPaper, type InkPage } from './flatten';
import { ocrImageOfFrame, ownRangeAttributes } from './image';
import { renderInModule, samplesInModule } from './render-in-module';
import { CheckScratch } from './scratch';

const isGrayscale = (photometric: string): boolean => /^MONOCHROME[12]$/.test(photometric.trim().toUpperCase());

/** The ink page; one that fits `maxDimension` is written into `scratch`'s page bytes (valid until the scratch's next use). */
export async function inkPageOf(part10: Uint8Array, maxDimension: number, dict?: DataSet, scratch = new CheckScratch()): Promise<InkPage> {
  const stored = storedFrames(part10);
  const first = stored.frames[0];
  if (!first) throw new Error('the instance has no frame');
  const frame = await decodeFrame(first, stored.transferSyntaxUid, stored.pixel);
  const attributes = ownRangeAttributes(dict ?? readDicomHeader(part10).dict);
  const { rows: height, columns: width, pixels } = frame;
  const fits = Math.max(width, height) <= maxDimension;
  if (!fits || !isGrayscale(frame.photometricInterpretation) || frame.bitsStored >= 32) {
    return inkOnPaper(ocrImageOfFrame(frame, attributes, maxDimension), BACKGROUND_BLOCK, scratch);
  }
  const medians = new BlockMedians(width, height, BACKGROUND_BLOCK);
  // The common frame (16-bit samples) is copied into the WebAssembly module's memory, its range taken and the
  // page rendered there, where its ink rows then run.
  const samples = pixels instanceof Uint16Array ? samplesInModule(pixels, width, height, medians) : undefined;
  const lookUp = grayscaleDisplayTable(frame, attributes, undefined, samples?.range);
  if (!lookUp) return inkOnPaper(ocrImageOfFrame(frame, attributes, maxDimension), BACKGROUND_BLOCK, scratch);

  const gray = scratch.pageBytes(width * height);
  const inModule = samples && lookUp.samplesAreStored ? renderInModule(samples, lookUp, medians) : undefined;
  if (inModule === undefined) renderAndCount(frame, lookUp, gray, medians);
  return inkAround({ width, height, gray, factor: 1 }, medians, gray, scratch, inModule);
}

/** Renders the frame into `gray` row by row, each row counted into `medians` while it is in cache. */
function renderAndCount(frame: RenderableFrame, lookUp: DisplayTable, gray: Uint8Array, medians: BlockMedians): void {
  const { rows: height, columns: width, pixels } = frame;
  const { table, offset } = lookUp;
  if (lookUp.samplesAreStored && pixels instanceof Uint16Array && width % 2 === 0 && medians.block % 2 === 0 && gray.byteOffset % 2 === 0) {
    renderAndCountWords(pixels, width, height, table, offset, gray, medians);
    return;
  }
  const mask = 2 ** frame.bitsStored - 1;
  const sign = frame.pixelRepresentation === 1 ? 2 ** (frame.bitsStored - 1) : 0;
  for (let y = 0, start = 0; y < height; y++, start += width) {
    renderAndCountRow(pixels, start, width, mask, sign, table, offset, gray, medians);
    medians.rowCounted();
  }
}

/**
 * renderAndCount for the common frame, unsigned 16-bit samples that are their stored values
 * (DisplayTable.samplesAreStored) and an even width: two samples per 32-bit read and two gray levels
 * per 16-bit write, through a table indexed by the sample itself, no mask or sign. Samples that start
 * 2 bytes off a 4-byte boundary (where a file's pixel data happens to start, about every other file)
 * are read as the words from the second sample on.
 */
function renderAndCountWords(
  pixels: Uint16Array,
  width: number,
  height: number,
  table: Uint8Array,
  offset: number,
  gray: Uint8Array,
  medians: BlockMedians,
): void {
  const bySample = new Uint8Array(offset + table.length); // at most 65,536 bytes
  bySample.set(table, offset);
  const pairs = new Uint16Array(gray.buffer, gray.byteOffset, (width * height) / 2);
  if (pixels.byteOffset % 4 === 0) {
    const words = new Uint32Array(pixels.buffer, pixels.byteOffset, (width * height) / 2);
    for (let y = 0, start = 0; y < height; y++, start += width / 2) {
      renderAndCountPairs(words, pairs, start, width / 2, bySample, medians);
      medians.rowCounted();
    }
    return;
  }
  const words = new Uint32Array(pixels.buffer, pixels.byteOffset + 2, (width * height) / 2 - 1);
  for (let y = 0, start = 0; y < height; y++, start += width / 2) {
    renderAndCountOffsetPairs(pixels, words, pairs, start, width / 2, bySample, medians);
    medians.rowCounted();
  }
}

/**
 * renderAndCountPairs for samples 2 bytes off a 4-byte boundary, read as words from the second sample:
 * `words[p]` holds samples 2p + 1 and 2p + 2, so pair p is the high half of word p - 1 (a block's first
 * read alone) and the low half of word p; the frame's last pair, past the last whole word, is read alone.
 */
function renderAndCountOffsetPairs(
  samples: Uint16Array,
  words: Uint32Array,
  pairs: Uint16Array,
  pairAt: number,
  pairCount: number,
  bySample: Uint8Array,
  medians: BlockMedians,
): void {
  const { histograms } = medians;
  const blockPairs = medians.block / 2;
  for (let p0 = pairAt, base = 0; p0 < pairAt + pairCount; p0 += blockPairs, base += 512) {
    const odd = base + 256;
    const end = Math.min(pairAt + pairCount, p0 + blockPairs);
    const whole = Math.min(end, words.length);
    let evenSample = samples[2 * p0]!;
    let p = p0;
    for (; p < whole; p++) {
      const word = words[p]!;
      const even = bySample[evenSample]!;
      const next = bySample[word & 0xffff]!;
      evenSample = word >>> 16;
      pairs[p] = even | (next << 8);
      histograms[base + even]!++;
      histograms[odd + next]!++;
    }
    if (p < end) {
      const even = bySample[samples[2 * p]!]!;
      const next = bySample[samples[2 * p + 1]!]!;
      pairs[p] = even | (next << 8);
      histograms[base + even]!++;
      histograms[odd + next]!++;
    }
  }
}

/**
 * One row of `pairCount` pixel pairs from `pairAt`: pair p's samples are word p (the low half first: the
 * machine is little-endian, as typed arrays over a DICOM file's bytes already assume), its two levels
 * written as pairs[p] and counted as BlockMedians.addRow counts them (even pixel, odd pixel).
 */
function renderAndCountPairs(
  words: Uint32Array,
  pairs: Uint16Array,
  pairAt: number,
  pairCount: number,
  bySample: Uint8Array,
  medians: BlockMedians,
): void {
  const { histograms } = medians;
  const blockPairs = medians.block / 2;
  for (let p0 = pairAt, base = 0; p0 < pairAt + pairCount; p0 += blockPairs, base += 512) {
    const odd = base + 256;
    const end = Math.min(pairAt + pairCount, p0 + blockPairs);
    for (let p = p0; p < end; p++) {
      const pair = words[p]!;
      const even = bySample[pair & 0xffff]!;
      const next = bySample[pair >>> 16]!;
      pairs[p] = even | (next << 8);
      histograms[base + even]!++;
      histograms[odd + next]!++;
    }
  }
}

/**
 * gray[i] = table[stored value of sample i - offset] for one row (the stored value: Bits Stored masked,
 * two's complement when `sign`), each level counted into its block's histograms as BlockMedians.addRow
 * counts it (even pixels, odd pixels) in the same loop: a second loop over the row cost ~3 ms a radiograph.
 */
function renderAndCountRow(
  pixels: ArrayLike<number>,
  start: number,
  width: number,
  mask: number,
  sign: number,
  table: Uint8Array,
  offset: number,
  gray: Uint8Array,
  medians: BlockMedians,
): void {
  const { block, histograms } = medians;
  const shift = sign + offset;
  for (let x0 = 0, base = 0; x0 < width; x0 += block, base += 512) {
    const end = start + Math.min(width, x0 + block);
    let i = start + x0;
    for (; i + 1 < end; i += 2) {
      const even = table[((pixels[i]! & mask) ^ sign) - shift]!;
      const odd = table[((pixels[i + 1]! & mask) ^ sign) - shift]!;
      gray[i] = even;
      gray[i + 1] = odd;
      histograms[base + even]!++;
      histograms[base + 256 + odd]!++;
    }
    if (i < end) {
      const level = table[((pixels[i]! & mask) ^ sign) - shift]!;
      gray[i] = level;
      histograms[base + level]!++;
    }
  }
}
