/**
 * Which needles occur in the output: all of them looked for in one pass over
 * each haystack (an Aho-Corasick automaton over bytes, ../text/multi-pattern.ts)
 * rather than one search per needle, which took needles times header bytes
 * (thousands of OtherPatientIDs against a long kept description); a short list
 * (SEARCH_EACH_FORM_UP_TO forms, a typical file's) is searched form by form with
 * the native byte search, the same answers for less JavaScript. A match
 * counts as it always did: ASCII case ignored (both sides are lowercased),
 * on word boundaries where the needle starts or ends with an ASCII letter or
 * digit (digits and dots for UIDs), and not inside a span that excuses it.
 *
 * The automaton is the one the text cleaner uses, a generic string algorithm;
 * what the verifier searches for and how it decides (needles, boundaries,
 * excused spans) stays its own. The unit tests check it against a plain
 * per-needle search.
 */
import { indexOfBytes } from '../../common/bytes';
import { MultiPattern } from '../text/multi-pattern';
import type { Haystack, Needle, Region } from './needles';

/** Needle bytes per automaton: bounds its memory (about 60 bytes a symbol); more needles take more passes. */
const BATCH_SYMBOLS = 1 << 20;

// ASCII only: a byte >= 0x80 next to a match may be a binary length or tag, not a letter, so it counts as a
// boundary (erring towards reporting a leak).
const isAlnum = (b: number | undefined): boolean =>
  b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a));
const isUidChar = (b: number | undefined): boolean => b !== undefined && ((b >= 0x30 && b <= 0x39) || b === 0x2e);

/** Regions sorted by start, with the furthest end reached so far: "is [at, end) inside one?" in O(log n). */
class Spans {
  private readonly starts: Int32Array;
  private readonly reach: Int32Array;

  constructor(regions: readonly Region[]) {
    const sorted = [...regions].sort((a, b) => a.start - b.start);
    this.starts = Int32Array.from(sorted, (r) => r.start);
    this.reach = new Int32Array(sorted.length);
    let furthest = -1;
    sorted.forEach((r, i) => {
      furthest = Math.max(furthest, r.end);
      this.reach[i] = furthest;
    });
  }

  /** Whether some region has start <= at and end >= end. */
  contains(at: number, end: number): boolean {
    let lo = 0;
    let hi = this.starts.length - 1;
    let last = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.starts[mid] as number) <= at) {
        last = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return last >= 0 && (this.reach[last] as number) >= end;
  }
}

interface Batch {
  automaton: MultiPattern;
  /** Per pattern: its needle's index in the full list. */
  needle: Int32Array;
  /** Per pattern: the first and last byte of its form. */
  first: Uint8Array;
  last: Uint8Array;
}

/** `longest`: the longest haystack; a longer form cannot occur and stays out of the automaton. */
function batches(needles: readonly Needle[], longest: number): Batch[] {
  const out: Batch[] = [];
  let forms: Uint8Array[] = [];
  let owners: number[] = [];
  let symbols = 0;
  const close = (): void => {
    if (forms.length === 0) return;
    out.push({
      automaton: new MultiPattern(forms),
      needle: Int32Array.from(owners),
      first: Uint8Array.from(forms, (f) => f[0] as number),
      last: Uint8Array.from(forms, (f) => f[f.length - 1] as number),
    });
    forms = [];
    owners = [];
    symbols = 0;
  };
  needles.forEach((needle, index) => {
    for (const form of needle.forms) {
      // An empty form (none is made: every needle has a letter or digit) would match everywhere; the caller's
      // per-needle search reported it, so it is kept as a leak below.
      if (form.length === 0 || form.length > longest) continue;
      if (symbols + form.length > BATCH_SYMBOLS) close();
      forms.push(form);
      owners.push(index);
      symbols += form.length;
    }
  });
  close();
  return out;
}

/**
 * Up to this many forms, each is looked for on its own with the native byte search: a CT slice's ~30 needles then run
 * a few dozen native searches instead of an automaton built and walked in JavaScript, which the first few hundred files
 * of a thread run interpreted. More forms take the automaton: the per-form searches grow with forms times bytes.
 */
