/**
 * A small DICOM element encoder for the three uncompressed encodings (Explicit
 * VR Little/Big Endian, Implicit VR Little Endian; deflate and the encapsulated
 * syntaxes write their data set as Explicit VR Little Endian). The
 * de-identifier writes only what it changed; everything it keeps is copied as
 * the input's own bytes.
 */
import type { TagKey } from '../tags';

export interface Syntax {
  little: boolean;
  explicit: boolean;
}

/** VRs whose explicit header has a 4-byte length (PS3.5 Table 7.1-1). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
export const UNDEFINED_LENGTH = 0xffffffff;

function tagBytes(view: DataView, at: number, key: TagKey, little: boolean): void {
  view.setUint16(at, parseInt(key.slice(0, 4), 16), little);
  view.setUint16(at + 2, parseInt(key.slice(4, 8), 16), little);
}

/** An element header for `length` value bytes (UNDEFINED_LENGTH for sequences and encapsulated Pixel Data). */
export function header(key: TagKey, vr: string | undefined, length: number, syntax: Syntax): Uint8Array {
  if (!syntax.explicit) {
    const out = new Uint8Array(8);
    const view = new DataView(out.buffer);
    tagBytes(view, 0, key, syntax.little);
    view.setUint32(4, length, syntax.little);
    return out;
  }
  const code = vr ?? 'UN';
  const long = LONG_VRS.has(code);
  if (!long && length > 0xffff) throw new RangeError(`value too long for a short-length VR ${code}`);
  const out = new Uint8Array(long ? 12 : 8);
  const view = new DataView(out.buffer);
  tagBytes(view, 0, key, syntax.little);
  out[4] = code.charCodeAt(0);
  out[5] = code.charCodeAt(1);
  if (long) view.setUint32(8, length, syntax.little);
  else view.setUint16(6, length, syntax.little);
  return out;
}

/** An item or delimiter tag (FFFE,E000 / E00D / E0DD) with its 4-byte length. */
export function itemTag(element: 'E000' | 'E00D' | 'E0DD', length: number, syntax: Syntax): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  tagBytes(view, 0, `FFFE${element}`, syntax.little);
  view.setUint32(4, length, syntax.little);
  return out;
}

/** Text to value bytes, padded to an even length (UI with NUL, other strings with a space). */
export function textValue(text: string, vr: string | undefined, encoding: 'utf8' | 'latin1'): Uint8Array {
  const raw = Buffer.from(text, vr === 'UI' ? 'latin1' : encoding);
  if (raw.byteLength % 2 === 0) return raw;
  const padded = Buffer.alloc(raw.byteLength + 1, vr === 'UI' ? 0 : 0x20);
  raw.copy(padded);
  return padded;
}

/** Byte width of one binary value, for the numeric VRs that a dummy (D) writes as zero. */
const BINARY_WIDTH: Readonly<Record<string, number>> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, AT: 4, FD: 8, SV: 8, UV: 8 };

/** Fixed, obviously fake text per VR for D (PS3.15 E.1.1: non-zero length, consistent with the VR). */
const DUMMY_TEXT: Readonly<Record<string, string>> = {
  AE: 'ANONYMOUS', AS: '000Y', CS: 'ANONYMOUS', DA: '19000101', DT: '19000101000000', TM: '000000',
  LO: 'ANONYMOUS', LT: 'ANONYMOUS', SH: 'ANONYMOUS', ST: 'ANONYMOUS', UC: 'ANONYMOUS', UT: 'ANONYMOUS',
  UR: 'ANONYMOUS', PN: 'ANONYMOUS', IS: '0', DS: '0', UI: '2.25.0',
};

/** The D value for a VR; binary VRs are zero, OB/OW/UN and unknown VRs empty (no dummy is meaningful). */
export function dummyValue(vr: string | undefined): Uint8Array {
  const text = vr ? DUMMY_TEXT[vr] : undefined;
  if (text !== undefined) return textValue(text, vr, 'latin1');
  const width = vr ? BINARY_WIDTH[vr] : undefined;
  return new Uint8Array(width ?? 0);
}

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(chunks);
}
