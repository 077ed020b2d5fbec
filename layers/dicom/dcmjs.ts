/**
 * The one place that touches dcmjs. dcmjs ships no types; everything it hands
 * back is narrowed here so that no `any` reaches the domain code, where a loose
 * value is how PHI slips past a check.
 */
import { checkInflation, pixelDataTagEnd } from './part10';
import type { TagKey } from './tags';

export interface PersonNameValue {
  Alphabetic?: string;
  Ideographic?: string;
  Phonetic?: string;
}

/** What dcmjs stores in `Value`: strings, numbers, person names, sequence items or binary buffers. */
export type ElementValue = string | number | bigint | PersonNameValue | DataSet | ArrayBuffer | null;

export interface DicomElement {
  vr: string;
  Value?: ElementValue[];
  /** dcmjs keeps the bytes as read for a lossless write when Value is unchanged; drop it on edit. */
  _rawValue?: unknown;
}

export type DataSet = Record<TagKey, DicomElement>;

export interface DicomFile {
  meta: DataSet;
  dict: DataSet;
}

export interface DictionaryEntry {
  vr: string;
  keyword: string;
  /** Value multiplicity as PS3.6 writes it ("1", "2", "1-n"); undefined when the dictionary has none. */
  vm?: string;
}

interface DcmjsDicomDict {
  meta: DataSet;
  dict: DataSet;
  write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
}

interface DcmjsApi {
  log: { setLevel(level: string): void; getLogger(name: string): { setLevel(level: string): void } };
  data: {
    DicomMessage: { readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): DcmjsDicomDict };
    DicomDict: new (meta: DataSet) => DcmjsDicomDict;
    DicomMetaDictionary: {
      dictionary: Record<string, { vr?: string; name?: string; vm?: string } | undefined>;
    };
  };
}

// dcmjs has no declaration file, so it is required untyped and given the shape above, here and only here.

const dcmjs = require('dcmjs') as DcmjsApi;

// dcmjs logs through loglevel: the root logger (e.g. "Invalid length for fixed
// length tag", which can quote a value) and two named ones. Lambda logs must
// carry no DICOM values, so all of them go silent.
dcmjs.log.setLevel('silent');
for (const name of ['validation.dcmjs', 'AsyncDicomReader']) dcmjs.log.getLogger(name).setLevel('silent');

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  // dcmjs wants an ArrayBuffer holding exactly the file; a Node Buffer is often a view into a larger pool.
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * Reads a Part 10 file. Throws whatever dcmjs throws: callers translate it into a DicomParseError.
 * dcmjs inflates a deflated data set whole and unbounded, so the inflation is checked against
 * the ceiling first (InflationLimitExceeded), as every reader of hilum's does.
 */
export function readDicomFile(bytes: Uint8Array): DicomFile {
  checkInflation(bytes);
  const parsed = dcmjs.data.DicomMessage.readFile(toArrayBuffer(bytes), {});
  return { meta: parsed.meta, dict: parsed.dict };
}

/**
 * Reads a Part 10 file's header: every element before Pixel Data, which is not read
 * (DICOMweb metadata never carries it). Throws whatever dcmjs throws.
 */
export function readDicomHeader(bytes: Uint8Array): DicomFile {
  // Stopping at Pixel Data does not stop dcmjs inflating the whole data set: bound it first.
  checkInflation(bytes);
  // dcmjs reads up to the Pixel Data tag and stops there, so it is given the bytes up to that tag: the copy it needs
  // is the header's, not the whole file's (a 10 MB radiograph's pixels cost ~7 ms of CPU to copy, for nothing).
  const header = bytes.subarray(0, pixelDataTagEnd(bytes) ?? bytes.byteLength);
  const parsed = dcmjs.data.DicomMessage.readFile(toArrayBuffer(header), { untilTag: '7FE00010', includeUntilTagValue: false });
  return { meta: parsed.meta, dict: parsed.dict };
}

/** Writes a Part 10 file (128-byte zero preamble, "DICM", the given meta, then the data set in the meta's transfer syntax). */
export function writeDicomFile(file: DicomFile): Uint8Array {
  const out = new dcmjs.data.DicomDict(file.meta);
  out.dict = file.dict;
  return new Uint8Array(out.write({ allowInvalidVRLength: true }));
}

/**
 * The entry dcmjs's reader itself finds for a tag (`DicomMessage.lookupTag`: the dictionary keyed `(gggg,eeee)`, no
 * repeating-group resolution), its `vr` as stored; undefined when it finds none. For code that must know how dcmjs
 * reads an element (dcmjs-alike.ts), not for what the tag means (dictionaryEntry).
 */
export function dcmjsLookup(key: TagKey): { readonly vr: unknown } | undefined {
  const entry: unknown = dcmjs.data.DicomMetaDictionary.dictionary[`(${key.slice(0, 4)},${key.slice(4, 8)})`];
  return entry ? (entry as { vr: unknown }) : undefined;
}

/** The PS3.6 dictionary entry for a standard tag (repeating groups resolve), or undefined. */
export function dictionaryEntry(key: TagKey): DictionaryEntry | undefined {
  const entry = dcmjs.data.DicomMetaDictionary.dictionary[`(${key.slice(0, 4)},${key.slice(4, 8)})`];
  if (!entry || typeof entry.vr !== 'string' || typeof entry.name !== 'string') return undefined;
  return { vr: entry.vr, keyword: entry.name, vm: typeof entry.vm === 'string' ? entry.vm : undefined };
}
