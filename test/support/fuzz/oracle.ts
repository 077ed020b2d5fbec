/**
 * The fuzz suite's leak oracle, independent of the engine and the verifier: its
 * own tolerant walk of the input (dcmjs's dictionary for Implicit VR only)
 * collects the values of identifying attributes and of every PN element, and a
 * plain case-insensitive byte search looks for them in an output. A walk that
 * meets broken structure keeps what it read before it.
 */
import { inflateRawSync } from 'node:zlib';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dcmjs = require('dcmjs') as { data: { DicomMetaDictionary: { dictionary: Record<string, { vr?: string } | undefined> } } };

/** Identifying attributes the MIDRC profile removes or replaces (PN, LO, SH and DA values): never to be seen in an output. */
export const IDENTIFYING_ATTRIBUTES: ReadonlyMap<number, string> = new Map([
  [0x00100010, 'PatientName'],
  [0x00100020, 'PatientID'],
  [0x00101000, 'OtherPatientIDs'],
  [0x00101001, 'OtherPatientNames'],
  [0x00101005, 'PatientBirthName'],
  [0x00101060, 'PatientMotherBirthName'],
  [0x00100021, 'IssuerOfPatientID'],
  [0x00100030, 'PatientBirthDate'],
  [0x00101040, 'PatientAddress'],
  [0x00102154, 'PatientTelephoneNumbers'],
  [0x00080050, 'AccessionNumber'],
  [0x00200010, 'StudyID'],
  [0x00080090, 'ReferringPhysicianName'],
  [0x00081050, 'PerformingPhysicianName'],
  [0x00081060, 'NameOfPhysiciansReadingStudy'],
  [0x00081048, 'PhysiciansOfRecord'],
  [0x00081070, 'OperatorsName'],
  [0x00321032, 'RequestingPhysician'],
  [0x00080080, 'InstitutionName'],
  [0x00080081, 'InstitutionAddress'],
  [0x00081040, 'InstitutionalDepartmentName'],
  [0x00081010, 'StationName'],
  [0x00080020, 'StudyDate'],
]);

export const MIN_NEEDLE_LENGTH = 4;
const MAX_VALUE_BYTES = 4096;
const MAX_DEPTH = 64;
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UR', 'UT', 'UN', 'SV', 'UV']);

export interface Needle {
  /** Lower-cased, as latin1 characters of the value's bytes. */
  text: string;
  /** The attribute it came from (a keyword, or "PN (gggg,eeee)"): never the value. */
  source: string;
}

class Stop extends Error {}

function implicitVr(tag: number): string | undefined {
  const hex = tag.toString(16).toUpperCase().padStart(8, '0');
  return dcmjs.data.DicomMetaDictionary.dictionary[`(${hex.slice(0, 4)},${hex.slice(4)})`]?.vr;
}

interface Cursor {
  data: Buffer;
  little: boolean;
  explicit: boolean;
  visit: Visitor;
}

/** Called with each non-sequence element's tag, VR (as written, or the dictionary's in Implicit VR) and value bytes. */
export type Visitor = (tag: number, vr: string | undefined, raw: Buffer) => void;

function u16(c: Cursor, at: number): number {
  if (at + 2 > c.data.length) throw new Stop();
  return c.little ? c.data.readUInt16LE(at) : c.data.readUInt16BE(at);
}

function u32(c: Cursor, at: number): number {
  if (at + 4 > c.data.length) throw new Stop();
  return c.little ? c.data.readUInt32LE(at) : c.data.readUInt32BE(at);
}

/** Splits a value into the pieces a leak would show: values, name components, runs between control bytes. */
export function needlesOf(raw: Buffer, vr: string | undefined, source: string): Needle[] {
  const text = raw.toString('latin1');
  const separators = vr === 'PN' ? /[\\^=\x00-\x1f]/ : /[\\\x00-\x1f]/;
  const pieces = [text, ...text.split(separators)].map((p) => p.trim().toLowerCase());
  // The same characters re-encoded as UTF-8 (a writer that transcodes a Latin-1 value).
  const utf8 = pieces.filter((p) => /[\x80-\xff]/.test(p)).map((p) => Buffer.from(p, 'utf8').toString('latin1'));
  return [...new Set([...pieces, ...utf8])]
    .filter((p) => p.length >= MIN_NEEDLE_LENGTH && /[a-z0-9\x80-\xff]/.test(p))
    .map((p) => ({ text: p, source }));
}

function visit(c: Cursor, tag: number, vr: string | undefined, start: number, length: number): void {
  c.visit(tag, vr, c.data.subarray(start, Math.min(start + length, start + MAX_VALUE_BYTES, c.data.length)));
}

/** Walks elements from `pos` to `end` (or to a delimiter); returns where it stopped. */
function walk(c: Cursor, pos: number, end: number, depth: number): number {
  if (depth > MAX_DEPTH) throw new Stop();
  while (pos + 8 <= end) {
    const tag = ((u16(c, pos) << 16) | u16(c, pos + 2)) >>> 0;
    if (tag === 0xfffee00d || tag === 0xfffee0dd) return pos + 8;
    let vr: string | undefined;
    let length: number;
    let header: number;
    if (c.explicit && tag >>> 16 !== 0xfffe) {
      vr = c.data.toString('latin1', pos + 4, pos + 6);
      if (LONG_VRS.has(vr)) {
        length = u32(c, pos + 8);
        header = 12;
      } else {
        length = u16(c, pos + 6);
        header = 8;
      }
    } else {
      vr = implicitVr(tag);
      length = u32(c, pos + 4);
      header = 8;
    }
    const start = pos + header;
    if (length === 0xffffffff) {
      // A sequence, an undefined-length UN (Implicit VR inside) or encapsulated Pixel Data: items until the delimiter.
      const inner: Cursor = vr === 'UN' ? { ...c, explicit: false } : c;
      pos = items(inner, start, end, depth, tag === 0x7fe00010);
      continue;
    }
    if (start + length > c.data.length) throw new Stop();
    if (vr === 'SQ') items(c, start, start + length, depth, false);
    else visit(c, tag, vr, start, length);
    pos = start + length;
  }
  return pos;
}

