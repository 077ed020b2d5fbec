import { AT_CODE_POINT, foldTerm, foldText, WORD_BEFORE, WORD_HERE } from '../../../layers/dicom/text/case-fold';
import { MultiPattern } from '../../../layers/dicom/text/multi-pattern';
import { rng as random } from '../../support/random';

/** Every (pattern, end) occurrence, as "pattern@end", by walking the automaton; throws if one place is not longest first. */
function occurrences(automaton: MultiPattern, text: ArrayLike<number>): string[] {
  const out: string[] = [];
  let state = MultiPattern.START;
  for (let i = 0; i < text.length; i += 1) {
    state = automaton.next(state, text[i] as number);
    let previous = Number.POSITIVE_INFINITY;
    let found = 0;
    automaton.forEachMatch(state, (p) => {
      if (automaton.length(p) > previous) throw new Error(`not longest first at ${i}`);
      previous = automaton.length(p);
      found += 1;
      out.push(`${p}@${i + 1}`);
    });
    if (automaton.endsAny(state) !== found > 0) throw new Error(`endsAny disagrees at ${i}`);
  }
  return out.sort();
}

/** The same, by comparing every pattern at every place. */
function naive(patterns: ReadonlyArray<ArrayLike<number>>, text: ArrayLike<number>): string[] {
  const out: string[] = [];
  patterns.forEach((p, index) => {
    for (let end = p.length; end <= text.length; end += 1) {
      let same = true;
      for (let k = 0; k < p.length && same; k += 1) same = p[k] === text[end - p.length + k];
      if (same) out.push(`${index}@${end}`);
    }
  });
  return out.sort();
}

describe('MultiPattern', () => {
  it('finds every occurrence of every pattern, overlapping and duplicated ones too, like a naive search (2000 random cases)', () => {
    for (let seed = 1; seed <= 2000; seed += 1) {
      const next = random(seed);
      // Small alphabets make shared prefixes, suffixes and failure chains likely.
      const alphabet = 1 + Math.floor(next() * 4);
      const symbol = (): number => (next() < 0.05 ? 0x10ffff : Math.floor(next() * alphabet));
      const patterns = Array.from({ length: 1 + Math.floor(next() * 8) }, () => Array.from({ length: 1 + Math.floor(next() * 5) }, symbol));
      if (next() < 0.2) patterns.push([...(patterns[0] as number[])]);
      const text = Array.from({ length: Math.floor(next() * 40) }, symbol);
      const automaton = new MultiPattern(patterns);
      expect(occurrences(automaton, text)).toEqual(naive(patterns, text));
    }
  });

  it('visits duplicates in the order they were added and stops when asked', () => {
    const automaton = new MultiPattern([[1, 2], [2], [1, 2]]);
    const state = automaton.next(automaton.next(MultiPattern.START, 1), 2);
    const seen: number[] = [];
    automaton.forEachMatch(state, (p) => void seen.push(p));
    expect(seen).toEqual([0, 2, 1]);
    const first: number[] = [];
    automaton.forEachMatch(state, (p) => first.push(p) === 1);
    expect(first).toEqual([0]);
  });

  it('builds from a pattern of 256 K symbols and walks a text as long, without recursion', () => {
    const size = 1 << 18;
    const long = new Int32Array(size).fill(0x61);
    const automaton = new MultiPattern([long, [0x61, 0x62]]);
    const text = new Int32Array(size + 1).fill(0x61);
    text[size] = 0x62;
    expect(occurrences(automaton, text)).toEqual([`0@${size}`, `1@${size + 1}`]);
  });

  it('refuses an empty pattern or a symbol outside 0..0x10FFFF', () => {
    expect(() => new MultiPattern([[]])).toThrow(RangeError);
    expect(() => new MultiPattern([[0x110000]])).toThrow(RangeError);
    expect(() => new MultiPattern([[-1]])).toThrow(RangeError);
  });
});

describe('case folding as a case-insensitive Unicode regex compares', () => {
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

  it('folds two code points to one symbol exactly when /a/iu matches b, for every cased code point', () => {
    const cased: number[] = [];
    const hasCase = /[\p{Cased}\p{CWCF}\p{CWCM}]/u;
    for (let cp = 0; cp <= 0x10ffff; cp += 1) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const s = String.fromCodePoint(cp);
      if (hasCase.test(s) || s.toLowerCase() !== s || s.toUpperCase() !== s) cased.push(cp);
    }
    // No code point outside the list is case-equal to one in it.
    const anyCased = new RegExp(`[${cased.map((cp) => escape(String.fromCodePoint(cp))).join('')}]`, 'iu');
    const listed = new Set(cased);
    for (let cp = 0; cp <= 0x10ffff; cp += 1) {
      if ((cp >= 0xd800 && cp <= 0xdfff) || listed.has(cp)) continue;
      if (anyCased.test(String.fromCodePoint(cp))) throw new Error(`U+${cp.toString(16)} is case-equal to a cased code point`);
    }
    // Within the list: the regex's classes and the fold's classes are the same (U+0130 expands; tested below).
    const all = cased.map((cp) => String.fromCodePoint(cp)).join('\n');
    const symbolOf = (cp: number): string => [...foldTerm(String.fromCodePoint(cp))].join(',');
    const byFold = new Map<string, number[]>();
    for (const cp of cased) {
      const key = symbolOf(cp);
      byFold.set(key, [...(byFold.get(key) ?? []), cp]);
    }
    for (const cp of cased) {
      if (cp === 0x130) continue;
      const regexClass = [...all.matchAll(new RegExp(escape(String.fromCodePoint(cp)), 'giu'))]
        .map((m) => m[0].codePointAt(0) as number)
        .sort((a, b) => a - b);
      const foldClass = (byFold.get(symbolOf(cp)) ?? []).sort((a, b) => a - b);
      if (regexClass.join() !== foldClass.join())
        throw new Error(
          `U+${cp.toString(16)}: regex ${regexClass.map((c) => c.toString(16))} fold ${foldClass.map((c) => c.toString(16))}`,
        );
      // Same plane: a match is as long in UTF-16 as the term, so "longest first" orders alike.
      expect(new Set(regexClass.map((c) => c > 0xffff)).size).toBe(1);
    }
  });

  it('marks letters and digits as [\\p{L}\\p{N}] with the i flag does (U+0345 counts), per code point', () => {
    const folded = foldText('a\u0345-\u{10400}1 .');
    const word = [...folded.flags].map((f) => ((f & AT_CODE_POINT) !== 0 ? ((f & WORD_HERE) !== 0 ? 'w' : '_') : '.'));
    expect(word.join('')).toBe('ww_ww___');
    expect((folded.flags[1] as number) & WORD_BEFORE).toBe(WORD_BEFORE);
    expect([...folded.offsets]).toEqual([0, 1, 2, 3, 5, 6, 7, 8]);
  });

  it('expands İ to the two symbols of its lowercase and keeps the offsets of the text', () => {
    const folded = foldText('İA');
    expect([...folded.symbols]).toEqual([0x69, 0x307, 0x61]);
    expect([...folded.offsets]).toEqual([0, -1, 1, 2]);
    expect([...foldTerm('İa'.toLowerCase())]).toEqual([0x69, 0x307, 0x61]);
  });
});
