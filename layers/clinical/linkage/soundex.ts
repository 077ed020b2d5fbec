/**
 * American Soundex as the US National Archives define it (the 1880-1920 census
 * indexes): the first letter, then the digit codes of the following consonants;
 * letters of the same code side by side, or separated only by H or W, count once;
 * vowels (and Y) separate equal codes; padded or cut to four characters. Input is
 * a normalized name (A-Z only); an empty name has no code.
 */
const CODES: Readonly<Record<string, string>> = {
  B: '1',
  F: '1',
  P: '1',
  V: '1',
  C: '2',
  G: '2',
  J: '2',
  K: '2',
  Q: '2',
  S: '2',
  X: '2',
  Z: '2',
  D: '3',
  T: '3',
  L: '4',
  M: '5',
  N: '5',
  R: '6',
};

export function soundex(name: string): string {
  const letters = name.toUpperCase().replace(/[^A-Z]/g, '');
  if (!letters) return '';
  let code = letters[0]!;
  let previous = CODES[letters[0]!] ?? '';
  for (const letter of letters.slice(1)) {
    if (code.length === 4) break;
    if (letter === 'H' || letter === 'W') continue; // transparent: the codes either side merge
    const digit = CODES[letter] ?? '';
    if (digit && digit !== previous) code += digit;
    previous = digit; // a vowel resets, so the same code after a vowel counts again
  }
  return code.padEnd(4, '0');
}
