import { trimEndOf } from '../../../layers/dicom/text/trim';
import { rng as random } from '../../support/random';

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
