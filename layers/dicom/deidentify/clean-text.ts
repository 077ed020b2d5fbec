/**
 * Clean Descriptors, for real: a kept description or comment loses every
 * occurrence of the identifiers found in the same data set (patient name
 * components, IDs, accession, institution, physician and operator names, the
 * dates), matched case-insensitively on word boundaries. The rest of the text
 * stays, so "CHEST PA for DOE JANE" becomes "CHEST PA for".
 *
 * The identifiers are found in one pass over the folded text by an automaton
 * (../text/multi-pattern.ts), never by a regular expression built from them:
 * an alternation of thousands of values took time in proportion to terms
 * times text (tens of seconds on one crafted file) and failed to compile for
 * a megabyte value. What it matches is what the expression
 * `(?<![\p{L}\p{N}])(?:term|...)(?![\p{L}\p{N}])` with flags `giu` and the
 * terms longest first matched (the unit test keeps it as the reference), plus
 * "İ" (see ../text/case-fold.ts).
 */
import { DeidentificationTimeout } from '../errors';
import type { TagKey } from '../tags';
import { AT_CODE_POINT, foldTerm, foldText, WORD_BEFORE, WORD_HERE } from '../text/case-fold';
import { MultiPattern } from '../text/multi-pattern';
import { cleanIdentifierPatterns, closeGaps } from '../text/identifier-patterns';

/** Attributes whose values are identifiers to scrub from free text: `name` ones by component and word, `text` ones by word too, `id` and dates whole. */
export const IDENTIFIER_SOURCES: ReadonlyMap<TagKey, 'name' | 'id' | 'text'> = new Map([
  ['00100010', 'name'], // PatientName
  ['00101001', 'name'], // OtherPatientNames
  ['00101005', 'name'], // PatientBirthName
  ['00101060', 'name'], // PatientMotherBirthName
  ['00080090', 'name'], // ReferringPhysicianName
  ['00081048', 'name'], // PhysiciansOfRecord
  ['00081050', 'name'], // PerformingPhysicianName
  ['00081060', 'name'], // NameOfPhysiciansReadingStudy
  ['00081070', 'name'], // OperatorsName
  ['00321032', 'name'], // RequestingPhysician
  ['0040A123', 'name'], // PersonName
  ['00100020', 'id'], // PatientID
  ['00100021', 'id'], // IssuerOfPatientID
  ['00101000', 'id'], // OtherPatientIDs
  ['00101040', 'text'], // PatientAddress
  ['00101090', 'id'], // MedicalRecordLocator
  ['00102154', 'id'], // PatientTelephoneNumbers
  ['00080050', 'id'], // AccessionNumber
  ['00200010', 'id'], // StudyID
  ['00080080', 'text'], // InstitutionName
  ['00080081', 'text'], // InstitutionAddress
  ['00081040', 'text'], // InstitutionalDepartmentName
  ['00081010', 'text'], // StationName
  ['00181000', 'id'], // DeviceSerialNumber
]);

const MIN_COMPONENT = 2;
const MIN_TOKEN = 3;
const IDENTIFYING = /[\p{L}\p{N}]/u;

const SCRUBBED_LIMIT = 1024;
/** Texts longer than this are scrubbed each time rather than remembered (bounds the memory of the series cache). */
const SCRUBBED_TEXT_LIMIT = 1024;

/**
 * Limits on what one data set may ask the cleaner to look for and at. Real
 * data sets stay far below them (tens of terms, LO/PN values of 64 characters,
 * ST of 1,024, LT of 10,240). Beyond a term limit the identifiers are no longer
 * all known, so every text the scrubber is given is emptied; a text beyond the
 * length limit is emptied. Never kept unscrubbed.
 */
export const CLEAN_TEXT_LIMITS = {
  /** Distinct terms (values, components and words, lowercased). */
  maxTerms: 4096,
  /** UTF-16 units of one term. */
  maxTermLength: 1024,
  /** UTF-16 units of all terms together (bounds the automaton, and the matches ending at one place). */
  maxTermsLength: 65_536,
  /** UTF-16 units of one text scanned. */
  maxTextLength: 65_536,
} as const;

/** How often (in symbols) the scan looks at the clock. */
const DEADLINE_STRIDE = 4096;

export interface ScrubResult {
  text: string;
  /** Occurrences of identifiers taken out. */
  removed: number;
  /** Dates in the text moved back by the patient's shift (in their written form). */
  shifted?: number;
  /** The whole text was dropped: beyond a limit (CLEAN_TEXT_LIMITS), so not scanned. */
  emptied?: true;
}

const EMPTIED: ScrubResult = { text: '', removed: 0, emptied: true };