export const SEARCH_EACH_FORM_UP_TO = 64;

interface HaystackSpans {
  exempt: Spans;
  changedDates: Spans;
}

/** Whether `needle` occurs at [at, end) of `bytes` on its boundaries and outside every span that excuses it. */
function counts(needle: Needle, form: Uint8Array, bytes: Uint8Array, at: number, spans: HaystackSpans): boolean {
  const boundary = needle.kind === 'uid' ? isUidChar : isAlnum;
  const end = at + form.length;
  const first = form[0] as number;
  const last = form[form.length - 1] as number;
  // Boundaries only where the needle itself starts or ends with an ASCII letter or digit.
  if (first < 0x80 && boundary(first) && boundary(bytes[at - 1])) return false;
  if (last < 0x80 && boundary(last) && boundary(bytes[end])) return false;
  if (spans.exempt.contains(at, end)) return false;
  return !(needle.kind === 'date' && spans.changedDates.contains(at, end));
}

/** The search form by form: every occurrence of each form (overlapping ones too) until one counts. */
function searchEachForm(
  haystacks: readonly Haystack[],
  needles: readonly Needle[],
  spans: readonly HaystackSpans[],
  leaked: boolean[],
): void {
  needles.forEach((needle, index) => {
    if (leaked[index]) return;
    leaked[index] = needle.forms.some((form) =>
      haystacks.some((hay, h) => {
        for (let at = indexOfBytes(hay.bytes, form, 0); at !== -1; at = indexOfBytes(hay.bytes, form, at + 1)) {
          if (counts(needle, form, hay.bytes, at, spans[h] as HaystackSpans)) return true;
        }
        return false;
      }),
    );
  });
}

/**
 * Per needle, whether it occurs in any haystack on its boundaries and outside every span that excuses it.
 * `searchEachFormUpTo`: the most forms searched for one by one (tests set it to 0 to hold the automaton to the same answers).
 */
export function leakedNeedles(
  haystacks: readonly Haystack[],
  needles: readonly Needle[],
  searchEachFormUpTo = SEARCH_EACH_FORM_UP_TO,
): boolean[] {
  const leaked = needles.map((n) => n.forms.some((f) => f.length === 0) && haystacks.length > 0);
  let remaining = leaked.filter((l) => !l).length;
  const spans = haystacks.map((h) => ({ exempt: new Spans(h.exempt), changedDates: new Spans(h.changedDates) }));
  let forms = 0;
  for (const needle of needles) forms += needle.forms.length;
  if (forms <= searchEachFormUpTo) {
    searchEachForm(haystacks, needles, spans, leaked);
    return leaked;
  }
  for (const batch of batches(needles, Math.max(0, ...haystacks.map((h) => h.bytes.length)))) {
    const { automaton } = batch;
    haystacks.forEach((hay, h) => {
      if (remaining === 0) return;
      const bytes = hay.bytes;
      const { exempt, changedDates } = spans[h] as { exempt: Spans; changedDates: Spans };
      let end = 0;
      const visit = (pattern: number): boolean => {
        const index = batch.needle[pattern] as number;
        if (leaked[index]) return false;
        const needle = needles[index] as Needle;
        const boundary = needle.kind === 'uid' ? isUidChar : isAlnum;
        const at = end - automaton.length(pattern);
        const first = batch.first[pattern] as number;
        const last = batch.last[pattern] as number;
        // Boundaries only where the needle itself starts or ends with an ASCII letter or digit.
        if (first < 0x80 && boundary(first) && boundary(bytes[at - 1])) return false;
        if (last < 0x80 && boundary(last) && boundary(bytes[end])) return false;
        if (exempt.contains(at, end)) return false;
        if (needle.kind === 'date' && changedDates.contains(at, end)) return false;
        leaked[index] = true;
        remaining -= 1;
        return remaining === 0;
      };
      let state = MultiPattern.START;
      for (let i = 0; i < bytes.length && remaining > 0; i += 1) {
        state = automaton.next(state, bytes[i] as number);
        if (!automaton.endsAny(state)) continue;
        end = i + 1;
        automaton.forEachMatch(state, visit);
      }
    });
  }
  return leaked;
}
