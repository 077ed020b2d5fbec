/**
 * Frames out of a Part 10 file, as stored: native frames are slices of Pixel
 * Data, encapsulated frames the bitstream of their fragment(s), found through
 * the Extended Offset Table, the Basic Offset Table, or, when both are absent,
 * the fragment count or the codestream's start marker.
 */
import { scanPart10, type Fragment, type ScannedElement, type ScannedFile } from '../part10';
import { rawValue, topLevel } from '../values';
import { describePixels, nativeFrameBytes, PIXEL_TAG, type ImagePixelDescription } from './description';
import { PixelDataError } from './errors';
import { frameStartOf, NATIVE_SYNTAXES, PIXEL_SYNTAX } from './syntaxes';

export interface StoredFrames {
  transferSyntaxUid: string;
  pixel: ImagePixelDescription;
  /** Each frame as stored: native bytes (in the data set's byte order) or the compressed bitstream. */
  frames: Uint8Array[];
}

/** Reads the frames of a Part 10 file; throws a value-free PixelDataError (or DicomParseError for unreadable files). */
export function storedFrames(part10: Uint8Array): StoredFrames {
  return framesOfScanned(scanPart10(part10));
}

export function framesOfScanned(file: ScannedFile): StoredFrames {
  const element = topLevel(file).get(PIXEL_TAG.PixelData);
  if (!element) throw new PixelDataError('pixel data: the instance has no Pixel Data');
  const pixel = describePixels(file);
  const { transferSyntaxUid } = file;
  const frames = element.fragments
    ? encapsulatedFrames(file, element, pixel, transferSyntaxUid)
    : nativeFrames(rawValue(file, element), pixel, transferSyntaxUid);
  return { transferSyntaxUid, pixel, frames };
}

function nativeFrames(data: Uint8Array, pixel: ImagePixelDescription, transferSyntaxUid: string): Uint8Array[] {
  if (!NATIVE_SYNTAXES.has(transferSyntaxUid)) {
    throw new PixelDataError('pixel data: native Pixel Data under an encapsulated transfer syntax');
  }
  const frameBytes = nativeFrameBytes(pixel);
  if (pixel.bitsAllocated === 1) return bitPackedFrames(data, pixel);
  if (data.byteLength < frameBytes * pixel.numberOfFrames) {
    throw new PixelDataError(
      `pixel data: ${pixel.numberOfFrames} frame(s) need ${frameBytes * pixel.numberOfFrames} bytes, ${data.byteLength} present`,
    );
  }
  return Array.from({ length: pixel.numberOfFrames }, (_, i) => data.subarray(i * frameBytes, (i + 1) * frameBytes));
}

/** BitsAllocated 1: frames follow each other bit by bit, so a frame may start inside a byte (PS3.5 8.1.1). */
function bitPackedFrames(data: Uint8Array, pixel: ImagePixelDescription): Uint8Array[] {
  const bits = pixel.rows * pixel.columns * pixel.samplesPerPixel;
  if (data.byteLength * 8 < bits * pixel.numberOfFrames) {
    throw new PixelDataError(
      `pixel data: ${pixel.numberOfFrames} frame(s) need ${Math.ceil((bits * pixel.numberOfFrames) / 8)} bytes, ${data.byteLength} present`,
    );
  }
  return Array.from({ length: pixel.numberOfFrames }, (_, frame) => {
    const start = frame * bits;
    if (start % 8 === 0) return data.subarray(start / 8, start / 8 + Math.ceil(bits / 8));
    const out = new Uint8Array(Math.ceil(bits / 8));
    for (let i = 0; i < bits; i++) {
      const from = start + i;
      if (((data[from >> 3] as number) >> (from & 7)) & 1) out[i >> 3] = (out[i >> 3] as number) | (1 << (i & 7));
    }
    return out;
  });
}

