/**
 * A few top-level string attributes exactly as dcmjs's header read (readDicomHeader) gives them, read by the walker
 * instead, for a file whose header the walker can show dcmjs reads element for element as it does. dcmjs's read of a
 * CT slice's header costs ~0.2 ms of CPU (its tag objects, proxies and value formatting for every element), the walk
 * ~0.03 ms: the burned-in text check asks three values of every image to learn that a CT slice is not at risk.
 *
 * The two readers agree on where every element lies when each element's length is read the same way by both; where
 * they could differ the answer is undefined and the caller reads with dcmjs as before:
 * - a deflated data set, or a File Meta whose group length (dcmjs trusts it) is not where the walker ends the group,
 *   or a Transfer Syntax UID that dcmjs would clean into another one (it drops every character but digits and dots);
 * - an explicit VR code dcmjs does not know (it reads UN, with a 4-byte length, where the walker reads a 2-byte one
 *   for a code outside PS3.5's long list; OL, OV, SV and UV are left out with them though both read them alike), an
 *   implicit VR dcmjs takes from another dictionary entry than the walker, an undefined length
 *   outside a sequence (dcmjs reads encapsulated values and UN its own way), a binary value whose length is not a
 *   multiple of its size (dcmjs reads whole values past the end), a Pixel Data inside a sequence (dcmjs's `untilTag`);
 * - an asked attribute twice at the top level (dcmjs keeps the last), or with another VR than the one asked for.
 * The values are then dcmjs's own formatting of the same bytes: CS split at backslashes and trimmed, UI split and
 * stripped of everything but digits and dots (dcmjs decodes both byte by byte, whatever the character set).
 */
import { dcmjsLookup } from './dcmjs';
import { scanPart10, TRANSFER_SYNTAX, type ScannedElement, type ScannedFile } from './part10';
import { TAG, type TagKey } from './tags';
import { decodeText } from '../common/bytes';

/** The string VRs whose formatting is reproduced here. */
export type AlikeVr = 'CS' | 'UI';

/** VRs both readers take with the same length field, and the size of one value of the binary ones. */
const AGREED_VRS: ReadonlyMap<string, number> = new Map([
  ...['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT'].map((vr) => [vr, 0] as const),
  ...['OB', 'OD', 'OF', 'OW', 'SQ'].map((vr) => [vr, 0] as const),
  ['AT', 4],
  ['FL', 4],
  ['FD', 8],
  ['SL', 4],
  ['SS', 2],
  ['UL', 4],
  ['US', 2],
]);

const PIXEL_DATA_TAG = 0x7fe00010;
const GROUP_LENGTH = '00020000';

function agreedLength(vr: string, element: ScannedElement): boolean {
  const size = AGREED_VRS.get(vr);
  if (size === undefined) return false;
  if (element.undefinedLength) return vr === 'SQ';
  return size === 0 || (element.valueEnd - element.valueStart) % size === 0;
}

/** Whether dcmjs reads this element's header and length as the walker did (explicit or implicit VR data set). */
function readAlike(element: ScannedElement, explicit: boolean): boolean {
  if (element.tag === PIXEL_DATA_TAG) return false; // only reached nested: the top-level one ends the header
  const vr = element.vr;
  if (explicit) {
    // An explicit UN is read with its 4-byte length by both (dcmjs then parses the value apart, as the dictionary says).
    if (vr === 'UN') return !element.undefinedLength;
    return vr !== undefined && agreedLength(vr, element);
  }
  const entry = dcmjsLookup(element.key);
  // No entry in either: dcmjs reads SQ for an undefined length (the walker walks it as a sequence), else LO or UN bytes.
  if (!entry) return vr === undefined;
  return typeof entry.vr === 'string' && entry.vr === vr && agreedLength(vr, element);
}

function latin1(file: ScannedFile, bytes: Uint8Array, element: ScannedElement): string {
  return decodeText(bytes, 'latin1', element.valueStart, element.valueEnd);
}

/** A value as dcmjs formats it (CodeString, UniqueIdentifier: their readBytes and applyFormatting, then _readTag's split). */
function formatted(text: string, vr: AlikeVr): string[] {
  const values = text.split('\\');
  return vr === 'CS' ? values.map((v) => v.trim()) : values.map((v) => v.replace(/[^0-9.]/g, ''));
}

function metaReadAlike(file: ScannedFile): boolean {
  const [groupLength] = file.meta;
  if (!groupLength || groupLength.key !== GROUP_LENGTH || groupLength.vr !== 'UL' || groupLength.valueEnd - groupLength.valueStart !== 4) {
    return false;
  }
  const b = file.bytes;
  const at = groupLength.valueStart;
  const declared = ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16)) + (b[at + 3] as number) * 0x1000000;
  let metaEnd = groupLength.valueEnd;
  let transferSyntaxes = 0;
  for (const element of file.meta) {
    if (!readAlike(element, true)) return false;
    if (element.depth === 0) metaEnd = Math.max(metaEnd, element.valueEnd);
    if (element.depth === 0 && element.key === TAG.TransferSyntaxUID) {
      transferSyntaxes += 1;
      if (formatted(latin1(file, b, element), 'UI')[0] !== file.transferSyntaxUid) return false;
    }
  }
  return transferSyntaxes === 1 && declared === metaEnd - groupLength.valueEnd;
}

/**
 * The `Value` strings dcmjs's header read gives each asked top-level attribute (`[]` when the file has none), or
 * undefined when the walker cannot read the file or cannot show that dcmjs reads its header as it does.
 */
export function headerStringsAsDcmjs(
  bytes: Uint8Array,
  asked: Readonly<Record<TagKey, AlikeVr>>,
): ReadonlyMap<TagKey, readonly string[]> | undefined {
  let file: ScannedFile;
  try {
    file = scanPart10(bytes);
  } catch {
    return undefined;
  }
  if (file.transferSyntaxUid === TRANSFER_SYNTAX.deflatedExplicitLittle || !metaReadAlike(file)) return undefined;
  const explicit = file.transferSyntaxUid !== TRANSFER_SYNTAX.implicitLittle;
  const found = new Map<TagKey, ScannedElement>();
  // Elements inside a defined-length UN, which dcmjs reads as one value (the walker may walk it as a sequence).
  let opaqueUntil = -1;
  for (const element of file.elements) {
    if (element.headerStart < opaqueUntil) continue;
    if (element.depth === 0 && element.tag === PIXEL_DATA_TAG) break;
    if (!readAlike(element, explicit)) return undefined;
    if (explicit && element.vr === 'UN') opaqueUntil = element.valueEnd;
    if (element.depth === 0 && Object.hasOwn(asked, element.key)) {
      if (found.has(element.key)) return undefined;
      found.set(element.key, element);
    }
  }
  const values = new Map<TagKey, readonly string[]>();
  for (const [key, vr] of Object.entries(asked)) {
    const element = found.get(key);
    if (element && element.vr !== vr) return undefined;
    values.set(key, element ? formatted(latin1(file, file.dataSet, element), vr) : []);
  }
  return values;
}
