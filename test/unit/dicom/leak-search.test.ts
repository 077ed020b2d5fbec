import { leakedNeedles, SEARCH_EACH_FORM_UP_TO } from '../../../layers/dicom/verify/leak-search';
import type { Haystack, Needle, Region } from '../../../layers/dicom/verify/needles';
import type { PhiKind } from '../../../layers/dicom/verify/phi-attributes';
import { rng as random } from '../../support/random';

/** The verifier's search as it was (one indexOf loop per needle), kept as the reference. */
function findLeak(hay: Haystack, needle: Needle): number {
  const isAlnum = (b: number | undefined): boolean =>
    b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a));
  const isUidChar = (b: number | undefined): boolean => b !== undefined && ((b >= 0x30 && b <= 0x39) || b === 0x2e);
  const boundary = needle.kind === 'uid' ? isUidChar : isAlnum;
  // The haystack is a plain Uint8Array since the verifier also runs in browsers: Buffer's indexOf finds a byte sequence.
  const bytes = Buffer.from(hay.bytes.buffer, hay.bytes.byteOffset, hay.bytes.byteLength);
  for (const form of needle.forms) {
    const first = form[0];
    const last = form[form.length - 1];
    for (let at = bytes.indexOf(form); at !== -1; at = bytes.indexOf(form, at + 1)) {
      const end = at + form.length;
      if (first !== undefined && first < 0x80 && boundary(first) && boundary(hay.bytes[at - 1])) continue;
      if (last !== undefined && last < 0x80 && boundary(last) && boundary(hay.bytes[end])) continue;
      const inside = (r: Region): boolean => at >= r.start && end <= r.end;
      if (hay.exempt.some(inside)) continue;
      if (needle.kind === 'date' && hay.changedDates.some(inside)) continue;
      return at;
    }
  }
  return -1;
}

// Lowercased bytes as the verifier has them: letters, digits, dots, spaces, a separator and bytes >= 0x80.
const BYTES = [0x61, 0x62, 0x63, 0x31, 0x32, 0x2e, 0x20, 0x5c, 0xc3, 0xa9, 0x00];

function regions(next: () => number, length: number): Region[] {
  return Array.from({ length: Math.floor(next() * 4) }, () => {
    const start = Math.floor(next() * (length + 1));
    return { start, end: Math.min(length, start + Math.floor(next() * 12)) };
  });
}

describe('leakedNeedles', () => {
  // A few needles take the per-form native search, more the automaton (SEARCH_EACH_FORM_UP_TO): both are held to the reference.
  it.each([
    ['few forms: one native search each', SEARCH_EACH_FORM_UP_TO],
    ['the automaton', 0],
  ])('reports exactly the needles a per-needle search reports, on 3000 random headers (%s)', (_name, searchEachFormUpTo) => {
    const kinds: PhiKind[] = ['name', 'id', 'text', 'date', 'uid'];
    let leaks = 0;
    for (let seed = 1; seed <= 3000; seed += 1) {
      const next = random(seed);
      const pick = (): number => BYTES[Math.floor(next() * BYTES.length)] as number;
      const haystacks: Haystack[] = Array.from({ length: 1 + Math.floor(next() * 2) }, () => {
        const bytes = Buffer.from(Array.from({ length: Math.floor(next() * 80) }, pick));
        return { bytes, exempt: regions(next, bytes.length), changedDates: regions(next, bytes.length) };
      });
      const needles: Needle[] = Array.from({ length: 1 + Math.floor(next() * 6) }, (_, i) => {
        const source = haystacks[0] as Haystack;
        const from = Math.floor(next() * source.bytes.length);
        const cut = () =>
          next() < 0.7 && source.bytes.length > 0
            ? Buffer.from(source.bytes.subarray(from, from + 1 + Math.floor(next() * 5)))
            : Buffer.from(Array.from({ length: 1 + Math.floor(next() * 4) }, pick));
        const forms = [cut()].concat(next() < 0.3 ? [cut()] : []).filter((f) => f.length > 0);
        return {
          keyword: `K${i}`,
          kind: kinds[Math.floor(next() * kinds.length)] as PhiKind,
          forms: forms.length ? forms : [Buffer.from('a')],
        };
      });
      const want = needles.map((n) => haystacks.some((h) => findLeak(h, n) !== -1));
      const got = leakedNeedles(haystacks, needles, searchEachFormUpTo);
      if (JSON.stringify(got) !== JSON.stringify(want))
        throw new Error(`seed ${seed}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
      leaks += want.filter(Boolean).length;
    }
    expect(leaks).toBeGreaterThan(1000);
  });

  it.each([SEARCH_EACH_FORM_UP_TO, 0])(
    'excuses a match only inside a span, not across its edge (forms searched one by one up to %d)',
    (upTo) => {
      const hay: Haystack = { bytes: Buffer.from('xx doe yy doe'), exempt: [{ start: 3, end: 6 }], changedDates: [] };
      const needle: Needle = { keyword: 'PatientName', kind: 'name', forms: [Buffer.from('doe')] };
      expect(leakedNeedles([hay], [needle], upTo)).toEqual([true]);
      expect(leakedNeedles([{ ...hay, bytes: Buffer.from('xx doe yy dox') }], [needle], upTo)).toEqual([false]);
      expect(leakedNeedles([{ ...hay, exempt: [{ start: 4, end: 13 }], bytes: Buffer.from('xx doe') }], [needle], upTo)).toEqual([true]);
      // Overlapping occurrences: the first is inside a word, the second (sharing its bytes) on its boundaries.
      const overlapping: Needle = { keyword: 'PatientID', kind: 'id', forms: [Buffer.from('abab')] };
      expect(leakedNeedles([{ bytes: Buffer.from('xababab'), exempt: [], changedDates: [] }], [overlapping], upTo)).toEqual([false]);
      expect(leakedNeedles([{ bytes: Buffer.from('xabab ab'), exempt: [], changedDates: [] }], [overlapping], upTo)).toEqual([false]);
      expect(
        leakedNeedles([{ bytes: Buffer.from('cababab.'), exempt: [{ start: 1, end: 5 }], changedDates: [] }], [overlapping], upTo),
      ).toEqual([false]);
      expect(leakedNeedles([{ bytes: Buffer.from('x.abab.'), exempt: [], changedDates: [] }], [overlapping], upTo)).toEqual([true]);
    },
  );

  it('searches with more needle bytes than one automaton holds, in several passes', () => {
    const needles: Needle[] = Array.from({ length: 120_000 }, (_, i) => ({
      keyword: 'OtherPatientIDs',
      kind: 'id',
      forms: [Buffer.from(`id${String(i).padStart(8, '0')}`)],
    }));
    const hay: Haystack = { bytes: Buffer.from('x id00000007 id00119999 id00119999x'), exempt: [], changedDates: [] };
    const leaked = leakedNeedles([hay], needles);
    expect(leaked.flatMap((l, i) => (l ? [i] : []))).toEqual([7, 119_999]);
  });
});
