/**
 * A structural reader for DICOM Part 10 bytes: it walks every element, item
 * and fragment, checks each declared length against the bytes that remain, and
 * records where each element's value lies. It decodes no values itself.
 *
 * Why not dcmjs alone: dcmjs accepts a file whose Pixel Data is cut short
 * (it reads what remains) and fails on others with messages that can quote
 * values. This walker gives one strict, value-free verdict on structure, and
 * the verifier uses it as a reader independent of the de-identifier's.
 */
import type { dictionaryEntry as DictionaryEntryFn } from './dcmjs';
import { DicomParseError, InflationLimitExceeded } from './errors';
import { CEILING_ONLY, inflationLimit, type InflationPolicy } from './inflation';
import { formatTag, tagKey, TAG, type TagKey } from './tags';
import { trimEndOf } from './text/trim';
import { decodeText } from '../common/bytes';

export interface Fragment {
  start: number;
  end: number;
}

export interface ScannedElement {
  key: TagKey;
  /** The same tag as a number, group * 0x10000 + element. */
  tag: number;
  /** As encoded (explicit VR) or from the dictionary (implicit VR); undefined when unknown. */
  vr: string | undefined;
  /** 0 for the top-level data set, +1 per sequence item. */
  depth: number;
  /** Offset of the element's tag (its header starts here; the value at valueStart). */
  headerStart: number;
  /** Index in `elements` of the sequence (or sequence-like UN) holding this element; -1 at top level. */
  parent: number;
  /** Which item of `parent` holds this element (0-based); -1 at top level. */
  item: number;
  /** For sequences (and UN elements walked as sequences): the number of items. */
  itemCount?: number;
  valueStart: number;
  /** Exclusive; for undefined-length elements, the offset after the delimiter. */
  valueEnd: number;
  undefinedLength: boolean;
  /** Encapsulated Pixel Data items in order (the first is the Basic Offset Table). */
  fragments?: Fragment[];
}

export interface ScannedFile {
  transferSyntaxUid: string;
  /** File Meta elements; offsets index `bytes`. */
  meta: ScannedElement[];
  bytes: Uint8Array;
  /** Data set elements in file order, nested ones included; offsets index `dataSet`. */
  elements: ScannedElement[];
  /** The data set bytes: `bytes` itself, or the inflated data set of a deflated file. */
  dataSet: Uint8Array;
  littleEndian: boolean;
}

export const TRANSFER_SYNTAX = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflatedExplicitLittle: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
} as const;

/**
 * The data dictionary (dcmjs) is loaded on the first Implicit VR element only:
 * loading dcmjs costs ~100 ms, which a short-lived worker or Lambda reading
 * Explicit VR files never needs to pay.
 */
let dictionary: typeof DictionaryEntryFn | undefined;
function dictionaryVr(key: TagKey): string | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  dictionary ??= (require('./dcmjs') as { dictionaryEntry: typeof DictionaryEntryFn }).dictionaryEntry;
  return dictionary(key)?.vr;
}

/**
 * zlib on first use: only the rare deflated transfer syntax needs it, and loading it (with the streams it pulls in) costs every start.
 * Reached through process.getBuiltinModule so that a browser bundle names no node: module; where there is none (the portal's
 * de-identification worker) a deflated file is refused, value-free.
 */
export const lazyZlib = (): typeof import('node:zlib') => {
  const zlib = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:zlib');
  if (!zlib)
    throw new DicomParseError(
      'unsupported: a deflated data set cannot be read without zlib (de-identify it with hilum upload --deid-at-site)',
    );
  return zlib as typeof import('node:zlib');
};

const UNDEFINED = 0xffffffff;
const MAX_DEPTH = 64;
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const ITEM_END = 'FFFEE00D';
/** The same delimiters as tag numbers (group * 0x10000 + element), compared without making a key. */
const ITEM_TAG = 0xfffee000;
const ITEM_END_TAG = 0xfffee00d;
const SEQUENCE_END_TAG = 0xfffee0dd;

/** VR strings by their two character codes, so each element does not build a new two-letter string. */
const VRS = new Map<number, string>();
function vrOf(first: number, second: number): string | undefined {
  if (first < 0x41 || first > 0x5a || second < 0x41 || second > 0x5a) return undefined;
  const code = first * 256 + second;
  let vr = VRS.get(code);
  if (vr === undefined) {
    vr = String.fromCharCode(first, second);
    VRS.set(code, vr);
  }
  return vr;
}

interface Syntax {
  little: boolean;
  explicit: boolean;
}

class Walker {
  readonly elements: ScannedElement[] = [];
  /** Where the element being walked sits: the enclosing sequence's index and the item number. */
  private parent = -1;
  private item = -1;

