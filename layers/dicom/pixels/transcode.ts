/**
 * A whole instance re-encoded as Explicit VR Little Endian: File Meta with the
 * new Transfer Syntax UID, every data set element kept (re-encoded from Implicit
 * VR or Big Endian, copied byte for byte from an Explicit VR Little Endian data
 * set), and encapsulated Pixel Data replaced by the decoded frames.
 */
import { header, itemTag, LONG_VRS, textValue, UNDEFINED_LENGTH } from '../deidentify/encode';
import { scanPart10, type ScannedElement, type ScannedFile } from '../part10';
import { readAscii, topLevel } from '../values';
import { PIXEL_TAG, type ImagePixelDescription } from './description';
import { decodeFrame } from './decode';
import type { DecodedFrame } from './decoded';
import { PixelDataError } from './errors';
import { framesOfScanned } from './frames';
import { ALWAYS_LOSSY, PIXEL_SYNTAX } from './syntaxes';

const EXPLICIT_LITTLE = { little: true, explicit: true };
const TRANSFER_SYNTAX_TAG = 0x00020010;
const GROUP_LENGTH_META = 0x00020000;

/** Returns the input itself when it is already Explicit VR Little Endian. */
export async function transcodeToExplicitLittleEndian(part10: Uint8Array): Promise<Uint8Array> {
  const file = scanPart10(part10);
  if (file.transferSyntaxUid === PIXEL_SYNTAX.explicitLittle) return part10;
  const replacements = new Map<number, Uint8Array | null>();
  const pixelElement = topLevel(file).get(PIXEL_TAG.PixelData);
  if (pixelElement?.fragments) await replaceEncapsulatedPixelData(file, replacements);
  const dataSet = encodeDataSet(file, replacements);
  return Buffer.concat([part10.subarray(0, 132), fileMeta(file), ...dataSet]);
}

async function replaceEncapsulatedPixelData(file: ScannedFile, replacements: Map<number, Uint8Array | null>): Promise<void> {
  const { transferSyntaxUid, pixel, frames } = framesOfScanned(file);
  // The element is written into one buffer as frames decode, so no more than one decoded frame sits beside it.
  let pixelData: Uint8Array | undefined;
  let first: DecodedFrame | undefined;
  let at = 0;
  // One frame at a time: a codec's WebAssembly heap is shared, and decoding in parallel gains nothing on one thread.
  for (const frame of frames) {
    const decoded = await decodeFrame(frame, transferSyntaxUid, pixel);
    const bytes = new Uint8Array(decoded.pixels.buffer, decoded.pixels.byteOffset, decoded.pixels.byteLength);
    if (!pixelData || !first) {
      first = decoded;
      if (first.bitsAllocated !== pixel.bitsAllocated) throw new PixelDataError('pixel data: the decoder changed BitsAllocated');
      const length = bytes.byteLength * frames.length;
      const even = length + (length % 2);
      const head = header(PIXEL_TAG.PixelData, first.bitsAllocated > 8 ? 'OW' : 'OB', even, EXPLICIT_LITTLE);
      pixelData = new Uint8Array(head.byteLength + even);
      pixelData.set(head);
      at = head.byteLength;
    } else if (bytes.byteLength !== first.pixels.byteLength) {
      throw new PixelDataError('pixel data: the frames of one instance decode to different sizes');
    }
    pixelData.set(bytes, at);
    at += bytes.byteLength;
  }
  if (!pixelData || !first) throw new PixelDataError('pixel data: encapsulated Pixel Data has no frames');
  replacements.set(0x7fe00010, pixelData);
  // Offset tables describe fragments, which are gone.
  replacements.set(0x7fe00001, null);
  replacements.set(0x7fe00002, null);
  const photometric = nativePhotometric(first.photometricInterpretation);
  if (photometric !== pixel.photometricInterpretation)
    replacements.set(0x00280004, element(PIXEL_TAG.PhotometricInterpretation, 'CS', textValue(photometric, 'CS', 'latin1')));
  if (pixel.samplesPerPixel > 1) replacements.set(0x00280006, element(PIXEL_TAG.PlanarConfiguration, 'US', new Uint8Array([0, 0])));
  if (ALWAYS_LOSSY.has(transferSyntaxUid)) keepLossyFlag(file, replacements);
}

