import { NATIVE_TRANSFER_SYNTAXES } from '../../config';
import { QA_TAG, type DatasetView } from '../../dataset-view';
import type { InstanceRule } from './rule';

/** Photometric interpretations and the Samples per Pixel each requires (PS3.3 C.7.6.3.1.2). */
const SAMPLES_FOR_PHOTOMETRIC: Readonly<Record<string, number>> = {
  MONOCHROME1: 1,
  MONOCHROME2: 1,
  'PALETTE COLOR': 1,
  RGB: 3,
  YBR_FULL: 3,
  YBR_FULL_422: 3,
  YBR_PARTIAL_420: 3,
  YBR_ICT: 3,
  YBR_RCT: 3,
};

/** Bytes of native Pixel Data the Image Pixel module describes (1-bit data is packed). */
export function expectedPixelBytes(rows: number, columns: number, samples: number, bitsAllocated: number, frames: number): number {
  return Math.ceil((rows * columns * samples * frames * bitsAllocated) / 8);
}

function problems(view: DatasetView): string[] {
  const found: string[] = [];
  const samples = view.ushort(QA_TAG.SamplesPerPixel);
  const photometric = view.text(QA_TAG.PhotometricInterpretation);
  const required = SAMPLES_FOR_PHOTOMETRIC[photometric];
  if (photometric !== '' && required === undefined) found.push('PhotometricInterpretation is not a defined term');
  else if (required !== undefined && samples !== undefined && samples !== required)
    found.push('PhotometricInterpretation does not match SamplesPerPixel');

  const bitsAllocated = view.ushort(QA_TAG.BitsAllocated);
  const bitsStored = view.ushort(QA_TAG.BitsStored);
  const highBit = view.ushort(QA_TAG.HighBit);
  if (bitsAllocated !== undefined && bitsStored !== undefined && bitsStored > bitsAllocated) found.push('BitsStored exceeds BitsAllocated');
  if (bitsStored !== undefined && highBit !== undefined && highBit !== bitsStored - 1) found.push('HighBit is not BitsStored - 1');

  const pixel = view.element(QA_TAG.PixelData);
  const rows = view.ushort(QA_TAG.Rows);
  const columns = view.ushort(QA_TAG.Columns);
  const frames = view.has(QA_TAG.NumberOfFrames) ? view.integer(QA_TAG.NumberOfFrames) : 1;
  if (frames !== undefined && frames < 1) found.push('NumberOfFrames is not a positive integer');
  const native = NATIVE_TRANSFER_SYNTAXES.includes(view.transferSyntaxUid) && pixel && !pixel.fragments;
  if (
    native &&
    rows !== undefined &&
    columns !== undefined &&
    samples !== undefined &&
    bitsAllocated !== undefined &&
    frames !== undefined &&
    frames >= 1
  ) {
    const expected = expectedPixelBytes(rows, columns, samples, bitsAllocated, frames);
    const actual = pixel.valueEnd - pixel.valueStart;
    // An odd length is padded with one byte to even (PS3.5 8.1.1).
    if (actual !== expected && actual !== expected + (expected % 2)) {
      found.push(`native PixelData holds ${actual} bytes; Rows x Columns x SamplesPerPixel x BitsAllocated/8 x frames gives ${expected}`);
    }
  }
  return found;
}

/** The Image Pixel module agrees with itself and with the Pixel Data it describes. */
export const pixelConsistent: InstanceRule = {
  id: 'pixel.consistent',
  level: 'instance',
  defaultSeverity: 'quarantine',
  description:
    'Image Pixel module is consistent: native Pixel Data length = rows x columns x samples x bits/8 x frames; photometric interpretation valid for samples per pixel; bit depths coherent',
  overridable: false,
  offline: true,
  check: ({ view }) => (view && view.has(QA_TAG.PixelData) ? problems(view) : []),
};