function items(c: Cursor, pos: number, end: number, depth: number, fragments: boolean): number {
  while (pos + 8 <= end) {
    const tag = ((u16(c, pos) << 16) | u16(c, pos + 2)) >>> 0;
    const length = u32(c, pos + 4);
    if (tag === 0xfffee0dd) return pos + 8;
    if (tag !== 0xfffee000) throw new Stop();
    if (fragments) {
      if (length === 0xffffffff) throw new Stop();
      pos += 8 + length;
    } else if (length === 0xffffffff) {
      pos = walk(c, pos + 8, end, depth + 1);
    } else {
      if (pos + 8 + length > c.data.length) throw new Stop();
      walk(c, pos + 8, pos + 8 + length, depth + 1);
      pos += 8 + length;
    }
  }
  return pos;
}

/** The identifying values of a Part 10 file (or of what could be read of it). */
export function identifyingNeedles(bytes: Uint8Array): Needle[] {
  const found: Needle[] = [];
  walkElements(bytes, (tag, vr, raw) => {
    const keyword = IDENTIFYING_ATTRIBUTES.get(tag);
    if (keyword !== undefined || vr === 'PN') found.push(...needlesOf(raw, vr, keyword ?? `PN (${tag.toString(16).padStart(8, '0')})`));
  });
  return found;
}

/** Every element of a Part 10 file that a tolerant walk can read, in file order. */
export function walkElements(bytes: Uint8Array, visitor: Visitor): void {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  let transferSyntax = '';
  if (buffer.length >= 132 && buffer.toString('latin1', 128, 132) === 'DICM') {
    pos = 132;
    // File Meta: always Explicit VR Little Endian.
    while (pos + 8 <= buffer.length && buffer.readUInt16LE(pos) === 0x0002) {
      const long = LONG_VRS.has(buffer.toString('latin1', pos + 4, pos + 6));
      if (long && pos + 12 > buffer.length) break;
      const header = long ? 12 : 8;
      const length = long ? buffer.readUInt32LE(pos + 8) : buffer.readUInt16LE(pos + 6);
      if (buffer.readUInt16LE(pos + 2) === 0x0010)
        transferSyntax = buffer.toString('latin1', pos + header, Math.min(buffer.length, pos + header + length)).replace(/[\0 ]+$/, '');
      pos += header + length;
    }
  }
  let data = buffer.subarray(Math.min(pos, buffer.length));
  if (transferSyntax === '1.2.840.10008.1.2.1.99') {
    try {
      data = inflateRawSync(data, { maxOutputLength: 64 * 1024 * 1024 });
    } catch {
      return;
    }
  }
  const cursor: Cursor = {
    data,
    little: transferSyntax !== '1.2.840.10008.1.2.2',
    explicit: transferSyntax !== '1.2.840.10008.1.2',
    visit: visitor,
  };
  try {
    walk(cursor, 0, data.length, 0);
  } catch (error) {
    if (!(error instanceof Stop) && !(error instanceof RangeError)) throw error;
  }
}

/** Output bytes as lower-cased latin1 text: one string to search every needle in. */
export function haystackOf(chunks: readonly Uint8Array[]): string {
  return Buffer.concat(chunks).toString('latin1').toLowerCase();
}

/** The needles found in the haystack (ASCII case-insensitively; UTF-8 and other encodings as their bytes). */
export function leaksIn(haystack: string, needles: readonly Needle[]): Needle[] {
  return needles.filter((n) => haystack.includes(n.text));
}

/** Text VRs: a value moved under another text attribute looks, from its bytes, like that attribute's own (a known gap, counted apart). */
const TEXT_VRS = new Set(['LO', 'SH', 'LT', 'ST', 'UT', 'UC', 'PN']);
/** The oracle's own reading of PS3.5 6.2 value forms, for the VRs whose form a moved text value could not take. */
const FORMS: Record<string, RegExp> = {
  DS: /^ *[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)? *$/,
  IS: /^ *[+-]?\d+ *$/,
  DA: /^\d{8}$|^\d{0,8}-\d{0,8}$/,
  TM: /^[\d.:-]* *$/,
  UI: /^[\d.]*\0?$/,
  CS: /^[A-Z0-9 _]*$/,
  AS: /^\d{3}[DWMY]$/,
};

/**
 * Where a needle sits in an output: "leak" when any element holding it is not a text VR and its value does not
 * take its VR's form (or the needle is outside every readable element), "moved" when every holder is a text
 * attribute or a conforming value (undecidable from the bytes: the known gap of names typed into text).
 */
export function carrierClass(output: Uint8Array, needle: string): 'leak' | 'moved' {
  let leak = false;
  let held = false;
  walkElements(output, (_tag, vr, raw) => {
    const text = raw.toString('latin1');
    if (!text.toLowerCase().includes(needle)) return;
    held = true;
    if (vr !== undefined && TEXT_VRS.has(vr)) return;
    const form = vr === undefined ? undefined : FORMS[vr];
    if (
      form &&
      text
        .replace(/[\0 ]+$/, '')
        .split('\\')
        .every((v) => form.test(v))
    )
      return;
    leak = true;
  });
  return leak || !held ? 'leak' : 'moved';
}
