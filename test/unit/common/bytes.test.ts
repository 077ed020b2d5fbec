import { randomBytes } from 'node:crypto';
import { concatInto, indexOfBytes, portableBytes, unwrittenChunks } from '../../../layers/common/bytes';

describe('the portable text and byte helpers decode and encode as Buffer does', () => {
  it('latin1: one character per byte, 0x80-0x9F included (not windows-1252)', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(portableBytes.decode(all, 'latin1')).toBe(Buffer.from(all).toString('latin1'));
    expect(portableBytes.decode(all, 'latin1', 120, 170)).toBe(Buffer.from(all).toString('latin1', 120, 170));
    const big = randomBytes(20_000);
    expect(portableBytes.decode(big, 'latin1')).toBe(big.toString('latin1'));
  });

  it('utf8: a leading byte-order mark is kept and invalid sequences become U+FFFD, as Buffer#toString', () => {
    const samples = [
      Uint8Array.of(0xef, 0xbb, 0xbf, 0x41),
      Uint8Array.of(0xc3, 0x28, 0x41, 0xe2, 0x82, 0xf0, 0x9f, 0x98, 0x80, 0xff),
      Buffer.from('Ünïcödé 東京 \u{1F600}'),
      ...Array.from({ length: 50 }, () => randomBytes(64)),
    ];
    for (const sample of samples) expect(portableBytes.decode(sample, 'utf8')).toBe(Buffer.from(sample).toString('utf8'));
  });

  it('finds a byte sequence where Buffer#indexOf does, from any offset (indexOfBytes)', () => {
    for (let seed = 0; seed < 300; seed += 1) {
      const haystack = Uint8Array.from(randomBytes(40), (b) => b % 3);
      const needle = Uint8Array.from(randomBytes(1 + (seed % 4)), (b) => b % 3);
      for (const from of [0, 1, 17, 39, 40, 60])
        expect(portableBytes.indexOf(haystack, needle, from)).toBe(Buffer.from(haystack).indexOf(needle, from));
      expect(indexOfBytes(haystack, needle, 5)).toBe(Buffer.from(haystack).indexOf(needle, 5));
    }
  });

  it('encodes latin1 as each code unit low byte and utf8 with lone surrogates replaced, with the same lengths', () => {
    const texts = ['DICM', 'Müller^Jörg', '東京', 'a\ud800b', '\u{1F600}', ''];
    for (const text of texts)
      for (const encoding of ['latin1', 'utf8'] as const) {
        expect(Buffer.from(portableBytes.encode(text, encoding))).toEqual(Buffer.from(text, encoding));
        expect(portableBytes.byteLength(text, encoding)).toBe(Buffer.byteLength(text, encoding));
      }
  });

  it('concatenates and writes hex as Buffer does', () => {
    const chunks = [randomBytes(3), new Uint8Array(0), randomBytes(17)];
    expect(Buffer.from(portableBytes.concat(chunks))).toEqual(Buffer.concat(chunks));
    expect(portableBytes.hex(chunks[2] as Uint8Array)).toBe((chunks[2] as Buffer).toString('hex'));
  });
});

describe('unwrittenChunks: what a gathered write left (empty chunks dropped)', () => {
  const chunks = [Buffer.from('abc'), Buffer.from(''), Buffer.from('defg'), Buffer.from('h')];
  const text = (rest: Buffer[]) => rest.map((c) => c.toString()).join('|');

  it.each([
    [0, 'abc|defg|h'],
    [2, 'c|defg|h'],
    [3, 'defg|h'],
    [5, 'fg|h'],
    [7, 'h'],
    [8, ''],
  ])('after %i bytes', (written, expected) => {
    expect(text(unwrittenChunks(chunks, written))).toBe(expected);
  });

  it('keeps the chunks after the cut as they are, and cuts the first one as a view', () => {
    const rest = unwrittenChunks(chunks, 5);
    expect(rest[1]).toBe(chunks[3]);
    expect(rest[0]!.buffer).toBe(chunks[2]!.buffer);
  });
});

describe('concatInto: chunks joined into lent memory', () => {
  it('overwrites every byte of memory that held an earlier join', () => {
    const memory = new Uint8Array(7).fill(0xa5);
    const joined = concatInto([Buffer.from('abc'), Buffer.from(''), Buffer.from('defg')], memory);
    expect(joined).toBe(memory);
    expect(Buffer.from(joined).toString()).toBe('abcdefg');
  });

  it.each([
    ['longer', 8],
    ['shorter', 6],
  ])("refuses memory %s than the chunks' total: no stale byte may follow them, none of them may be cut", (_name, length) => {
    expect(() => concatInto([Buffer.from('abc'), Buffer.from('defg')], new Uint8Array(length))).toThrow(RangeError);
  });
});