export class IdentifierScrubber {
  private readonly terms = new Set<string>();
  private termsLength = 0;
  /** A term limit was passed: the terms are dropped and every text is emptied. */
  private overflowed = false;
  private automaton: MultiPattern | undefined | null = null;
  private readonly scrubbed = new Map<string, ScrubResult>();
  /** Per term (in `terms` order): written in a script without spaces between words (CJK), so matched without word boundaries. */
  private unbounded: Uint8Array = new Uint8Array(0);

  /**
   * `shiftDays`: the patient's date shift; a date written in the text that names one day is moved back by it
   * (in its own written form). Undefined: such dates are removed.
   */
  constructor(private readonly shiftDays?: number) {}

  /** Adds one identifying value (as text) and its components or tokens. */
  add(value: string, kind: 'name' | 'id' | 'text' | 'date'): void {
    for (const one of value.split('\\')) {
      if (this.overflowed) break;
      const whole = one.trim();
      if (whole.length >= MIN_COMPONENT && IDENTIFYING.test(whole)) this.term(whole);
      if (kind === 'name') for (const group of whole.split('=')) for (const form of nameForms(group)) this.term(form);
      if (kind === 'date' || kind === 'id') continue;
      const parts = kind === 'name' ? whole.split(/[\^=]/) : whole.split(/[^\p{L}\p{N}]+/u);
      const min = kind === 'name' ? MIN_COMPONENT : MIN_TOKEN;
      for (const part of parts) {
        const p = part.trim();
        if (p.length >= min && IDENTIFYING.test(p)) this.term(p);
        // A name component holds words ("VAN DER BERG"): each word counts too.
        if (kind === 'name') for (const word of p.split(/\s+/)) if (word.length >= MIN_TOKEN && IDENTIFYING.test(word)) this.term(word);
      }
    }
    this.automaton = null;
    this.scrubbed.clear();
  }

  /** Whether a term limit was passed (every text is then emptied). */
  get overflow(): boolean {
    return this.overflowed;
  }

  private term(text: string): void {
    if (this.overflowed) return;
    for (const other of spellings(text)) if (other !== text) this.addTerm(other);
    this.addTerm(text);
  }

  private addTerm(text: string): void {
    if (this.overflowed) return;
    const term = text.toLowerCase();
    if (this.terms.has(term)) return;
    if (
      term.length > CLEAN_TEXT_LIMITS.maxTermLength ||
      this.terms.size >= CLEAN_TEXT_LIMITS.maxTerms ||
      this.termsLength + term.length > CLEAN_TEXT_LIMITS.maxTermsLength
    ) {
      this.overflowed = true;
      this.terms.clear();
      return;
    }
    this.terms.add(term);
    this.termsLength += term.length;
  }

  private matcher(): MultiPattern | undefined {
    if (this.automaton === null) {
      this.automaton = this.terms.size ? new MultiPattern([...this.terms].map(foldTerm)) : undefined;
      this.unbounded = Uint8Array.from(this.terms, (t) => (UNSPACED_SCRIPT.test(t) ? 1 : 0));
    }
    return this.automaton;
  }

  /**
   * The text without any identifier; `removed` counts the occurrences taken out.
   * Remembered per text while the terms stay the same: the files of a series
   * repeat their descriptions, and one scrubber serves the series. Throws
   * DeidentificationTimeout (value-free) once `deadline` (a Date.now() time) has passed.
   */
  scrub(text: string, deadline?: number): ScrubResult {
    let result = this.scrubbed.get(text);
    if (!result) {
      if (deadline !== undefined && Date.now() > deadline)
        throw new DeidentificationTimeout('cleaning text took longer than the time allowed for one file');
      result = this.scrubNow(text, deadline);
      if (text.length <= SCRUBBED_TEXT_LIMIT) {
        if (this.scrubbed.size >= SCRUBBED_LIMIT) this.scrubbed.clear();
        this.scrubbed.set(text, result);
      }
    }
    return result;
  }

  private scrubNow(original: string, deadline: number | undefined): ScrubResult {
    if (this.overflowed) return original === '' ? { text: original, removed: 0 } : EMPTIED;
    if (original.length > CLEAN_TEXT_LIMITS.maxTextLength) return EMPTIED;
    // Identifiers by their form first (dates are shifted in place, so the file's own dates as words are already moved).
    const patterns = cleanIdentifierPatterns(original, this.shiftDays);
    const byValue = this.scrubValues(patterns.text, deadline);
    const removed = patterns.removed + byValue.removed;
    return {
      text: byValue.text,
      removed,
      ...(patterns.shifted > 0 && { shifted: patterns.shifted }),
    };
  }

