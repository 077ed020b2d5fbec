/**
 * The byte strings the verifier searches for in an output: each PHI value of
 * the original (at any depth), in the original's encoding and in UTF-8, and for
 * person names each component too (a name can reappear reordered or in part).
 */
import type { ScannedFile } from '../part10';
import type { TagKey } from '../tags';
import { readText, textEncoding } from '../values';
import { PHI_ATTRIBUTES } from './phi-attributes';

export interface Needle {
  keyword: string;
  bytes: Uint8Array[];
}

// Lengths in UTF-8 bytes: the same as characters for ASCII, and it keeps one- or
// two-ideograph name components ("王", "小東") searchable.
const MIN_VALUE_LENGTH = 4;
const MIN_NAME_COMPONENT_LENGTH = 3;
const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');
// Values with no letter or digit ("^^^^", "    ") identify nobody and would match padding.
const IDENTIFYING = /[\p{L}\p{N}]/u;

function encodings(text: string, encoding: 'utf8' | 'latin1'): Uint8Array[] {
  const forms = [Buffer.from(text, 'utf8')];
  if (encoding === 'latin1') {
    const latin = Buffer.from(text, 'latin1');
    if (!latin.equals(forms[0] as Buffer)) forms.push(latin);
  }
  return forms;
}

export function phiNeedles(original: ScannedFile): Needle[] {
  const encoding = textEncoding(original);
  const byKey = new Map(PHI_ATTRIBUTES.map((a) => [a.key, a]));
  const needles: Needle[] = [];
  const seen = new Set<string>();
  for (const element of original.elements) {
    const attribute = byKey.get(element.key);
    if (!attribute) continue;
    for (const value of readText(original, element, encoding).split('\\')) {
      const whole = value.trim();
      const candidates = utf8Length(whole) >= MIN_VALUE_LENGTH ? [whole] : [];
      if (attribute.personName) {
        candidates.push(...whole.split(/[=^]/).map((c) => c.trim()).filter((c) => utf8Length(c) >= MIN_NAME_COMPONENT_LENGTH));
      }
      for (const text of candidates) {
        const id = `${attribute.keyword}\0${text}`;
        if (!IDENTIFYING.test(text) || seen.has(id)) continue;
        seen.add(id);
        needles.push({ keyword: attribute.keyword, bytes: encodings(text, encoding) });
      }
    }
  }
  return needles;
}

/**
 * Manufacturer is kept by the Basic Profile and names a vendor, not a person or
 * a site; a site named like its scanner's vendor (InstitutionName "TOSHIBA" with
 * Manufacturer "TOSHIBA_MEC" in the MR test set) must not fail every file.
 */
const EXEMPT_KEYS: ReadonlySet<TagKey> = new Set(['00080070']);

interface Range {
  start: number;
  end: number;
}

function occurs(haystack: Uint8Array, needle: Uint8Array, exempt: readonly Range[]): boolean {
  const buf = Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength);
  for (let at = buf.indexOf(needle); at !== -1; at = buf.indexOf(needle, at + 1)) {
    const end = at + needle.byteLength;
    if (!exempt.some((r) => at >= r.start && end <= r.end)) return true;
  }
  return false;
}

/** True when any form of the needle appears in the output's bytes (File Meta and data set) outside an exempt value. */
export function leaks(output: ScannedFile, needle: Needle): boolean {
  const exempt = output.elements.filter((e) => EXEMPT_KEYS.has(e.key)).map((e) => ({ start: e.valueStart, end: e.valueEnd }));
  const inflated = output.dataSet !== output.bytes;
  return needle.bytes.some((form) =>
    inflated ? occurs(output.bytes, form, []) || occurs(output.dataSet, form, exempt) : occurs(output.bytes, form, exempt),
  );
}