function encapsulatedFrames(
  file: ScannedFile,
  element: ScannedElement,
  pixel: ImagePixelDescription,
  transferSyntaxUid: string,
): Uint8Array[] {
  if (NATIVE_SYNTAXES.has(transferSyntaxUid))
    throw new PixelDataError('pixel data: encapsulated Pixel Data under a native transfer syntax');
  const [table, ...items] = element.fragments as Fragment[];
  if (!table) throw new PixelDataError('pixel data: encapsulated Pixel Data has no Basic Offset Table item');
  if (items.length === 0) throw new PixelDataError('pixel data: encapsulated Pixel Data has no fragments');
  const bytes = file.dataSet;
  const count = pixel.numberOfFrames;
  // Offsets in both tables count from the first byte of the first fragment's item tag.
  const base = (items[0] as Fragment).start - 8;

  // A fragment's position by its offset, so each table entry is found without a scan.
  const indexAt = new Map(items.map((f, index) => [f.start - 8 - base, index]));
  const starts = (offsets: number[]): number[] | undefined => {
    if (offsets.length !== count) return undefined;
    const found = offsets.map((offset) => indexAt.get(offset) ?? -1);
    return found.every((index, i) => index >= 0 && (i === 0 || index > (found[i - 1] as number))) ? found : undefined;
  };

  // A table that does not fit the fragments (wrong count, an offset between fragments, out of order) is
  // ignored, as readers do with the broken tables some writers leave: the fragments themselves decide.
  const extended = topLevel(file).get(PIXEL_TAG.ExtendedOffsetTable);
  const fromExtended = extended ? starts(uint64s(rawValue(file, extended))) : undefined;
  // Each frame is one fragment when the Extended Offset Table is used (PS3.5 A.4).
  if (fromExtended) return fromExtended.map((index) => bytes.subarray((items[index] as Fragment).start, (items[index] as Fragment).end));

  const fromBasic = table.end > table.start ? starts(uint32s(bytes.subarray(table.start, table.end))) : undefined;
  if (fromBasic) return fromBasic.map((first, i) => joined(bytes, items.slice(first, fromBasic[i + 1] ?? items.length)));

  if (count === 1) return [joined(bytes, items)];
  if (items.length === count) return items.map((f) => bytes.subarray(f.start, f.end));
  return framesByStartMarker(bytes, items, count, transferSyntaxUid);
}

/** No offset table and more fragments than frames: a fragment that opens with the codestream's start marker opens a frame. */
function framesByStartMarker(bytes: Uint8Array, items: Fragment[], count: number, transferSyntaxUid: string): Uint8Array[] {
  const start = frameStartOf(transferSyntaxUid);
  if (transferSyntaxUid === PIXEL_SYNTAX.rle || start === 'none') {
    throw new PixelDataError(`pixel data: ${items.length} fragments for ${count} frame(s) and no offset table`);
  }
  const opens = (f: Fragment): boolean =>
    start === 'jpeg'
      ? bytes[f.start] === 0xff && bytes[f.start + 1] === 0xd8
      : (bytes[f.start] === 0xff && bytes[f.start + 1] === 0x4f && bytes[f.start + 2] === 0xff && bytes[f.start + 3] === 0x51) ||
        // a JP2 file rather than a bare codestream: the signature box
        (bytes[f.start + 4] === 0x6a && bytes[f.start + 5] === 0x50 && bytes[f.start + 6] === 0x20 && bytes[f.start + 7] === 0x20);
  const groups: Fragment[][] = [];
  for (const fragment of items) {
    if (opens(fragment) || groups.length === 0) groups.push([fragment]);
    else (groups[groups.length - 1] as Fragment[]).push(fragment);
  }
  if (groups.length !== count) {
    throw new PixelDataError(`pixel data: ${groups.length} codestream starts in ${items.length} fragments for ${count} frame(s)`);
  }
  return groups.map((group) => joined(bytes, group));
}

function joined(bytes: Uint8Array, fragments: Fragment[]): Uint8Array {
  if (fragments.length === 1) {
    const only = fragments[0] as Fragment;
    return bytes.subarray(only.start, only.end);
  }
  const out = new Uint8Array(fragments.reduce((n, f) => n + f.end - f.start, 0));
  let at = 0;
  for (const f of fragments) {
    out.set(bytes.subarray(f.start, f.end), at);
    at += f.end - f.start;
  }
  return out;
}

function uint32s(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: Math.floor(bytes.byteLength / 4) }, (_, i) => view.getUint32(i * 4, true));
}

function uint64s(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: Math.floor(bytes.byteLength / 8) }, (_, i) => Number(view.getBigUint64(i * 8, true)));
}
