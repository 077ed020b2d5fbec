/**
 * The Clean Pixel Data Option, checked (PS3.15 E.3.1; CID 7050 code 113101). A copy that records
 * 113101 in its De-identification Method Code Sequence may differ from its original's pixels only
 * inside the regions of the layout its original's device matches, and there each frame must be
 * blank (one value per sample channel). Everything else must be the original's, sample for sample.
 * The layouts are DATA shared with the cleaner (pixels/clean/regions.json); the matching and the
 * comparison are this module's own code, so a bug in the cleaner's is not repeated here.
 * Reports check names and keywords, never values.
 */
import { bytesEqual } from '../../common/bytes';
import { DicomParseError } from '../errors';
import type { ScannedFile } from '../part10';
import { scanPart10 } from '../part10';
import { framesOfScanned, type StoredFrames } from '../pixels/frames';
import { PixelDataError } from '../pixels/errors';
import table from '../pixels/clean/regions.json';
import { readAscii, readUint16, topLevel } from '../values';

const CODE_SEQUENCE = '00120064';
const CODE_VALUE = '00080100';
const CLEAN_PIXEL_DATA = '113101';
const NATIVE_LITTLE = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']);

type Condition = { readonly contains?: string; readonly equals?: string };
interface Row {
  readonly id: string;
  readonly match: Readonly<Record<string, Condition>>;
  readonly regions: readonly (readonly number[])[];
}
const ROWS = table.rows as unknown as readonly Row[];

const MATCHED_ATTRIBUTES: Readonly<Record<string, { tag: string; binary?: true }>> = {
  Manufacturer: { tag: '00080070' },
  ManufacturerModelName: { tag: '00081090' },
  Modality: { tag: '00080060' },
  SeriesDescription: { tag: '0008103E' },
  Rows: { tag: '00280010', binary: true },
  Columns: { tag: '00280011', binary: true },
};

/** True when the copy records the Clean Pixel Data Option (113101) in its top-level De-identification Method Code Sequence. */
export function recordsCleanPixelData(file: ScannedFile): boolean {
  const sequence = file.elements.findIndex((e) => e.depth === 0 && e.key === CODE_SEQUENCE);
  if (sequence < 0) return false;
  return file.elements.some((e) => e.parent === sequence && e.key === CODE_VALUE && readAscii(file, e).trim() === CLEAN_PIXEL_DATA);
}

/** True when the original's pixels must be decoded before they can be compared sample for sample. */
function originalNeedsDecoding(original: ScannedFile): boolean {
  return !NATIVE_LITTLE.has(original.transferSyntaxUid);
}

/**
 * True when verifying `output` against `original` needs the original decoded (verifyDeidentified's
 * `decodedOriginal`): the copy records 113101 and the original's pixels are not native little endian.
 * False for bytes that do not parse (the verification itself reports them).
 */
export function verificationNeedsDecodedOriginal(original: Uint8Array, output: Uint8Array): boolean {
  try {
    return recordsCleanPixelData(scanPart10(output)) && originalNeedsDecoding(scanPart10(original));
  } catch (error) {
    if (error instanceof DicomParseError) return false;
    throw error;
  }
}

function conditionHolds(values: readonly string[], condition: Condition): boolean {
  if (condition.contains !== undefined) {
    const wanted = condition.contains.toLowerCase();
    return values.some((v) => v.toLowerCase().includes(wanted));
  }
  return condition.equals !== undefined && values.some((v) => v.trim() === condition.equals);
}

/** The regions of the first table row whose every condition the original's header meets. */
export function tabledRegionsOf(original: ScannedFile): readonly (readonly number[])[] | undefined {
  const top = topLevel(original);
  const valuesOf = (keyword: string): string[] => {
    const attribute = MATCHED_ATTRIBUTES[keyword];
    const element = attribute && top.get(attribute.tag);
    if (!attribute || !element) return [];
    if (!attribute.binary) return readAscii(original, element).split('\\');
    const n = readUint16(original, element);
    return n === undefined ? [] : [String(n)];
  };
  return ROWS.find((row) => Object.entries(row.match).every(([keyword, condition]) => conditionHolds(valuesOf(keyword), condition)))
    ?.regions;
}

