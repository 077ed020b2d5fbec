/**
 * The file's own dates and UIDs, found inside a kept text value: a UID moved
 * under a kept text attribute (a tag swap, or a UID relabelled SH) carries the
 * original UID, and often the study date and time inside it
 * ("1.3.6.1.4.1.5962.1.4.4.1.20040826185059.5457"). Clean Descriptors finds a
 * date only on word boundaries, and kept (K) text is not cleaned at all, so
 * such a value would publish the date and the UID as they were.
 *
 * Dates and UIDs are ASCII digits and dots, so the search walks a value's bytes
 * in place: any other byte restarts it, and a value without a run of digits and
 * dots as long as the shortest needle is never walked. One automaton per file,
 * built only when a value gets that far.
 */
import { MultiPattern } from '../text/multi-pattern';

/** A UID shorter than this is not looked for (a version number such as "3.5.1" may hold it by chance); a date is 8 digits. */
export const MIN_EMBEDDED_UID_LENGTH = 8;
const DATE_LENGTH = 8;
/** Well-known DICOM UIDs (SOP classes, transfer syntaxes, coding schemes) identify nobody. */
const STANDARD_ROOT = '1.2.840.10008.';

function isDigitOrDot(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || b === 0x2e;
}

function isDate(value: string): boolean {
  if (value.length !== DATE_LENGTH) return false;
  for (let i = 0; i < DATE_LENGTH; i += 1) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

export class EmbeddedIdentifiers {
  private readonly needles = new Set<string>();
  private shortest = Infinity;
  private automaton: MultiPattern | undefined;

  /** A DA or DT value (each of its values: their first 8 characters, the date). */
  addDates(text: string): void {
    for (const value of text.split('\\')) {
      // A DA range "20040101-20040826" holds two dates.
      for (const part of value.trim().split('-')) {
        const date = part.slice(0, DATE_LENGTH);
        if (isDate(date)) this.add(date);
      }
    }
  }

  /** A UI value (each of its values), unless it is a standard DICOM UID or too short to tell. */
  addUids(text: string): void {
    for (const value of text.split('\\')) {
      const uid = value.replace(/\0/g, '').trim();
      if (uid.length >= MIN_EMBEDDED_UID_LENGTH && !uid.startsWith(STANDARD_ROOT)) this.add(uid);
    }
  }

  private add(needle: string): void {
    if (this.needles.has(needle)) return;
    this.needles.add(needle);
    this.shortest = Math.min(this.shortest, needle.length);
    this.automaton = undefined;
  }

  get size(): number {
    return this.needles.size;
  }

  /** Whether `data[start, end)` holds one of the dates or UIDs anywhere, inside longer digit runs included. */
  foundIn(data: Uint8Array, start: number, end: number): boolean {
    if (this.needles.size === 0 || !this.hasLongRun(data, start, end)) return false;
    this.automaton ??= new MultiPattern([...this.needles].map((n) => Array.from(n, (c) => c.charCodeAt(0))));
    const automaton = this.automaton;
    let state = MultiPattern.START;
    for (let i = start; i < end; i += 1) {
      const b = data[i] as number;
      if (!isDigitOrDot(b)) {
        state = MultiPattern.START;
        continue;
      }
      state = automaton.next(state, b);
      if (automaton.endsAny(state)) return true;
    }
    return false;
  }

  /** Same, for text already decoded (a cleaned value): digits and dots are the same code points in every encoding. */
  foundInText(text: string): boolean {
    if (this.needles.size === 0 || text.length < this.shortest) return false;
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i += 1) {
      const c = text.charCodeAt(i);
      bytes[i] = c < 0x80 ? c : 0;
    }
    return this.foundIn(bytes, 0, bytes.length);
  }

  private hasLongRun(data: Uint8Array, start: number, end: number): boolean {
    let run = 0;
    for (let i = start; i < end; i += 1) {
      if (isDigitOrDot(data[i] as number)) {
        run += 1;
        if (run >= this.shortest) return true;
      } else run = 0;
    }
    return false;
  }
}
