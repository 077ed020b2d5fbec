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
import { BACKGROUND_BLOCK, BlockMedians, inkAround, inkOnPaper } from './flatten';
import { ocrImageOfFrame, ownRangeAttributes, type OcrImage } from './image';
import { CheckScratch } from './scratch';

const isGrayscale = (photometric: string): boolean => /^MONOCHROME[12]$/.test(photometric.trim().toUpperCase());

/** The ink page; one that fits `maxDimension` is written into `scratch`'s page bytes (valid until the scratch's next use). */
export async function inkPageOf(part10: Uint8Array, maxDimension: number, dict?: DataSet, scratch = new CheckScratch()): Promise<OcrImage> {
  const stored = storedFrames(part10);
  const first = stored.frames[0];
  if (!first) throw new Error('the instance has no frame');
  const frame = await decodeFrame(first, stored.transferSyntaxUid, stored.pixel);
  const attributes = ownRangeAttributes(dict ?? readDicomHeader(part10).dict);
  const { rows: height, columns: width } = frame;
  const fits = Math.max(width, height) <= maxDimension;
  const lookUp =
    fits && isGrayscale(frame.photometricInterpretation) && frame.bitsStored < 32 ? grayscaleDisplayTable(frame, attributes) : undefined;
  if (!lookUp) return inkOnPaper(ocrImageOfFrame(frame, attributes, maxDimension));

  const gray = scratch.pageBytes(width * height);
  const medians = new BlockMedians(width, height, BACKGROUND_BLOCK);
  const mask = 2 ** frame.bitsStored - 1;
  const sign = frame.pixelRepresentation === 1 ? 2 ** (frame.bitsStored - 1) : 0;
  for (let y = 0, start = 0; y < height; y++, start += width) {
    renderRow(frame.pixels, start, width, mask, sign, lookUp.table, lookUp.offset, gray);
    medians.addRow(gray, start);
  }
  return inkAround({ width, height, gray, factor: 1 }, medians, gray);
}

/** gray[i] = table[stored value of sample i - offset] for one row (the stored value: Bits Stored masked, two's complement when `sign`). */
function renderRow(
  pixels: ArrayLike<number>,
  start: number,
  width: number,
  mask: number,
  sign: number,
  table: Uint8Array,
  offset: number,
  gray: Uint8Array,
): void {
  for (let i = start, end = start + width; i < end; i++) gray[i] = table[((pixels[i]! & mask) ^ sign) - sign - offset]!;
}