export type CleanPixelsFailure = 'clean-pixel-data-layout' | 'pixel-data-unchanged' | 'clean-pixel-data-blank';

/** Column ranges [from, to) of row `y` that lie inside a region, merged and clipped to the image. */
function blankedColumns(y: number, columns: number, regions: readonly (readonly number[])[]): [number, number][] {
  const spans = regions
    .filter(([, ry = 0, , rh = 0]) => y >= ry && y < ry + rh)
    .map(([rx = 0, , rw = 0]): [number, number] => [Math.max(0, rx), Math.min(columns, rx + rw)])
    .filter(([a, b]) => b > a)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([...span]);
  }
  return merged;
}

const sameGeometry = (a: StoredFrames, b: StoredFrames): boolean =>
  (['rows', 'columns', 'samplesPerPixel', 'bitsAllocated', 'planarConfiguration', 'numberOfFrames'] as const).every(
    (k) => a.pixel[k] === b.pixel[k],
  );

/**
 * Compares a copy that records 113101 with its original. `decodedOriginal` is the original written as
 * Explicit VR Little Endian, needed when its own pixels are not native little endian. Returns the failed
 * checks (empty when the copy differs exactly in the blanked regions of its original's layout).
 */
export function cleanPixelsFailures(original: ScannedFile, output: ScannedFile, decodedOriginal?: ScannedFile): CleanPixelsFailure[] {
  const regions = tabledRegionsOf(original);
  if (!regions) return ['clean-pixel-data-layout'];
  const reference = originalNeedsDecoding(original) ? decodedOriginal : original;
  if (!reference || !NATIVE_LITTLE.has(output.transferSyntaxUid)) return ['pixel-data-unchanged'];
  let before: StoredFrames;
  let after: StoredFrames;
  try {
    before = framesOfScanned(reference);
    after = framesOfScanned(output);
  } catch (error) {
    if (error instanceof PixelDataError || error instanceof DicomParseError) return ['pixel-data-unchanged'];
    throw error;
  }
  const { rows, columns, samplesPerPixel, bitsAllocated, planarConfiguration } = after.pixel;
  if (!sameGeometry(before, after) || ![8, 16, 32].includes(bitsAllocated)) return ['pixel-data-unchanged'];
  const bytesPerSample = bitsAllocated / 8;
  // Planar configuration 1 stores each sample channel as a plane of its own: each plane is checked as a one-sample image.
  const planes = planarConfiguration === 1 ? samplesPerPixel : 1;
  const perPixel = planarConfiguration === 1 ? 1 : samplesPerPixel;
  const pixelBytes = perPixel * bytesPerSample;
  const rowBytes = columns * pixelBytes;
  const failures = new Set<CleanPixelsFailure>();
  after.frames.forEach((frame, f) => {
    const was = before.frames[f]!;
    for (let plane = 0; plane < planes; plane++) {
      const planeStart = plane * rows * rowBytes;
      let blank: Uint8Array | undefined; // the first blanked pixel's bytes, which every other blanked pixel must repeat
      for (let y = 0; y < rows; y++) {
        const rowStart = planeStart + y * rowBytes;
        let x = 0;
        const sameAs = (from: number, to: number): boolean => {
          const a = was.subarray(rowStart + from * pixelBytes, rowStart + to * pixelBytes);
          const b = frame.subarray(rowStart + from * pixelBytes, rowStart + to * pixelBytes);
          return bytesEqual(a, b);
        };
        for (const [from, to] of blankedColumns(y, columns, regions)) {
          if (!sameAs(x, from)) failures.add('pixel-data-unchanged');
          for (let c = from; c < to; c++) {
            const at = rowStart + c * pixelBytes;
            const pixel = frame.subarray(at, at + pixelBytes);
            blank ??= pixel;
            if (!bytesEqual(pixel, blank)) failures.add('clean-pixel-data-blank');
          }
          x = to;
        }
        if (!sameAs(x, columns)) failures.add('pixel-data-unchanged');
      }
    }
  });
  return [...failures];
}