/** A decoder that upsampled chroma but kept YCbCr yields full-resolution YBR, which native data calls YBR_FULL. */
function nativePhotometric(decoded: string): string {
  return decoded === 'YBR_FULL_422' || decoded === 'YBR_PARTIAL_420' || decoded === 'YBR_PARTIAL_422' ? 'YBR_FULL' : decoded;
}

/** Once lossy, always flagged (PS3.3 C.7.6.1.1.5): a DCT syntax without LossyImageCompression "01" gets it. */
function keepLossyFlag(file: ScannedFile, replacements: Map<number, Uint8Array | null>): void {
  const flag = topLevel(file).get(PIXEL_TAG.LossyImageCompression);
  if (flag && readAscii(file, flag) === '01') return;
  replacements.set(0x00282110, element(PIXEL_TAG.LossyImageCompression, 'CS', textValue('01', 'CS', 'latin1')));
}

function element(key: string, vr: string, value: Uint8Array): Uint8Array {
  return Buffer.concat([header(key, vr, value.byteLength, EXPLICIT_LITTLE), value]);
}

function fileMeta(file: ScannedFile): Uint8Array {
  const parts: { tag: number; bytes: Uint8Array }[] = [];
  for (const e of file.meta) {
    if (e.tag === GROUP_LENGTH_META || e.tag === TRANSFER_SYNTAX_TAG) continue;
    parts.push({ tag: e.tag, bytes: file.bytes.subarray(e.headerStart, e.valueEnd) });
  }
  parts.push({ tag: TRANSFER_SYNTAX_TAG, bytes: element('00020010', 'UI', textValue(PIXEL_SYNTAX.explicitLittle, 'UI', 'latin1')) });
  parts.sort((a, b) => a.tag - b.tag);
  const body = Buffer.concat(parts.map((p) => p.bytes));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.byteLength);
  return Buffer.concat([element('00020000', 'UL', length), body]);
}

/** Top-level elements in tag order with the replacements applied (null removes; a tag not present is inserted in order). */
function encodeDataSet(file: ScannedFile, replacements: Map<number, Uint8Array | null>): Uint8Array[] {
  const out: Uint8Array[] = [];
  const pending = [...replacements.entries()].filter(([tag]) => !file.elements.some((e) => e.depth === 0 && e.tag === tag));
  pending.sort((a, b) => a[0] - b[0]);
  const encoder = new ElementEncoder(file);
  file.elements.forEach((e, index) => {
    if (e.depth !== 0) return;
    while (pending.length > 0 && (pending[0] as [number, Uint8Array | null])[0] < e.tag) {
      const [, bytes] = pending.shift() as [number, Uint8Array | null];
      if (bytes) out.push(bytes);
    }
    if (replacements.has(e.tag)) {
      const bytes = replacements.get(e.tag);
      if (bytes) out.push(bytes);
      return;
    }
    out.push(...encoder.encode(e, index));
  });
  for (const [, bytes] of pending) if (bytes) out.push(bytes);
  return out;
}

/** VRs whose values are words to swap from Big Endian, by word width. */
const WORD_WIDTH: Readonly<Record<string, number>> = {
  US: 2,
  SS: 2,
  OW: 2,
  AT: 2,
  UL: 4,
  SL: 4,
  FL: 4,
  OF: 4,
  OL: 4,
  FD: 8,
  OD: 8,
  SV: 8,
  UV: 8,
  OV: 8,
};
const SHORT_VRS = new Set([
  'AE',
  'AS',
  'AT',
  'CS',
  'DA',
  'DS',
  'DT',
  'FL',
  'FD',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'SL',
  'SS',
  'ST',
  'TM',
  'UI',
  'UL',
  'US',
]);