  constructor(private readonly buf: Uint8Array) {}

  // Byte arithmetic rather than DataView calls: the walker runs without the optimizing compiler in the CLI
  // (cli/lib/deid-batch.ts), where each DataView call is a builtin call. Callers check bounds first (need()).
  private u16(offset: number, little: boolean): number {
    const b = this.buf;
    return little ? (b[offset] as number) | ((b[offset + 1] as number) << 8) : ((b[offset] as number) << 8) | (b[offset + 1] as number);
  }

  private u32(offset: number, little: boolean): number {
    const b = this.buf;
    return little
      ? ((b[offset] as number) | ((b[offset + 1] as number) << 8) | ((b[offset + 2] as number) << 16)) +
          (b[offset + 3] as number) * 0x1000000
      : (b[offset] as number) * 0x1000000 +
          (((b[offset + 1] as number) << 16) | ((b[offset + 2] as number) << 8) | (b[offset + 3] as number));
  }

  private need(offset: number, count: number, end: number, what: string): void {
    if (offset + count > end) {
      throw new DicomParseError(`truncated: ${what} needs ${count} bytes, ${Math.max(0, end - offset)} remain`);
    }
  }

  private tagAt(offset: number, little: boolean): TagKey {
    return tagKey(this.u16(offset, little), this.u16(offset + 2, little));
  }

  private tagNumberAt(offset: number, little: boolean): number {
    return this.u16(offset, little) * 0x10000 + this.u16(offset + 2, little);
  }

  /** Walks elements in [offset, end); inside an undefined-length item, stops after its delimiter. */
  dataSet(offset: number, end: number, syntax: Syntax, depth: number, untilItemEnd: boolean): number {
    if (depth > MAX_DEPTH) throw new DicomParseError(`malformed: sequences nested deeper than ${MAX_DEPTH} levels`);
    while (offset < end) {
      this.need(offset, 8, end, 'an element header');
      if (this.tagNumberAt(offset, syntax.little) === ITEM_END_TAG) {
        if (!untilItemEnd) throw new DicomParseError(`malformed: item delimiter ${formatTag(ITEM_END)} outside an item`);
        return offset + 8;
      }
      offset = this.element(offset, end, syntax, depth);
    }
    if (untilItemEnd) throw new DicomParseError('truncated: an undefined-length item has no delimiter');
    return offset;
  }

  /** Walks one element (and everything nested in it); returns the offset after it. */
  element(offset: number, end: number, syntax: Syntax, depth: number): number {
    this.need(offset, 8, end, 'an element header');
    const group = this.u16(offset, syntax.little);
    const elementNumber = this.u16(offset + 2, syntax.little);
    const key = tagKey(group, elementNumber);
    if (group === 0xfffe) throw new DicomParseError(`malformed: unexpected ${formatTag(key)} in a data set`);
    let vr: string | undefined;
    let length: number;
    let valueStart: number;
    if (syntax.explicit) {
      vr = vrOf(this.buf[offset + 4] ?? 0, this.buf[offset + 5] ?? 0);
      if (vr === undefined) throw new DicomParseError(`malformed: element ${formatTag(key)} has no valid VR`);
      if (LONG_VRS.has(vr)) {
        this.need(offset, 12, end, `the header of element ${formatTag(key)}`);
        length = this.u32(offset + 8, syntax.little);
        valueStart = offset + 12;
      } else {
        length = this.u16(offset + 6, syntax.little);
        valueStart = offset + 8;
      }
    } else {
      vr = dictionaryVr(key);
      length = this.u32(offset + 4, syntax.little);
      valueStart = offset + 8;
    }
    return this.value(key, group * 0x10000 + elementNumber, vr, length, offset, valueStart, end, syntax, depth);
  }

  private value(
    key: TagKey,
    tag: number,
    vr: string | undefined,
    length: number,
    headerStart: number,
    valueStart: number,
    end: number,
    syntax: Syntax,
    depth: number,
  ): number {
    const element: ScannedElement = {
      key,
      tag,
      vr,
      depth,
      headerStart,
      parent: this.parent,
      item: this.item,
      valueStart,
      valueEnd: valueStart,
      undefinedLength: length === UNDEFINED,
    };
    this.elements.push(element);
    if (length === UNDEFINED) {
      if (key === TAG.PixelData && depth === 0) {
        element.fragments = [];
        element.valueEnd = this.fragments(valueStart, end, syntax, element.fragments);
      } else {
        // An undefined-length UN is a sequence in Implicit VR Little Endian (CP-246).
        const inner = vr === 'UN' ? { little: true, explicit: false } : syntax;
        element.valueEnd = this.sequence(key, valueStart, end, true, inner, depth);
      }
      return element.valueEnd;
    }
    if (valueStart + length > end) {
      throw new DicomParseError(`truncated: element ${formatTag(key)} declares ${length} bytes, ${Math.max(0, end - valueStart)} remain`);
    }
    element.valueEnd = valueStart + length;
    if (vr === 'SQ') {
      this.sequence(key, valueStart, element.valueEnd, false, syntax, depth);
    } else if (vr === 'UN' && length >= 8 && this.tagNumberAt(valueStart, true) === ITEM_TAG) {
      this.unknownSequence(key, valueStart, element.valueEnd, depth);
    }
    return element.valueEnd;
  }

