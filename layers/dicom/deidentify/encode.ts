/**
 * A small DICOM element encoder for the three uncompressed encodings (Explicit
 * VR Little/Big Endian, Implicit VR Little Endian; deflate and the encapsulated
 * syntaxes write their data set as Explicit VR Little Endian). The
 * de-identifier writes only what it changed; everything it keeps is copied as
 * the input's own bytes.
 */
import { allocBytes, concatBytes, encodeText } from '../../common/bytes';
import type { TagKey } from '../tags';

export interface Syntax {
  little: boolean;
  explicit: boolean;
}

/** VRs whose explicit header has a 4-byte length (PS3.5 Table 7.1-1). */
export const LONG_VRS: ReadonlySet<string> = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
export const UNDEFINED_LENGTH = 0xffffffff;

/**
 * Group and element of a tag key, parsed once per tag: the engine writes the
 * same few hundred tags file after file.
 */
const TAG_NUMBERS = new Map<TagKey, number>();
function tagNumber(key: TagKey): number {
  let n = TAG_NUMBERS.get(key);
  if (n === undefined) {
    n = parseInt(key.slice(0, 8), 16) >>> 0;
    if (TAG_NUMBERS.size < 65_536) TAG_NUMBERS.set(key, n);
  }
  return n;
}

/*
 * Byte stores rather than Buffer's writeUInt16LE/writeUInt32LE: those check
 * their arguments in JavaScript on every call, and the engine runs without the
 * optimizing compiler (cli/bin/hilum.js), where each check costs a call.
 */
function put16(out: Uint8Array, offset: number, value: number, little: boolean): void {
  out[offset + (little ? 0 : 1)] = value & 0xff;
  out[offset + (little ? 1 : 0)] = (value >>> 8) & 0xff;
}

function put32(out: Uint8Array, offset: number, value: number, little: boolean): void {
  if (little) {
    out[offset] = value & 0xff;
    out[offset + 1] = (value >>> 8) & 0xff;
    out[offset + 2] = (value >>> 16) & 0xff;
    out[offset + 3] = (value >>> 24) & 0xff;
  } else {
    out[offset] = (value >>> 24) & 0xff;
    out[offset + 1] = (value >>> 16) & 0xff;
    out[offset + 2] = (value >>> 8) & 0xff;
    out[offset + 3] = value & 0xff;
  }
}

function writeTag(out: Uint8Array, key: TagKey, little: boolean): void {
  const n = tagNumber(key);
  put16(out, 0, n >>> 16, little);
  put16(out, 2, n & 0xffff, little);
}

/*
 * Headers and values are small Buffers from Node's shared pool
 * (Buffer.allocUnsafe below 4 KB) rather than a fresh Uint8Array and
 * DataView each: that was most of the engine's garbage on a CT slice. Every
 * byte is written, so nothing of the pool's previous content shows.
 */

/** An element header for `length` value bytes (UNDEFINED_LENGTH for sequences and encapsulated Pixel Data). */
export function header(key: TagKey, vr: string | undefined, length: number, syntax: Syntax): Uint8Array {
  if (!syntax.explicit) {
    const out = allocBytes(8);
    writeTag(out, key, syntax.little);
    put32(out, 4, length, syntax.little);
    return out;
  }
  const code = vr ?? 'UN';
  const long = LONG_VRS.has(code);
  if (!long && length > 0xffff) throw new RangeError(`value too long for a short-length VR ${code}`);
  const out = allocBytes(long ? 12 : 8);
  writeTag(out, key, syntax.little);
  out[4] = code.charCodeAt(0);
  out[5] = code.charCodeAt(1);
  if (long) {
    out[6] = 0;
    out[7] = 0;
    put32(out, 8, length, syntax.little);
  } else put16(out, 6, length, syntax.little);
  return out;
}

/** An item or delimiter tag (FFFE,E000 / E00D / E0DD) with its 4-byte length. */
export function itemTag(element: 'E000' | 'E00D' | 'E0DD', length: number, syntax: Syntax): Uint8Array {
  const out = allocBytes(8);
  writeTag(out, `FFFE${element}`, syntax.little);
  put32(out, 4, length, syntax.little);
  return out;
}

/** Text to value bytes, padded to an even length (UI with NUL, other strings with a space). */
export function textValue(text: string, vr: string | undefined, encoding: 'utf8' | 'latin1'): Uint8Array {
  const raw = encodeText(text, vr === 'UI' ? 'latin1' : encoding);
  if (raw.byteLength % 2 === 0) return raw;
  const padded = allocBytes(raw.byteLength + 1);
  padded.set(raw);
  padded[raw.byteLength] = vr === 'UI' ? 0 : 0x20;
  return padded;
}

/** Byte width of one binary value, for the numeric VRs that a dummy (D) writes as zero. */
const BINARY_WIDTH: Readonly<Record<string, number>> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, AT: 4, FD: 8, SV: 8, UV: 8 };

/** Fixed, obviously fake text per VR for D (PS3.15 E.1.1: non-zero length, consistent with the VR). */
const DUMMY_TEXT: Readonly<Record<string, string>> = {
  AE: 'ANONYMOUS',
  AS: '000Y',
  CS: 'ANONYMOUS',
  DA: '19000101',
  DT: '19000101000000',
  TM: '000000',
  LO: 'ANONYMOUS',
  LT: 'ANONYMOUS',
  SH: 'ANONYMOUS',
  ST: 'ANONYMOUS',
  UC: 'ANONYMOUS',
  UT: 'ANONYMOUS',
  UR: 'ANONYMOUS',
  PN: 'ANONYMOUS',
  IS: '0',
  DS: '0',
  UI: '2.25.0',
};

/** The D value for a VR; binary VRs are zero, OB/OW/UN and unknown VRs empty (no dummy is meaningful). */
export function dummyValue(vr: string | undefined): Uint8Array {
  const text = vr ? DUMMY_TEXT[vr] : undefined;
  if (text !== undefined) return textValue(text, vr, 'latin1');
  const width = vr ? BINARY_WIDTH[vr] : undefined;
  return allocBytes(width ?? 0).fill(0);
}

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  return concatBytes(chunks);
}
