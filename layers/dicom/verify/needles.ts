/**
 * The byte strings the verifier searches for in an output: each identifying
 * value of the original (at any depth), its name components and words, every
 * non-standard UID, every date and every person name (found by VR, whatever
 * the tag), and every value whose explicit VR the dictionary does not allow
 * for its tag (a value moved under another attribute's tag), in the original's
 * encoding and in UTF-8. The search covers the output's header bytes (everything but the
 * top-level Pixel Data value, which is compared byte for byte instead), ignores
 * ASCII case, and matches on word boundaries so "LEE" is not found in "SLEEP".
 */
import { allocBytes, bytesEqual, byteLengthOf, encodeText } from '../../common/bytes';
import type { ScannedElement, ScannedFile } from '../part10';
import type { DeidProfile } from '../profiles';
import { TAG } from '../tags';
import { readText, textEncoding } from '../values';
import { PHI_ATTRIBUTES, type PhiKind } from './phi-attributes';
import { misplacedElements } from './vr-check';

export interface Needle {
  keyword: string;
  kind: PhiKind;
  /** Lowercased (ASCII) forms: UTF-8, and Latin-1 when it differs. */
  forms: Uint8Array[];
}

// Lengths in UTF-8 bytes: the same as characters for ASCII, and it keeps one- or
// two-ideograph name components ("王", "小東") searchable.
const MIN_VALUE = 4;
const MIN_COMPONENT = 3;
const utf8Length = (text: string): number => byteLengthOf(text, 'utf8');
// Values with no letter or digit ("^^^^", "    ") identify nobody and would match padding.
const IDENTIFYING = /[\p{L}\p{N}]/u;
const STANDARD_UID = '1.2.840.10008.';

/** A lowercased copy (ASCII letters only); Buffer or Uint8Array as layers/common/bytes.ts allocates, so it runs in a browser too. */
export function lowerAscii(bytes: Uint8Array): Uint8Array {
  const out = allocBytes(bytes.byteLength);
  out.set(bytes);
  for (let i = 0; i < out.length; i += 1) {
    const b = out[i] as number;
    if (b >= 0x41 && b <= 0x5a) out[i] = b + 0x20;
  }
  return out;
}

function forms(text: string, encoding: 'utf8' | 'latin1'): Uint8Array[] {
  const out = [lowerAscii(encodeText(text, 'utf8'))];
  if (encoding === 'latin1') {
    const latin = lowerAscii(encodeText(text, 'latin1'));
    if (!bytesEqual(latin, out[0] as Uint8Array)) out.push(latin);
  }
  return out;
}

function candidates(value: string, kind: PhiKind): string[] {
  const whole = value.trim();
  const out = utf8Length(whole) >= MIN_VALUE ? [whole] : [];
  if (kind === 'name') {
    for (const component of whole.split(/[=^]/)) {
      const c = component.trim();
      if (utf8Length(c) >= MIN_COMPONENT) out.push(c);
      for (const word of c.split(/\s+/)) if (word !== c && utf8Length(word) >= MIN_COMPONENT) out.push(word);
    }
  } else if (kind === 'text') {
    for (const word of whole.split(/[^\p{L}\p{N}]+/u)) if (word !== whole && utf8Length(word) >= MIN_VALUE) out.push(word);
  } else if (kind === 'date') {
    // A DT's date part is the identifying bit; its time and zone alone are not.
    return /^\d{8}/.test(whole) ? [whole.slice(0, 8)] : [];
  }
  return out;
}

/** String VRs whose value, under another attribute's tag, is searched for whole (UI, DA, DT and PN have their own kinds). */
const MISPLACED_TEXT_VRS: ReadonlySet<string> = new Set(['AE', 'AS', 'CS', 'DS', 'IS', 'LO', 'LT', 'SH', 'ST', 'TM', 'UC', 'UR', 'UT']);

/**
 * What a value is by its VR alone, wherever it is: UIDs, dates and person
 * names, and a value under another attribute's tag, which may be anything (an
 * ID, a name typed as LO) and is searched for whole.
 */
function kindByVr(element: ScannedElement, misplaced: boolean, keepDates: boolean): [PhiKind, string] | undefined {
  if (element.vr === 'UI') return ['uid', 'UID'];
  if (element.vr === 'DA' || element.vr === 'DT') return keepDates ? undefined : ['date', 'Date'];
  if (element.vr === 'PN') return ['name', 'PersonName'];
  if (misplaced && element.vr !== undefined && MISPLACED_TEXT_VRS.has(element.vr)) return ['id', 'MisplacedValue'];
  return undefined;
}

export function phiNeedles(original: ScannedFile, profile: DeidProfile): Needle[] {
  const encoding = textEncoding(original);
  const byKey = new Map(PHI_ATTRIBUTES.filter((a) => !(a.retainedBy && profile.options[a.retainedBy])).map((a) => [a.key, a]));
  const keepDates = profile.options.retainLongitudinalFullDates;
  const misplaced = misplacedElements(original);
  const needles: Needle[] = [];
  const seen = new Set<string>();
  const add = (keyword: string, kind: PhiKind, text: string): void => {
    const id = `${kind}\0${text.toLowerCase()}`;
    if (!IDENTIFYING.test(text) || seen.has(id)) return;
    seen.add(id);
    needles.push({ keyword, kind, forms: forms(text, encoding) });
  };
  original.elements.forEach((element, index) => {
    if (element.key === TAG.PixelData) return;
    const attribute = byKey.get(element.key);
    const byVr = kindByVr(element, misplaced[index] === true, keepDates);
    if (!attribute && !byVr) return;
    // Keyed by tag and by VR: a name moved under another tag is still searched for as a name. The tag's reading
    // comes first, so a failure names the attribute when there is one.
    const readings: Array<[PhiKind, string]> = [];
    if (attribute && !(attribute.kind === 'date' && keepDates)) readings.push([attribute.kind, attribute.keyword]);
    if (byVr && byVr[0] !== attribute?.kind) readings.push(byVr);
    const values = readText(original, element, encoding).split('\\');
    for (const [kind, keyword] of readings) {
      for (const value of values) {
        if (kind === 'uid') {
          const uid = value.replace(/\0/g, '').trim();
          if (uid.length >= MIN_VALUE && !uid.startsWith(STANDARD_UID)) add(keyword, 'uid', uid);
          continue;
        }
        for (const text of candidates(value, kind)) add(keyword, kind, text);
      }
    }
  });
  return needles;
}

export interface Region {
  start: number;
  end: number;
}

/** Where needles are looked for, and the spans where a found one is excused. */
export interface Haystack {
  /** Header bytes, ASCII-lowercased. */
  bytes: Uint8Array;
  /** Spans (in `bytes`) that excuse any needle: vendor descriptors passed through unchanged. */
  exempt: readonly Region[];
  /** Spans that excuse a date needle: DA/DT values that did change (a shifted date may equal another original date). */
  changedDates: readonly Region[];
}

/** Path of each element: "key" at top level, "<parent path>/<item>/<key>" below. */
export function elementPaths(file: ScannedFile): string[] {
  const paths: string[] = [];
  file.elements.forEach((e: ScannedElement, i) => {
    paths[i] = e.parent < 0 ? e.key : `${paths[e.parent] ?? '?'}/${e.item}/${e.key}`;
  });
  return paths;
}
