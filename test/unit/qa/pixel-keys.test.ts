import { needingPixelDigest, type PixelFingerprint } from '../../../layers/qa';

describe('which instances need their pixel digest for pixel.duplicate', () => {
  const at = (studyUid: string, pixelKey?: string, pixelSha256?: string): PixelFingerprint => ({
    studyUid,
    ...(pixelKey !== undefined ? { pixelKey } : {}),
    ...(pixelSha256 !== undefined ? { pixelSha256 } : {}),
  });

  it('only those whose key another instance of the same study shares', () => {
    const [a, b, c, d, e] = [at('s1', '10:1'), at('s1', '10:1'), at('s1', '10:2'), at('s2', '10:2'), at('s2', '12:1')];
    expect(needingPixelDigest([a, b, c, d, e])).toEqual([a, b]);
    // The same key in two studies is two studies' business.
    expect(needingPixelDigest([c, d])).toEqual([]);
  });

  it('every keyed instance of a study that holds an instance with only a digest (staged by an earlier version)', () => {
    const [older, x, y, other] = [at('s1', undefined, 'f'.repeat(64)), at('s1', '10:1'), at('s1', '10:2'), at('s2', '10:3')];
    expect(needingPixelDigest([older, x, y, other])).toEqual([x, y]);
  });

  it('none that already has its digest, nor one without pixels', () => {
    const [hashed, keyed, none] = [at('s1', '10:1', 'a'.repeat(64)), at('s1', '10:1'), at('s1')];
    expect(needingPixelDigest([hashed, keyed, none])).toEqual([keyed]);
  });
});
