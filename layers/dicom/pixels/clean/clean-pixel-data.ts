/**
 * The Clean Pixel Data Option (PS3.15 E.3.1, CID 7050 113101) for known layouts: regions of a
 * device's images where it burns in identifying text (regions.json, after RSNA CTP's pixel
 * anonymizer library) are blanked; every other pixel is left byte-identical. Native little-endian
 * Pixel Data is blanked in place in a copy; any other syntax is decoded and written as Explicit
 * VR Little Endian first (transcodeToExplicitLittleEndian), then blanked. Bit-packed (1-bit) and
 * palette-color images are refused with a value-free reason.
 */
import { scanPart10 } from '../../part10';
import { readAscii, readUint16, topLevel } from '../../values';
import { framesOfScanned } from '../frames';
import { PIXEL_SYNTAX } from '../syntaxes';
import { transcodeToExplicitLittleEndian } from '../transcode';
import { CleanPixelDataRefused } from './errors';
import { withMethodCode } from './method-code';
import table from './regions.json';

export { CleanPixelDataRefused };

export const CLEAN_PIXEL_DATA_CODE = { value: '113101', meaning: 'Clean Pixel Data Option' } as const;

/** [x, y, width, height] in pixels. */
export type CleanRegion = readonly [number, number, number, number];

type Match = { readonly contains: string } | { readonly equals: string };

export interface CleanLayout {
  readonly id: string;
  readonly description: string;
  readonly match: Readonly<Record<string, Match>>;
  readonly regions: readonly CleanRegion[];
  readonly source: string;
}

export const CLEAN_PIXEL_LAYOUTS: readonly CleanLayout[] = table.rows as unknown as CleanLayout[];

const LAYOUT_TAGS: Readonly<Record<string, { tag: string; us?: true }>> = {
  Manufacturer: { tag: '00080070' },
  ManufacturerModelName: { tag: '00081090' },
  Modality: { tag: '00080060' },
  SeriesDescription: { tag: '0008103E' },
  Rows: { tag: '00280010', us: true },
  Columns: { tag: '00280011', us: true },
};

/** The attributes the table matches on, read from a file (the original: de-identification may clean descriptors). */
export function layoutAttributesOf(part10: Uint8Array): Record<string, string[]> {
  const file = scanPart10(part10);
  const top = topLevel(file);
  const out: Record<string, string[]> = {};
  for (const [keyword, { tag, us }] of Object.entries(LAYOUT_TAGS)) {
    const element = top.get(tag);
    if (!element) continue;
    if (us) {
      const value = readUint16(file, element);
      if (value !== undefined) out[keyword] = [String(value)];
    } else out[keyword] = readAscii(file, element).split('\\');
  }
  return out;
}

function matches(values: readonly string[] | undefined, match: Match): boolean {
  if (!values) return false;
  if ('contains' in match) return values.some((v) => v.toLowerCase().includes(match.contains.toLowerCase()));
  return values.some((v) => v.trim() === match.equals);
}

/** The first layout every one of whose conditions the attributes meet. */
export function layoutFor(attributes: Readonly<Record<string, readonly string[]>>, layouts = CLEAN_PIXEL_LAYOUTS): CleanLayout | undefined {
  return layouts.find((layout) => Object.entries(layout.match).every(([keyword, match]) => matches(attributes[keyword], match)));
}

/** The stored value that displays black: the lowest for MONOCHROME2 and RGB, the highest for MONOCHROME1; YBR_FULL black is (0, 128, 128). */
function blackSamples(photometric: string, bitsStored: number, signed: boolean, samples: number): number[] {
  const p = photometric.trim().toUpperCase();
  const low = signed ? -(2 ** (bitsStored - 1)) : 0;
  const high = signed ? 2 ** (bitsStored - 1) - 1 : 2 ** bitsStored - 1;
  if (p === 'MONOCHROME2' && samples === 1) return [low];
  if (p === 'MONOCHROME1' && samples === 1) return [high];
  if (p === 'RGB' && samples === 3) return [0, 0, 0];
  if (p === 'YBR_FULL' && samples === 3) return [0, 2 ** (bitsStored - 1), 2 ** (bitsStored - 1)];
  throw new CleanPixelDataRefused('clean pixel data: the photometric interpretation has no defined black (palette or subsampled color)');
}