  /** A defined-length UN that starts like an item is probably a sequence; walk it if it parses, else leave it opaque. */
  private unknownSequence(key: TagKey, start: number, end: number, depth: number): void {
    const mark = this.elements.length;
    try {
      this.sequence(key, start, end, false, { little: true, explicit: false }, depth);
    } catch (error) {
      if (!(error instanceof DicomParseError)) throw error;
      this.elements.length = mark;
      const opaque = this.elements[mark - 1];
      if (opaque) delete opaque.itemCount;
    }
  }

  private sequence(key: TagKey, offset: number, end: number, undefinedLength: boolean, syntax: Syntax, depth: number): number {
    // The sequence element was pushed just before its items are walked.
    const index = this.elements.length - 1;
    const sequenceElement = this.elements[index];
    const [outerParent, outerItem] = [this.parent, this.item];
    let items = 0;
    try {
      while (undefinedLength || offset < end) {
        this.need(offset, 8, end, `an item of ${formatTag(key)}`);
        const itemTag = this.tagNumberAt(offset, syntax.little);
        const itemLength = this.u32(offset + 4, syntax.little);
        if (itemTag === SEQUENCE_END_TAG) {
          if (undefinedLength) return offset + 8;
          throw new DicomParseError(`malformed: sequence delimiter inside defined-length ${formatTag(key)}`);
        }
        if (itemTag !== ITEM_TAG)
          throw new DicomParseError(
            `malformed: expected an item in ${formatTag(key)}, found ${formatTag(this.tagAt(offset, syntax.little))}`,
          );
        offset += 8;
        this.parent = index;
        this.item = items;
        items += 1;
        if (itemLength === UNDEFINED) {
          offset = this.dataSet(offset, end, syntax, depth + 1, true);
        } else {
          if (offset + itemLength > end) {
            throw new DicomParseError(
              `truncated: an item of ${formatTag(key)} declares ${itemLength} bytes, ${Math.max(0, end - offset)} remain`,
            );
          }
          this.dataSet(offset, offset + itemLength, syntax, depth + 1, false);
          offset += itemLength;
        }
        this.parent = outerParent;
        this.item = outerItem;
      }
      return offset;
    } finally {
      this.parent = outerParent;
      this.item = outerItem;
      if (sequenceElement) sequenceElement.itemCount = items;
    }
  }

  private fragments(offset: number, end: number, syntax: Syntax, out: Fragment[]): number {
    for (;;) {
      this.need(offset, 8, end, 'a Pixel Data fragment header');
      const itemTag = this.tagNumberAt(offset, syntax.little);
      const length = this.u32(offset + 4, syntax.little);
      if (itemTag === SEQUENCE_END_TAG) return offset + 8;
      if (itemTag !== ITEM_TAG)
        throw new DicomParseError(
          `malformed: expected a fragment in ${formatTag(TAG.PixelData)}, found ${formatTag(this.tagAt(offset, syntax.little))}`,
        );
      offset += 8;
      if (length === UNDEFINED || offset + length > end) {
        throw new DicomParseError(
          `truncated: a fragment of ${formatTag(TAG.PixelData)} declares ${length === UNDEFINED ? 'undefined' : length} bytes, ${Math.max(0, end - offset)} remain`,
        );
      }
      out.push({ start: offset, end: offset + length });
      offset += length;
    }
  }
}

function asciiValue(bytes: Uint8Array, element: ScannedElement): string {
  return trimEndOf(decodeText(bytes, 'latin1', element.valueStart, element.valueEnd), ' \0');
}

const DICM = [0x44, 0x49, 0x43, 0x4d];

export interface ScanOptions {
  /** Bounds a deflated data set's inflation (default: the ceiling alone; Parse passes the project's intake policy). */
  readonly inflation?: InflationPolicy;
}

/**
 * Inflates a deflated data set, refusing (InflationLimitExceeded) once the output
 * passes the limit: zlib stops there, so no more than the limit is ever held.
 * The result is a view of zlib's buffer, not a copy.
 */
