/**
 * Text folded code point by code point the way a case-insensitive Unicode
 * regular expression (flags `iu`) compares characters (simple case folding:
 * "K", "k" and the Kelvin sign are one symbol, so are "σ" and "ς"), so that an
 * automaton over folded text finds what `/term/iu` finds, position for
 * position. The fold of a code point is the lowercase of its uppercase when
 * both are single code points, with the few exceptions below; the unit test
 * checks it against the regular expression engine over every cased code point.
 *
 * One deliberate difference: "İ" (U+0130), whose lowercase is two code points
 * ("i" + U+0307), folds to those two symbols. The regular expression matched
 * it to nothing, so a name written "İLKER" survived in "CT İLKER" while its
 * term (lowercased "i̇lker") was removed elsewhere; folding it the way terms
 * are lowercased removes it. A match must start and end on whole code points.
 */

/** Where lower(upper(c)) is not the regex's fold (V8, Unicode 15-16): dotless i folds to itself, and three pairs fold together. */
const EXCEPTIONS: ReadonlyMap<number, number> = new Map([
  [0x0131, 0x0131],
  [0x1fd3, 0x0390],
  [0x1fe3, 0x03b0],
  [0xfb05, 0xfb06],
]);

/** A letter or digit as the cleaner's `(?<![\p{L}\p{N}])` boundaries see it (the `i` flag widens it, e.g. to U+0345). */
const WORD = /[\p{L}\p{N}]/iu;

const EXPANDS = -1;

interface Block {
  /** The folded code point, or EXPANDS (see `expansions`). */
  readonly fold: Int32Array;
  readonly word: Uint8Array;
}

/** Folding tables of 256 code points each, made when first needed (at most 4,352 blocks of 1.25 KB). */
const blocks = new Map<number, Block>();
const expansions = new Map<number, readonly number[]>();

function single(text: string): number | undefined {
  const cp = text.codePointAt(0);
  return cp !== undefined && text.length === (cp > 0xffff ? 2 : 1) ? cp : undefined;
}

function foldOf(cp: number): number {
  const exception = EXCEPTIONS.get(cp);
  if (exception !== undefined) return exception;
  const text = String.fromCodePoint(cp);
  const upper = single(text.toUpperCase());
  const viaUpper = upper === undefined ? undefined : single(String.fromCodePoint(upper).toLowerCase());
  if (viaUpper !== undefined) return viaUpper;
  const lower = single(text.toLowerCase());
  if (lower !== undefined) return lower;
  const expanded = [...text.toLowerCase()].map((c) => foldOf(c.codePointAt(0) as number));
  // Two symbols per UTF-16 unit at most (foldText sizes its arrays so); only U+0130 expands, to two.
  if (expanded.length > text.length * 2 || expanded.includes(EXPANDS)) return cp;
  expansions.set(cp, expanded);
  return EXPANDS;
}

function blockOf(cp: number): Block {
  const index = cp >>> 8;
  let block = blocks.get(index);
  if (!block) {
    const fold = new Int32Array(256);
    const word = new Uint8Array(256);
    for (let i = 0; i < 256; i += 1) {
      const c = (index << 8) + i;
      if (c > 0x10ffff) break;
      fold[i] = foldOf(c);
      word[i] = WORD.test(String.fromCodePoint(c)) ? 1 : 0;
    }
    block = { fold, word };
    blocks.set(index, block);
  }
  return block;
}

/** The folded symbols of one code point, appended to `out`. */
function pushFolded(cp: number, out: number[]): void {
  if (cp < 0x80) {
    out.push(cp >= 0x41 && cp <= 0x5a ? cp + 0x20 : cp);
    return;
  }
  const fold = blockOf(cp).fold[cp & 0xff] as number;
  if (fold !== EXPANDS) out.push(fold);
  else out.push(...(expansions.get(cp) as readonly number[]));
}

function isWordCodePoint(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  return blockOf(cp).word[cp & 0xff] === 1;
}

/** A term's symbols (the caller lowercases it first, as the regular expression's alternatives were). */
export function foldTerm(term: string): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < term.length;) {
    const cp = term.codePointAt(i) as number;
    pushFolded(cp, out);
    i += cp > 0xffff ? 2 : 1;
  }
  return Int32Array.from(out);
}

/** Flags of a symbol position in FoldedText. */
export const AT_CODE_POINT = 1;
/** The code point starting here is a letter or digit. */
export const WORD_HERE = 2;
/** The code point ending here is a letter or digit. */
export const WORD_BEFORE = 4;

export interface FoldedText {
  readonly symbols: Int32Array;
  /** Per symbol position (0..symbols.length): the UTF-16 offset when a code point starts there (the text's length at the end), else -1. */
  readonly offsets: Int32Array;
  /** Per symbol position: AT_CODE_POINT, WORD_HERE, WORD_BEFORE. */
  readonly flags: Uint8Array;
}

/** Folds a text, keeping where each code point was: offsets map matches back to the text whatever the fold did to lengths. */
export function foldText(text: string): FoldedText {
  // At most two symbols per UTF-16 unit (an expansion is two symbols; an astral code point is two units, one symbol).
  const symbols = new Int32Array(text.length * 2);
  const offsets = new Int32Array(text.length * 2 + 1).fill(-1);
  const flags = new Uint8Array(text.length * 2 + 1);
  const scratch: number[] = [];
  let m = 0;
  let wordBefore = false;
  for (let i = 0; i < text.length;) {
    const cp = text.codePointAt(i) as number;
    const word = isWordCodePoint(cp);
    offsets[m] = i;
    flags[m] = AT_CODE_POINT | (word ? WORD_HERE : 0) | (wordBefore ? WORD_BEFORE : 0);
    if (cp < 0x80) {
      symbols[m] = cp >= 0x41 && cp <= 0x5a ? cp + 0x20 : cp;
      m += 1;
    } else {
      scratch.length = 0;
      pushFolded(cp, scratch);
      for (const s of scratch) {
        symbols[m] = s;
        m += 1;
      }
    }
    wordBefore = word;
    i += cp > 0xffff ? 2 : 1;
  }
  offsets[m] = text.length;
  flags[m] = AT_CODE_POINT | (wordBefore ? WORD_BEFORE : 0);
  return { symbols: symbols.subarray(0, m), offsets: offsets.subarray(0, m + 1), flags: flags.subarray(0, m + 1) };
}
