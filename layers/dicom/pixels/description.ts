/** The Image Pixel module attributes that say how Pixel Data's bytes are laid out. */
import type { ScannedFile } from '../part10';
import { readAscii, readUint16, topLevel } from '../values';
import { PixelDataError } from './errors';

export interface ImagePixelDescription {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  pixelRepresentation: 0 | 1;
  photometricInterpretation: string;
  planarConfiguration: 0 | 1;
  numberOfFrames: number;
}

export const PIXEL_TAG = {
  SamplesPerPixel: '00280002',
  PhotometricInterpretation: '00280004',
  PlanarConfiguration: '00280006',
  NumberOfFrames: '00280008',
  Rows: '00280010',
  Columns: '00280011',
  BitsAllocated: '00280100',
  BitsStored: '00280101',
  HighBit: '00280102',
  PixelRepresentation: '00280103',
  LossyImageCompression: '00282110',
  ExtendedOffsetTable: '7FE00001',
  ExtendedOffsetTableLengths: '7FE00002',
  PixelData: '7FE00010',
} as const;

const BITS_ALLOCATED = new Set([1, 8, 16, 32]);

/** Reads the description from a scanned file; throws a value-free PixelDataError when a required attribute is missing or out of range. */
export function describePixels(file: ScannedFile): ImagePixelDescription {
  const top = topLevel(file);
  const us = (key: string): number | undefined => {
    const element = top.get(key);
    return element ? readUint16(file, element) : undefined;
  };
  const text = (key: string): string | undefined => {
    const element = top.get(key);
    return element ? readAscii(file, element) : undefined;
  };
  const required = (key: string, keyword: string): number => {
    const value = us(key);
    if (value === undefined) throw new PixelDataError(`pixel data: ${keyword} is missing`);
    return value;
  };
  const rows = required(PIXEL_TAG.Rows, 'Rows');
  const columns = required(PIXEL_TAG.Columns, 'Columns');
  const bitsAllocated = required(PIXEL_TAG.BitsAllocated, 'BitsAllocated');
  const samplesPerPixel = us(PIXEL_TAG.SamplesPerPixel) ?? 1;
  const bitsStored = us(PIXEL_TAG.BitsStored) ?? bitsAllocated;
  const highBit = us(PIXEL_TAG.HighBit) ?? bitsStored - 1;
  const pixelRepresentation = us(PIXEL_TAG.PixelRepresentation) ?? 0;
  const planarConfiguration = samplesPerPixel > 1 ? (us(PIXEL_TAG.PlanarConfiguration) ?? 0) : 0;
  const framesText = text(PIXEL_TAG.NumberOfFrames);
  const numberOfFrames = framesText === undefined || framesText === '' ? 1 : Number(framesText);
  const photometricInterpretation = text(PIXEL_TAG.PhotometricInterpretation) ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2');

  if (rows < 1 || columns < 1) throw new PixelDataError('pixel data: Rows and Columns must be positive');
  if (!BITS_ALLOCATED.has(bitsAllocated)) throw new PixelDataError(`pixel data: BitsAllocated ${bitsAllocated} is not 1, 8, 16 or 32`);
  if (bitsStored < 1 || bitsStored > bitsAllocated) throw new PixelDataError('pixel data: BitsStored is not within BitsAllocated');
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3)
    throw new PixelDataError(`pixel data: SamplesPerPixel ${samplesPerPixel} is not 1 or 3`);
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1) throw new PixelDataError('pixel data: PixelRepresentation is not 0 or 1');
  if (planarConfiguration !== 0 && planarConfiguration !== 1) throw new PixelDataError('pixel data: PlanarConfiguration is not 0 or 1');
  if (!Number.isInteger(numberOfFrames) || numberOfFrames < 1)
    throw new PixelDataError('pixel data: NumberOfFrames is not a positive integer');
  return {
    rows,
    columns,
    samplesPerPixel,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation,
    photometricInterpretation,
    planarConfiguration,
    numberOfFrames,
  };
}

/** Bytes of one native frame (bit-packed for BitsAllocated 1, rounded up to a whole byte). */
export function nativeFrameBytes(pixel: ImagePixelDescription): number {
  return Math.ceil((pixel.rows * pixel.columns * pixel.samplesPerPixel * pixel.bitsAllocated) / 8);
}