  /** The text without any of the data set's identifiers (the automaton over their values and forms). */
  private scrubValues(text: string, deadline: number | undefined): ScrubResult {
    const automaton = this.matcher();
    if (!automaton) return { text, removed: 0 };
    const { symbols, offsets, flags } = foldText(text);
    // The longest match starting at each symbol position (its end), on word boundaries both sides; 0 = none.
    const longest = new Int32Array(symbols.length + 1);
    let end = 0;
    let bounded = true;
    const unbounded = this.unbounded;
    const record = (pattern: number): void => {
      const start = end - automaton.length(pattern);
      const at = flags[start] as number;
      const free = unbounded[pattern] === 1;
      if (!bounded && !free) return;
      if ((at & AT_CODE_POINT) !== 0 && (free || (at & WORD_BEFORE) === 0) && (longest[start] as number) < end) longest[start] = end;
    };
    let state = MultiPattern.START;
    for (let k = 0; k < symbols.length; k += 1) {
      if (deadline !== undefined && k % DEADLINE_STRIDE === DEADLINE_STRIDE - 1 && Date.now() > deadline) {
        throw new DeidentificationTimeout('cleaning text took longer than the time allowed for one file');
      }
      state = automaton.next(state, symbols[k] as number);
      const after = flags[k + 1] as number;
      // A match ends on a whole code point not followed by a letter or digit (CJK terms: on any code point).
      if ((after & AT_CODE_POINT) === 0 || !automaton.endsAny(state)) continue;
      bounded = (after & WORD_HERE) === 0;
      end = k + 1;
      automaton.forEachMatch(state, record);
    }
    // Left to right, as a global replace goes: the longest match at the first place one starts, then on after it.
    let removed = 0;
    let out = '';
    let kept = 0;
    for (let k = 0; k < symbols.length;) {
      const to = longest[k] as number;
      if (to === 0) {
        k += 1;
        continue;
      }
      out += text.slice(kept, offsets[k]);
      kept = offsets[to] as number;
      removed += 1;
      k = to;
    }
    if (removed === 0) return { text, removed };
    out += text.slice(kept);
    // Collapse the gaps left behind, per value of a multi-valued string.
    return { text: closeGaps(out), removed };
  }
}

/** Scripts written without spaces between words: a name there is found inside a run of letters ("山田太郎様"). */
export const UNSPACED_SCRIPT = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}ー・]+$/u;

/**
 * A name written the other ways people write it: one PN component group
 * ("DOE^JOHN^Q") as "John Doe", "Doe, John", "J. Doe", "Doe, J.", "Doe J",
 * "J.Q. Doe", and, in unspaced scripts, "山田太郎" (family then given, both
 * orders). The components alone are terms already.
 */
export function nameForms(group: string): string[] {
  const [family = '', given = '', middle = ''] = group.split('^').map((c) => c.trim());
  // A one-character family name is common in Chinese and Korean ("王"): too short alone, but "王小東" is a name.
  if ((family.length < MIN_COMPONENT && !UNSPACED_SCRIPT.test(family)) || given === '') return [];
  const g = given[0] as string;
  const m = middle ? `${middle[0] as string}.` : '';
  const forms = [
    `${given} ${family}`,
    `${family}, ${given}`,
    `${family},${given}`,
    `${family} ${given}`,
    `${family}^${given}`,
    `${g}. ${family}`,
    `${g}.${family}`,
    `${g} ${family}`,
    `${family}, ${g}.`,
    `${family}, ${g}`,
    `${family},${g}.`,
    `${family} ${g}.`,
    `${family} ${g}`,
    `${family}^${g}`,
  ];
  if (middle)
    forms.push(
      `${given} ${middle} ${family}`,
      `${given} ${m} ${family}`,
      `${g}.${m} ${family}`,
      `${g}. ${m} ${family}`,
      `${family}, ${given} ${m}`,
      `${family}, ${g}.${m}`,
    );
  if (UNSPACED_SCRIPT.test(family) && UNSPACED_SCRIPT.test(given)) forms.push(`${family}${given}`, `${given}${family}`);
  return forms;
}

const GERMAN: Readonly<Record<string, string>> = { ä: 'ae', ö: 'oe', ü: 'ue', Ä: 'AE', Ö: 'OE', Ü: 'UE', ß: 'ss' };

/** Other spellings of a value with accents: without them ("Jose", "Muller") and German style ("Mueller"). */
export function spellings(text: string): string[] {
  if (!/[^\u0000-\u007f]/.test(text)) return [];
  const bare = text.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
  const german = text.replace(/[äöüÄÖÜß]/g, (c) => GERMAN[c] ?? c);
  return [bare, german];
}
