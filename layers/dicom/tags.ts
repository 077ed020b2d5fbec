/** Tag helpers shared by the scanner, the de-identifier, the verifier and QA. */

/** dcmjs keys a data set by 8 uppercase hex digits, e.g. "00100010". */
export type TagKey = string;

export const TAG = {
  TransferSyntaxUID: '00020010',
  MediaStorageSOPClassUID: '00020002',
  MediaStorageSOPInstanceUID: '00020003',
  SpecificCharacterSet: '00080005',
  SOPClassUID: '00080016',
  SOPInstanceUID: '00080018',
  StudyDate: '00080020',
  Modality: '00080060',
  PatientName: '00100010',
  PatientID: '00100020',
  BodyPartExamined: '00180015',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SeriesNumber: '00200011',
  InstanceNumber: '00200013',
  Rows: '00280010',
  Columns: '00280011',
  BurnedInAnnotation: '00280301',
  PatientIdentityRemoved: '00120062',
  DeidentificationMethod: '00120063',
  DeidentificationMethodCodeSequence: '00120064',
  PixelData: '7FE00010',
  DataSetTrailingPadding: 'FFFCFFFC',
} as const;

const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');

/**
 * Keys by tag number: a file repeats the same few hundred tags, and formatting
 * two hex halves per element was a seventh of the de-identifier's time. Bounded,
 * because a hostile file can carry any number of distinct (private) tags.
 */
const KEYS = new Map<number, TagKey>();
const KEYS_LIMIT = 16384;

export function tagKey(group: number, element: number): TagKey {
  const tag = group * 0x10000 + element;
  let key = KEYS.get(tag);
  if (key === undefined) {
    key = hex4(group) + hex4(element);
    if (KEYS.size >= KEYS_LIMIT) KEYS.clear();
    KEYS.set(tag, key);
  }
  return key;
}

export function groupOf(key: TagKey): number {
  return parseInt(key.slice(0, 4), 16);
}

export function elementOf(key: TagKey): number {
  return parseInt(key.slice(4, 8), 16);
}

/** "(7FE0,0010)", the form used in messages and in the Annex E table. */
export function formatTag(key: TagKey): string {
  return `(${key.slice(0, 4).toUpperCase()},${key.slice(4, 8).toUpperCase()})`;
}

/** Odd groups are private (PS3.5 7.8); groups 0001, 0003, 0005, 0007 and FFFF are illegal but odd too. */
export function isPrivateGroup(group: number): boolean {
  return (group & 1) === 1;
}

interface VrDictionaryFile {
  /** VR set ("PN", "US|SS") -> its tags as space-separated 8-digit hex. */
  byVrs: Record<string, string>;
  repeating: Array<{ mask: string; value: string; vrs: string }>;
}

/**
 * An open-addressing table of tag numbers in typed arrays: built in about 2 ms
 * where a Map of 5,000 entries took twice that, and every worker and Lambda
 * builds it once; a lookup allocates nothing.
 */
interface VrDictionary {
  tags: Uint32Array;
  /** 1 + index into `sets`; 0 marks an empty slot. */
  slots: Uint8Array;
  sets: string[];
  /** Repeating groups (50xx, 60xx, 7Fxx) and elements (0020,31xx): the tag under each mask, then the VRs. */
  masked: Array<[mask: number, byValue: Map<number, string>]>;
}

const VR_SLOTS = 1 << 14;
const slotOf = (tag: number): number => Math.imul(tag, 0x9e3779b1) >>> 18;

function hex8(text: string, at: number): number {
  let value = 0;
  for (let i = at; i < at + 8; i += 1) {
    const c = text.charCodeAt(i);
    value = value * 16 + (c <= 0x39 ? c - 0x30 : c - 0x37);
  }
  return value;
}

let vrDictionary: VrDictionary | undefined;

/** Built once, on first use: most importers of this module never ask. */
function loadVrDictionary(): VrDictionary {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const file = require('./reference/ps3.6-vr-dictionary.json') as VrDictionaryFile;
  const sets = Object.keys(file.byVrs);
  const tags = new Uint32Array(VR_SLOTS);
  const slots = new Uint8Array(VR_SLOTS);
  sets.forEach((set, index) => {
    const text = file.byVrs[set] ?? '';
    for (let at = 0; at + 8 <= text.length; at += 9) {
      const tag = hex8(text, at);
      let slot = slotOf(tag);
      while (slots[slot] !== 0) slot = (slot + 1) & (VR_SLOTS - 1);
      tags[slot] = tag;
      slots[slot] = index + 1;
    }
  });
  const masks = new Map<number, Map<number, string>>();
  for (const row of file.repeating) {
    const mask = parseInt(row.mask, 16);
    let byValue = masks.get(mask);
    if (!byValue) masks.set(mask, (byValue = new Map()));
    byValue.set(parseInt(row.value, 16), row.vrs);
  }
  return { tags, slots, sets, masked: [...masks] };
}

/**
 * The VRs the data dictionary (PS3.6, `reference/ps3.6-vr-dictionary.json`)
 * allows for a public tag, by tag number: one VR ("PN") or several joined by
 * "|" ("US|SS", "OB|OW"); undefined for a tag the dictionary does not know.
 * Private tags are not in it.
 */
export function dictionaryVrs(tag: number): string | undefined {
  if (isPrivateGroup(tag >>> 16)) return undefined;
  const dictionary = (vrDictionary ??= loadVrDictionary());
  for (let slot = slotOf(tag); ; slot = (slot + 1) & (VR_SLOTS - 1)) {
    const entry = dictionary.slots[slot] as number;
    if (entry === 0) break;
    if (dictionary.tags[slot] === tag) return dictionary.sets[entry - 1];
  }
  for (let i = 0; i < dictionary.masked.length; i += 1) {
    const [mask, byValue] = dictionary.masked[i] as [number, Map<number, string>];
    const found = byValue.get((tag & mask) >>> 0);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Whether an explicit VR is one the dictionary allows (`allowed` as returned by
 * dictionaryVrs). UN is always allowed: a sender that does not know an
 * attribute writes UN (PS3.5 6.2.2), and the value is then read by the
 * dictionary's VR.
 */
export function vrAllowed(allowed: string, vr: string): boolean {
  // A VR is two capital letters, so it can only match a whole entry of "US|SS".
  return vr === allowed || vr === 'UN' || allowed.includes(vr);
}
