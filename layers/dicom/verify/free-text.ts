/**
 * Identifiers in other forms left in kept text (issue 18). The byte search
 * (needles.ts) finds the original's values as they were written; this check
 * reads the text the output keeps where a person types (attributes the profile
 * cleans, and safe private text), decoded in its character set, and fails on:
 *
 * - anything the identifier patterns find (../text/identifier-patterns.ts, the
 *   generic recogniser the text cleaner uses too): phone numbers, e-mail and
 *   street addresses, times, ID-like numbers, dates that name no single day,
 *   and any written date that is one of the original's own dates (a shifted
 *   date is what the cleaner writes; an unshifted one leaked);
 * - a person name of the original (any PN value, every component group and
 *   word) in any letter case, Unicode case folding included ("MÜLLER" for
 *   "Müller", which an ASCII-lowercased byte search misses), and inside runs
 *   of letters for names in unspaced scripts ("山田" in "山田太郎様").
 *
 * Reports the kind found (`no-identifier-in-text`, keyword "phone", "name", ...), never the text.
 */
import type { ScannedElement, ScannedFile } from '../part10';
import { elementOf, groupOf, isPrivateGroup, TAG } from '../tags';
import { readText, textEncoding, topLevel } from '../values';
import { findIdentifierPatterns } from '../text/identifier-patterns';
import { decodeIso2022Jp, namesIso2022Jp } from '../text/iso2022-jp';
import type { AllowList } from './allow-list';

const FREE_TEXT_VRS: ReadonlySet<string> = new Set(['LO', 'LT', 'SH', 'ST', 'UC', 'UT']);
const WORD = /[\p{L}\p{N}]/u;
const UNSPACED = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+$/u;

type Decode = (element: ScannedElement) => string;

function decoderFor(file: ScannedFile): Decode {
  const charset = topLevel(file).get(TAG.SpecificCharacterSet);
  if (charset && namesIso2022Jp(readText(file, charset))) {
    return (e) => decodeIso2022Jp(file.dataSet, e.valueStart, e.valueEnd).replace(/[ \0]+$/, '');
  }
  const encoding = textEncoding(file);
  return (e) => readText(file, e, encoding);
}

/** Every original date (DA, DT: the date part) as "YYYYMMDD". */
function originalDates(file: ScannedFile, decode: Decode): Set<string> {
  const dates = new Set<string>();
  for (const e of file.elements) {
    if (e.vr !== 'DA' && e.vr !== 'DT') continue;
    for (const value of decode(e).split(/[\\-]/)) if (/^\d{8}/.test(value.trim())) dates.add(value.trim().slice(0, 8));
  }
  return dates;
}

/** Name parts of every PN value of the original, lowercased: whole components and their words. */
function originalNames(file: ScannedFile, decode: Decode): string[] {
  const names = new Set<string>();
  for (const e of file.elements) {
    if (e.vr !== 'PN') continue;
    for (const value of decode(e).split('\\')) {
      for (const component of value.split(/[=^]/)) {
        const c = component.trim().toLowerCase();
        const parts = [c, ...c.split(/\s+/)];
        for (const part of parts) if (part.length >= (UNSPACED.test(part) ? 2 : 3) && WORD.test(part)) names.add(part);
      }
    }
  }
  return [...names];
}

function holdsName(text: string, name: string): boolean {
  const unspaced = UNSPACED.test(name);
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    if (unspaced) return true;
    const before = at > 0 ? text.slice(Math.max(0, at - 2), at) : '';
    const after = text.slice(at + name.length, at + name.length + 2);
    if (!WORD.test([...before].pop() ?? '') && !WORD.test([...after][0] ?? '')) return true;
  }
  return false;
}

/** Kept text a person could have typed: cleaned public attributes, and safe private text. */
function typedText(output: ScannedFile, allow: AllowList): ScannedElement[] {
  return output.elements.filter((e) => {
    if (e.vr === undefined || !FREE_TEXT_VRS.has(e.vr) || e.itemCount !== undefined) return false;
    const group = groupOf(e.key);
    if (isPrivateGroup(group)) return elementOf(e.key) > 0xff;
    return allow.cleaned.has(e.key);
  });
}

/** The kinds of identifier found in the output's kept text (empty: none). */
export function identifiersInText(original: ScannedFile, output: ScannedFile, allow: AllowList): string[] {
  const texts = typedText(output, allow);
  if (texts.length === 0) return [];
  const decodeOriginal = decoderFor(original);
  const decodeOutput = decoderFor(output);
  const dates = originalDates(original, decodeOriginal);
  const names = originalNames(original, decodeOriginal);
  const found = new Set<string>();
  for (const e of texts) {
    const text = decodeOutput(e);
    if (text === '') continue;
    for (const f of findIdentifierPatterns(text)) {
      if (f.kind !== 'date') found.add(f.kind);
      // A day the cleaner could have written (shifted) passes unless it is an original date; any other date form, a numeric one
      // that reads both ways included, is one it removes.
      else if (f.date ?? f.candidates?.length === 1) {
        const days = f.date ? [f.date] : (f.candidates ?? []);
        if (days.some((d) => dates.has(`${d.year}${String(d.month).padStart(2, '0')}${String(d.day).padStart(2, '0')}`))) found.add('date');
      } else found.add('date');
    }
    const lower = text.toLowerCase();
    if (names.some((name) => holdsName(lower, name))) found.add('name');
  }
  return [...found];
}