export interface CleanedPixels {
  readonly bytes: Uint8Array;
  /** True when the input was decoded and is now Explicit VR Little Endian. */
  readonly transcoded: boolean;
}

/** A copy of `part10` with `regions` (clipped to each frame) set to black in every frame. */
export async function blankRegions(part10: Uint8Array, regions: readonly CleanRegion[]): Promise<CleanedPixels> {
  const nativeLittle = new Set<string>([PIXEL_SYNTAX.explicitLittle, PIXEL_SYNTAX.implicitLittle]);
  const syntax = scanPart10(part10).transferSyntaxUid;
  const transcoded = !nativeLittle.has(syntax);
  // A copy (Buffer.slice would be a view of the input): the input stays as it was.
  const bytes = new Uint8Array(transcoded ? await transcodeToExplicitLittleEndian(part10) : part10);
  const file = scanPart10(bytes);
  const { pixel, frames } = framesOfScanned(file);
  if (pixel.bitsAllocated === 1 || ![8, 16, 32].includes(pixel.bitsAllocated)) {
    throw new CleanPixelDataRefused('clean pixel data: bit-packed or unusual BitsAllocated cannot be blanked');
  }
  const black = blackSamples(pixel.photometricInterpretation, pixel.bitsStored, pixel.pixelRepresentation === 1, pixel.samplesPerPixel);
  const bytesPerSample = pixel.bitsAllocated / 8;
  for (const frame of frames) {
    if (frame.buffer !== bytes.buffer) throw new CleanPixelDataRefused('clean pixel data: the frames are not native'); // never expected after transcoding
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const write = (sampleIndex: number, value: number): void => {
      const at = sampleIndex * bytesPerSample;
      if (bytesPerSample === 1) view.setUint8(at, value & 0xff);
      else if (bytesPerSample === 2) view.setUint16(at, value & 0xffff, true);
      else view.setUint32(at, value >>> 0, true);
    };
    const { rows, columns, samplesPerPixel: spp } = pixel;
    for (const [rx, ry, rw, rh] of regions) {
      const x0 = Math.max(0, rx);
      const y0 = Math.max(0, ry);
      const x1 = Math.min(columns, rx + rw);
      const y1 = Math.min(rows, ry + rh);
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          for (let s = 0; s < spp; s++) {
            const index = pixel.planarConfiguration === 1 ? s * rows * columns + y * columns + x : (y * columns + x) * spp + s;
            write(index, black[s]!);
          }
        }
      }
    }
  }
  return { bytes, transcoded };
}

export type CleanPixelDataResult =
  | { readonly status: 'cleaned'; readonly layout: string; readonly bytes: Uint8Array; readonly transcoded: boolean }
  | { readonly status: 'no-known-layout' };

/**
 * Cleans `output` (the de-identified copy) by the layout the `original`'s header matches and records
 * 113101 in its De-identification Method Code Sequence; a file of no known layout is left as it is
 * (no code recorded), for the OCR check and the curator.
 */
export async function cleanPixelData(
  original: Uint8Array,
  output: Uint8Array,
  layouts = CLEAN_PIXEL_LAYOUTS,
): Promise<CleanPixelDataResult> {
  const layout = layoutFor(layoutAttributesOf(original), layouts);
  if (!layout) return { status: 'no-known-layout' };
  const cleaned = await blankRegions(output, layout.regions);
  return {
    status: 'cleaned',
    layout: layout.id,
    bytes: withMethodCode(cleaned.bytes, CLEAN_PIXEL_DATA_CODE),
    transcoded: cleaned.transcoded,
  };
}