function inflateDataSet(bytes: Uint8Array, start: number, policy: InflationPolicy): Uint8Array {
  const limit = inflationLimit(bytes.byteLength, policy);
  const zlib = lazyZlib();
  let inflated: Uint8Array;
  try {
    inflated = zlib.inflateRawSync(bytes.subarray(start), { maxOutputLength: limit });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new InflationLimitExceeded(
        `inflation limit: the deflated data set of a ${bytes.byteLength}-byte file inflates to more than ${limit} bytes`,
      );
    }
    throw new DicomParseError('malformed: the deflated data set cannot be inflated');
  }
  return new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength);
}

/** The File Meta group: its elements, where it ends, and the transfer syntax it names. */
function readFileMeta(bytes: Uint8Array): { meta: ScannedElement[]; metaEnd: number; transferSyntaxUid: string } {
  if (bytes.byteLength === 0) throw new DicomParseError('empty file');
  if (bytes.byteLength < 132 || DICM.some((b, i) => bytes[128 + i] !== b)) {
    throw new DicomParseError('not a DICOM Part 10 file: no DICM prefix');
  }
  if (bytes.byteLength === 132) throw new DicomParseError('not a DICOM Part 10 file: preamble only, no File Meta Information');

  const metaWalker = new Walker(bytes);
  const explicitLittle = { little: true, explicit: true };
  // The File Meta group ends where group 0002 ends; its group length is not trusted.
  let metaEnd = 132;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (metaEnd + 8 <= bytes.byteLength && view.getUint16(metaEnd, true) === 0x0002) {
    metaEnd = metaWalker.element(metaEnd, bytes.byteLength, explicitLittle, 0);
  }
  const meta = metaWalker.elements;
  const tsElement = meta.find((e) => e.key === TAG.TransferSyntaxUID);
  if (!tsElement)
    throw new DicomParseError(
      `not a DICOM Part 10 file: File Meta Information has no ${formatTag(TAG.TransferSyntaxUID)} Transfer Syntax UID`,
    );
  return { meta, metaEnd, transferSyntaxUid: asciiValue(bytes, tsElement) };
}

/**
 * Checks that a deflated file's data set inflates within the policy's limit
 * (nothing to check for other transfer syntaxes), for readers that inflate it
 * themselves (dcmjs). Throws InflationLimitExceeded or DicomParseError.
 */
export function checkInflation(bytes: Uint8Array, policy: InflationPolicy = CEILING_ONLY): void {
  const { metaEnd, transferSyntaxUid } = readFileMeta(bytes);
  if (transferSyntaxUid === TRANSFER_SYNTAX.deflatedExplicitLittle) inflateDataSet(bytes, metaEnd, policy);
}

/**
 * Where a file's top-level Pixel Data tag ends, for a reader that stops at that tag (dcmjs's `untilTag`): the
 * bytes before this offset are all it reads. Undefined when the file has no top-level Pixel Data, when its data
 * set is deflated (the tag lies in the inflated bytes), or when the walker cannot read the file (the reader is
 * then given it whole, and decides for itself as before).
 */
export function pixelDataTagEnd(bytes: Uint8Array): number | undefined {
  try {
    if (readFileMeta(bytes).transferSyntaxUid === TRANSFER_SYNTAX.deflatedExplicitLittle) return undefined;
    const pixelData = scanPart10(bytes).elements.find((e) => e.depth === 0 && e.key === TAG.PixelData);
    return pixelData && pixelData.headerStart + 4;
  } catch {
    return undefined;
  }
}

/**
 * Walks a whole Part 10 file. Throws DicomParseError with a value-free reason
 * (InflationLimitExceeded for a deflated data set beyond its limit).
 */
export function scanPart10(bytes: Uint8Array, options: ScanOptions = {}): ScannedFile {
  const { meta, metaEnd, transferSyntaxUid } = readFileMeta(bytes);
  let dataSet = bytes;
  let start = metaEnd;
  if (transferSyntaxUid === TRANSFER_SYNTAX.deflatedExplicitLittle) {
    dataSet = inflateDataSet(bytes, metaEnd, options.inflation ?? CEILING_ONLY);
    start = 0;
  }
  const syntax: Syntax = {
    little: transferSyntaxUid !== TRANSFER_SYNTAX.explicitBig,
    explicit: transferSyntaxUid !== TRANSFER_SYNTAX.implicitLittle,
  };
  const walker = new Walker(dataSet);
  walker.dataSet(start, dataSet.byteLength, syntax, 0, false);
  return { transferSyntaxUid, meta, bytes, elements: walker.elements, dataSet, littleEndian: syntax.little };
}
