/**
 * Which instances of a study need their pixels' SHA-256 for the duplicate-pixels rule (pixel.duplicate), which
 * compares digests for equality only. Every instance records its pixels' key (length and CRC-32, DatasetView.pixelKey):
 * instances whose keys differ cannot have the same pixels, so only those whose key another instance of their study
 * shares are compared by digest. Instances staged by earlier versions recorded the digest and no key: in a study that
 * holds one, every instance with a key and no digest needs its digest to be compared with it.
 */
export interface PixelFingerprint {
  readonly studyUid: string;
  readonly pixelKey?: string;
  readonly pixelSha256?: string;
}

/** The instances of `instances` (any studies) whose pixel digest the rule needs and that have none, in order. */
export function needingPixelDigest<T extends PixelFingerprint>(instances: readonly T[]): T[] {
  const keys = new Map<string, number>();
  const digestOnly = new Set<string>();
  for (const { studyUid, pixelKey, pixelSha256 } of instances) {
    if (pixelKey !== undefined) keys.set(`${studyUid} ${pixelKey}`, (keys.get(`${studyUid} ${pixelKey}`) ?? 0) + 1);
    else if (pixelSha256 !== undefined) digestOnly.add(studyUid);
  }
  return instances.filter(
    ({ studyUid, pixelKey, pixelSha256 }) =>
      pixelKey !== undefined && pixelSha256 === undefined && (digestOnly.has(studyUid) || (keys.get(`${studyUid} ${pixelKey}`) ?? 0) > 1),
  );
}
