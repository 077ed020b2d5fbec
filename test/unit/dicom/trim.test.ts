import { trimEndOf } from '../../../layers/dicom/text/trim';

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('trimEndOf', () => {
  it('removes what the padding regexes removed, on random values', () => {
    const chars = [' ', '\0', '=', 'a', '\\', '\t'];
    for (let seed = 1; seed <= 3000; seed += 1) {
      const next = random(seed);
      const text = Array.from({ length: Math.floor(next() * 12) }, () => chars[Math.floor(next() * chars.length)]).join('');
      expect(trimEndOf(text, ' \0')).toBe(text.replace(/[\0 ]+$/, ''));
      expect(trimEndOf(text, '\0')).toBe(text.replace(/\0+$/, ''));
      expect(trimEndOf(text, '=')).toBe(text.replace(/=+$/, ''));
    }
  });
});
