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
