/**
 * The verifier's own reading of PS3.5 6.2 value forms: which output elements
 * hold a value that is not one of their VR. The de-identifier removes such
 * values (a name moved under a DS, a UI or a VM 1 US tag looks like that
 * attribute's own in Implicit VR); this module repeats the judgement on the
 * output without the engine's code (../value-form.ts), so a regression there
 * that lets one through is caught here. It shares data only: the VR dictionary
 * (tags.ts) and, for value multiplicity, dcmjs's data dictionary.
 */
import type { dictionaryEntry as DictionaryEntryFn } from '../dcmjs';
import { TRANSFER_SYNTAX, type ScannedElement, type ScannedFile } from '../part10';
import { dictionaryVrs, isPrivateGroup, TAG, type TagKey } from '../tags';

/** Per string VR: a table of the byte values a value may hold, its longest single value, and whether NUL pads it. */
interface StringForm {
  bytes: Uint8Array;
  longest: number;
  nulPadded: boolean;
}

function characters(...ranges: Array<string | [string, string]>): Uint8Array {
  const table = new Uint8Array(256);
  for (const range of ranges) {
    const [from, to] = typeof range === 'string' ? [range, range] : range;
    for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c += 1) table[c] = 1;
  }
  return table;
}

const DIGITS: [string, string] = ['0', '9'];

const STRING_FORMS: ReadonlyMap<string, StringForm> = new Map([
  // Code String: upper case letters, digits, space and underscore, 16 characters.
  ['CS', { bytes: characters(['A', 'Z'], DIGITS, ' ', '_'), longest: 16, nulPadded: false }],
  // Decimal String: a fixed or floating point number, 16 characters.
  ['DS', { bytes: characters(DIGITS, '+', '-', '.', 'E', 'e', ' '), longest: 16, nulPadded: false }],
  // Integer String: a signed integer, 12 characters.
  ['IS', { bytes: characters(DIGITS, '+', '-', ' '), longest: 12, nulPadded: false }],
  // Unique Identifier: digits and dots, 64 characters, padded with NUL.
  ['UI', { bytes: characters(DIGITS, '.'), longest: 64, nulPadded: true }],
  // Time: HHMMSS.FFFFFF, with the ACR-NEMA colons and query ranges old writers leave, 28 characters.
  ['TM', { bytes: characters(DIGITS, '.', ':', '-', ' '), longest: 28, nulPadded: false }],
]);

/** Bytes per value of the fixed-width binary VRs. */
const VALUE_WIDTH: ReadonlyMap<string, number> = new Map([
  ['US', 2],
  ['SS', 2],
  ['UL', 4],
  ['SL', 4],
  ['FL', 4],
  ['FD', 8],
  ['AT', 4],
  ['SV', 8],
  ['UV', 8],
  ['OW', 2],
  ['OF', 4],
  ['OL', 4],
  ['OD', 8],
  ['OV', 8],
]);

/** Past this many bytes a binary value is a table or an array by nature; VM 1 is a check of the small numeric attributes. */
const SMALL_BINARY = 64;

let dcmjsEntry: typeof DictionaryEntryFn | undefined;
const vmOne = new Map<TagKey, boolean>();

// The engine's value-form.ts has the same lazy VM 1 lookup (isSingleValued), and its VR width table. Not folded
// on purpose: the verifier imports nothing of the engine's judgement, only the dictionaries, so a change there
// cannot quietly change what is checked here (see the module comment).
function singleValued(key: TagKey): boolean {
  let single = vmOne.get(key);
  if (single === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    dcmjsEntry ??= (require('../dcmjs') as { dictionaryEntry: typeof DictionaryEntryFn }).dictionaryEntry;
    single = dcmjsEntry(key)?.vm === '1';
    vmOne.set(key, single);
  }
  return single;
}

function stringTakesForm(data: Uint8Array, start: number, end: number, form: StringForm): boolean {
  let stop = end;
  while (stop > start) {
    const b = data[stop - 1] as number;
    if (b === 0x20 || (form.nulPadded && b === 0)) stop -= 1;
    else break;
  }
  let run = 0;
  for (let i = start; i < stop; i += 1) {
    const b = data[i] as number;
    if (b === 0x5c) {
      // the value separator
      run = 0;
    } else if (form.bytes[b] !== 1 || ++run > form.longest) {
      return false;
    }
  }
  return true;
}

function binaryTakesForm(length: number, width: number, vr: string, key: TagKey): boolean {
  if (length % width !== 0) return false;
  if (length === width || vr.startsWith('O') || length > SMALL_BINARY) return true;
  return !singleValued(key);
}

/** Whether a value takes the form of one VR (a VR this module does not judge, text, OB and UN among them, takes any). */
function takesForm(data: Uint8Array, start: number, end: number, vr: string, key: TagKey): boolean {
  const form = STRING_FORMS.get(vr);
  if (form) return stringTakesForm(data, start, end, form);
  const width = VALUE_WIDTH.get(vr);
  return width === undefined || binaryTakesForm(end - start, width, vr, key);
}

/**
 * The VR a value is read by: the one written in an Explicit VR data set (UN: the dictionary's, as a reader of the
 * attribute takes it), the dictionary's in Implicit VR; undefined when nothing says.
 */
function readingVr(e: ScannedElement, explicit: boolean): string | undefined {
  if (explicit && e.vr !== undefined && e.vr !== 'UN') return e.vr;
  return dictionaryVrs(e.tag);
}

/**
 * One flag per element, in `file.elements` order: a public element whose value is not of its VR. A VR the dictionary
 * gives as several ("US|SS", "OB|OW") is satisfied by any of them. Sequences, the top-level Pixel Data (compared
 * byte for byte instead), group lengths and elements inside a UN sequence (whose items are read without a
 * dictionary of their own) are not judged; nor are private elements, whose VRs the safe list checks.
 */
export function malformedValues(file: ScannedFile): boolean[] {
  const explicit = file.transferSyntaxUid !== TRANSFER_SYNTAX.implicitLittle;
  const data = file.dataSet;
  const underUnknown: boolean[] = [];
  return file.elements.map((e, i) => {
    const parent = e.parent < 0 ? undefined : file.elements[e.parent];
    underUnknown[i] = parent !== undefined && (parent.vr === 'UN' || underUnknown[e.parent] === true);
    if (underUnknown[i] || e.itemCount !== undefined || e.valueEnd <= e.valueStart) return false;
    if (isPrivateGroup(e.tag >>> 16) || (e.tag & 0xffff) === 0 || (e.depth === 0 && e.key === TAG.PixelData)) return false;
    const vr = readingVr(e, explicit);
    if (vr === undefined) return false;
    return !vr.split('|').some((one) => takesForm(data, e.valueStart, e.valueEnd, one, e.key));
  });
}
