/**
 * A read-only view of a scanned instance for the rules: top-level values by tag,
 * decoded only as far as the rules need. Rules compare values; they never put
 * one in a message.
 */
import { toHex } from '../common/bytes';
import { crc32 } from '../common/crc32';
import { sha256 } from '../common/digest';
import { TAG, rawValue, readAscii, readUint16, topLevel, type ScannedElement, type ScannedFile, type TagKey } from '../dicom';

export const QA_TAG = {
  ...TAG,
  ImageType: '00080008',
  PatientID: '00100020',
  FrameOfReferenceUID: '00200052',
  SamplesPerPixel: '00280002',
  PhotometricInterpretation: '00280004',
  NumberOfFrames: '00280008',
  BitsAllocated: '00280100',
  BitsStored: '00280101',
  HighBit: '00280102',
  PixelRepresentation: '00280103',
} as const;

export class DatasetView {
  private readonly top: ReadonlyMap<TagKey, ScannedElement>;

  constructor(readonly file: ScannedFile) {
    this.top = topLevel(file);
  }

  get transferSyntaxUid(): string {
    return this.file.transferSyntaxUid;
  }

  element(tag: TagKey): ScannedElement | undefined {
    return this.top.get(tag);
  }

  has(tag: TagKey): boolean {
    return this.top.has(tag);
  }

  /** Trimmed text ('' when absent). */
  text(tag: TagKey): string {
    const e = this.top.get(tag);
    return e ? readAscii(this.file, e) : '';
  }

  /** Text or undefined when absent or empty. */
  optionalText(tag: TagKey): string | undefined {
    const value = this.text(tag);
    return value === '' ? undefined : value;
  }

  ushort(tag: TagKey): number | undefined {
    const e = this.top.get(tag);
    return e ? readUint16(this.file, e) : undefined;
  }

  integer(tag: TagKey): number | undefined {
    const value = this.optionalText(tag);
    if (value === undefined || !/^[+-]?\d+$/.test(value.trim())) return undefined;
    return Number.parseInt(value, 10);
  }

  bytes(tag: TagKey): Uint8Array | undefined {
    const e = this.top.get(tag);
    return e ? rawValue(this.file, e) : undefined;
  }

  /** The pixel payload pixelSha256 hashes: native bytes, or the fragments without the Basic Offset Table (views, no copy). */
  pixelPayload(): Uint8Array[] | undefined {
    const e = this.top.get(QA_TAG.PixelData);
    if (!e) return undefined;
    return e.fragments ? e.fragments.slice(1).map((f) => this.file.dataSet.subarray(f.start, f.end)) : [rawValue(this.file, e)];
  }

  /**
   * The pixel payload's length and CRC-32 (`length:crc`): files whose keys differ cannot have the same pixels, and
   * those that share one are compared by pixelSha256. About a sixth of a SHA-256 pass on this machine's CPU.
   */
  pixelKey(): string | undefined {
    const payload = this.pixelPayload();
    if (!payload) return undefined;
    let crc = 0;
    let length = 0;
    for (const part of payload) {
      crc = crc32(part, crc);
      length += part.byteLength;
    }
    return `${length}:${crc}`;
  }

  /** SHA-256 of the pixel payload. */
  pixelSha256(): string | undefined {
    const payload = this.pixelPayload();
    if (!payload) return undefined;
    const hash = sha256();
    for (const part of payload) hash.update(part);
    return toHex(hash.digest());
  }
}
