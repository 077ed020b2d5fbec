/**
 * Whether a value has the form its VR allows (PS3.5 6.2): the character
 * repertoire of the coded and numeric string VRs, and for binary VRs a length
 * that is a whole number of values (one value when the dictionary says VM 1).
 *
 * Why: in an Implicit VR file nothing on the wire says what a value is, so a
 * name moved under a kept attribute's tag (a tag swap) takes that attribute's
 * VR and looks legitimate. A name is not a valid CS, DS, IS, UI or TM, and is
 * rarely a whole number of 2-byte values of a VM 1 attribute: checking the form
 * tells such a value from the attribute's own. The checks read bytes in place
 * and allocate nothing.
 */
import type { dictionaryEntry as DictionaryEntryFn } from './dcmjs';
import type { TagKey } from './tags';

const BACKSLASH = 0x5c;
const SPACE = 0x20;

/** Per string VR: the bytes a value may hold, and the most a single value may be (PS3.5 Table 6.2-1). */
const STRING_FORMS: Readonly<Record<string, { allowed: (b: number) => boolean; max: number; nulPad?: boolean }>> = {
  CS: { allowed: (b) => (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39) || b === SPACE || b === 0x5f, max: 16 },
  DS: {
    allowed: (b) => (b >= 0x30 && b <= 0x39) || b === 0x2b || b === 0x2d || b === 0x2e || b === 0x45 || b === 0x65 || b === SPACE,
    max: 16,
  },
  IS: { allowed: (b) => (b >= 0x30 && b <= 0x39) || b === 0x2b || b === 0x2d || b === SPACE, max: 12 },
  UI: { allowed: (b) => (b >= 0x30 && b <= 0x39) || b === 0x2e, max: 64, nulPad: true },
  // Digits, the fraction point, ACR-NEMA colons and range hyphens.
  TM: { allowed: (b) => (b >= 0x30 && b <= 0x39) || b === 0x2e || b === 0x3a || b === 0x2d || b === SPACE, max: 28 },
};

const BINARY_SIZES: Readonly<Record<string, number>> = {
  US: 2,
  SS: 2,
  UL: 4,
  SL: 4,
  FL: 4,
  FD: 8,
  AT: 4,
  OW: 2,
  OF: 4,
  OL: 4,
  OD: 8,
  OV: 8,
  SV: 8,
  UV: 8,
};

/** The VRs whose form this module checks (others, text and OB/UN among them, can hold anything). */
export function formChecked(vr: string | undefined): boolean {
  return vr !== undefined && (STRING_FORMS[vr] !== undefined || BINARY_SIZES[vr] !== undefined || vr === 'xs' || vr === 'US|SS');
}

let dictionary: typeof DictionaryEntryFn | undefined;
const singleValued = new Map<TagKey, boolean>();

/** Whether the dictionary gives the attribute VM 1 (dcmjs loaded on first use, as the Implicit VR reader does). */
function isSingleValued(key: TagKey): boolean {
  let single = singleValued.get(key);
  if (single === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    dictionary ??= (require('./dcmjs') as { dictionaryEntry: typeof DictionaryEntryFn }).dictionaryEntry;
    single = dictionary(key)?.vm === '1';
    singleValued.set(key, single);
  }
  return single;
}

/**
 * Whether `data[start, end)` is a well-formed value of `vr` for the attribute `key`. Empty values conform.
 * Unchecked VRs always conform.
 */
export function valueConforms(data: Uint8Array, start: number, end: number, vr: string | undefined, key: TagKey): boolean {
  if (vr === undefined || end <= start) return true;
  // dcmjs names "US or SS" xs (the Implicit VR reader's VR for such tags); "US|SS" is the VR dictionary's spelling.
  const size = vr === 'xs' || vr === 'US|SS' ? 2 : BINARY_SIZES[vr];
  if (size !== undefined) {
    const length = end - start;
    if (length % size !== 0) return false;
    // Large values (pixel-like OW data, lookup tables) are many values by nature; VM 1 matters for the small numeric attributes.
    return length === size || vr.startsWith('O') || length > 64 || !isSingleValued(key);
  }
  const form = STRING_FORMS[vr];
  if (!form) return true;
  let valueLength = 0;
  let last = end;
  // Trailing padding (space, or NUL for UI) is not part of the value.
  while (last > start && (data[last - 1] === SPACE || (form.nulPad === true && data[last - 1] === 0))) last -= 1;
  for (let i = start; i < last; i += 1) {
    const b = data[i] as number;
    if (b === BACKSLASH) {
      valueLength = 0;
      continue;
    }
    if (!form.allowed(b)) return false;
    valueLength += 1;
    if (valueLength > form.max) return false;
  }
  return true;
}