class ElementEncoder {
  /** For each sequence's index in `elements`: its items, each the indexes of its elements. */
  private readonly children = new Map<number, number[][]>();
  private readonly copy: boolean;
  private readonly pixel: Pick<ImagePixelDescription, 'bitsAllocated' | 'pixelRepresentation'>;

  constructor(private readonly file: ScannedFile) {
    this.copy = file.littleEndian && file.transferSyntaxUid !== PIXEL_SYNTAX.implicitLittle;
    file.elements.forEach((e, index) => {
      if (e.parent < 0) return;
      const items = this.children.get(e.parent) ?? [];
      (items[e.item] ??= []).push(index);
      this.children.set(e.parent, items);
    });
    const bits = topLevel(file).get(PIXEL_TAG.BitsAllocated);
    const representation = topLevel(file).get('00280103');
    const u16 = (e: ScannedElement | undefined): number => (e && e.valueEnd - e.valueStart >= 2 ? this.word(e.valueStart) : 0);
    this.pixel = { bitsAllocated: u16(bits), pixelRepresentation: u16(representation) === 1 ? 1 : 0 };
  }

  private word(offset: number): number {
    const b = this.file.dataSet;
    return this.file.littleEndian
      ? (b[offset] as number) | ((b[offset + 1] as number) << 8)
      : ((b[offset] as number) << 8) | (b[offset + 1] as number);
  }

  encode(e: ScannedElement, index: number): Uint8Array[] {
    // An Explicit VR Little Endian data set (deflated, or under an encapsulated syntax) is already what we write.
    if (this.copy) return [this.file.dataSet.subarray(e.headerStart, e.valueEnd)];
    if (e.itemCount !== undefined) return this.sequence(e, index);
    const vr = this.vrOf(e);
    let value = this.file.dataSet.subarray(e.valueStart, e.valueEnd);
    const width = WORD_WIDTH[vr];
    if (!this.file.littleEndian && width !== undefined) value = swapWords(value, width);
    const written = !LONG_VRS.has(vr) && value.byteLength > 0xffff ? 'UN' : vr;
    return [header(e.key, written, value.byteLength, EXPLICIT_LITTLE), value];
  }

  private sequence(e: ScannedElement, index: number): Uint8Array[] {
    const out: Uint8Array[] = [header(e.key, 'SQ', UNDEFINED_LENGTH, EXPLICIT_LITTLE)];
    const items = this.children.get(index) ?? [];
    for (let item = 0; item < (e.itemCount ?? 0); item++) {
      out.push(itemTag('E000', UNDEFINED_LENGTH, EXPLICIT_LITTLE));
      for (const child of items[item] ?? []) out.push(...this.encode(this.file.elements[child] as ScannedElement, child));
      out.push(itemTag('E00D', 0, EXPLICIT_LITTLE));
    }
    out.push(itemTag('E0DD', 0, EXPLICIT_LITTLE));
    return out;
  }

  /** The VR to write: the file's own (Big Endian), the dictionary's (Implicit), ambiguous ones resolved by the pixel description. */
  private vrOf(e: ScannedElement): string {
    const vr = e.vr ?? 'UN';
    if (vr.length === 2 && (SHORT_VRS.has(vr) || LONG_VRS.has(vr))) return vr;
    // dcmjs's dictionary spells the ambiguous VRs "ox" (OB or OW), "xs" (US or SS) and "lt" (US or OW, LUT data).
    if (vr === 'ox') return e.tag === 0x7fe00010 && this.pixel.bitsAllocated <= 8 ? 'OB' : 'OW';
    if (vr === 'xs') return this.pixel.pixelRepresentation === 1 ? 'SS' : 'US';
    if (vr === 'lt') return 'OW';
    return 'UN';
  }
}

function swapWords(bytes: Uint8Array, width: number): Uint8Array {
  const out = new Uint8Array(bytes.byteLength);
  const whole = bytes.byteLength - (bytes.byteLength % width);
  for (let i = 0; i < whole; i += width) for (let b = 0; b < width; b++) out[i + b] = bytes[i + width - 1 - b] as number;
  out.set(bytes.subarray(whole), whole);
  return out;
}
