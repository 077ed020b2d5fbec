/**
 * The ink page (flatten.ts) of an original's first frame, as inkOnPaper(ocrImageOf(...)) gives it, in
 * fewer passes over its five million pixels: each row is rendered from its stored values through the
 * frame's display table and counted into its blocks' histograms while it is in cache, and the ink is
 * written over the rendered copy instead of a second array. The same bytes (test/unit/ingest/
 * burned-in-ink-page.test.ts compares them with session 10's passes); color images, copies
 * downsampled to fit and stored values 32 bits wide or spanning more than 2^20 levels take the
 * passes one by one.
 */
import { decodeFrame, readDicomHeader, storedFrames, type DataSet } from '../../dicom';
import { grayscaleDisplayTable } from '../../dicomweb/render';
import { BACKGROUND_BLOCK, BlockMedians, inkAround, inkOnPaper, type InkPage } from './flatten';
import { ocrImageOfFrame, ownRangeAttributes } from './image';
import { CheckScratch } from './scratch';

const isGrayscale = (photometric: string): boolean => /^MONOCHROME[12]$/.test(photometric.trim().toUpperCase());

/** The ink page; one that fits `maxDimension` is written into `scratch`'s page bytes (valid until the scratch's next use). */
export async function inkPageOf(part10: Uint8Array, maxDimension: number, dict?: DataSet, scratch = new CheckScratch()): Promise<InkPage> {
  const stored = storedFrames(part10);
  const first = stored.frames[0];
  if (!first) throw new Error('the instance has no frame');
  const frame = await decodeFrame(first, stored.transferSyntaxUid, stored.pixel);
  const attributes = ownRangeAttributes(dict ?? readDicomHeader(part10).dict);
  const { rows: height, columns: width } = frame;
  const fits = Math.max(width, height) <= maxDimension;
  const lookUp =
    fits && isGrayscale(frame.photometricInterpretation) && frame.bitsStored < 32 ? grayscaleDisplayTable(frame, attributes) : undefined;
  if (!lookUp) return inkOnPaper(ocrImageOfFrame(frame, attributes, maxDimension), BACKGROUND_BLOCK, scratch);

  const gray = scratch.pageBytes(width * height);
  const medians = new BlockMedians(width, height, BACKGROUND_BLOCK);
  const mask = 2 ** frame.bitsStored - 1;
  const sign = frame.pixelRepresentation === 1 ? 2 ** (frame.bitsStored - 1) : 0;
  for (let y = 0, start = 0; y < height; y++, start += width) {
    renderAndCountRow(frame.pixels, start, width, mask, sign, lookUp.table, lookUp.offset, gray, medians);
    medians.rowCounted();
  }
  return inkAround({ width, height, gray, factor: 1 }, medians, gray, scratch);
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
