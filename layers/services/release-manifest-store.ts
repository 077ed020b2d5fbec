/**
 * A release's objects in the released bucket: the manifest of every object
 * (JSON lines, gzip), the frozen search snapshot and the Parquet export. All are
 * written before the release item, and never rewritten after it exists.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { manifestLines, parseManifestLines, type ManifestRow } from '../catalog/manifest';
import { keepingRecent } from '../common/recent-cache';
import { buckets, objects } from './commons-context';

export const releaseManifestKey = (release: number) => `catalog/releases/${release}/manifest.jsonl.gz`;

export async function writeReleaseManifest(release: number, rows: readonly ManifestRow[]): Promise<string> {
  const key = releaseManifestKey(release);
  await objects().put(buckets.released(), key, gzipSync(Buffer.from(manifestLines(rows), 'utf8')), { contentType: 'application/gzip' });
  return key;
}

/** A release manifest (immutable, so cached: the last two stay in memory). */
export const readReleaseManifest = keepingRecent(2, async (key: string): Promise<ManifestRow[]> => {
  const bytes = await objects().getBytes(buckets.released(), key);
  if (!bytes) throw new Error('a release manifest object is missing');
  return parseManifestLines(gunzipSync(bytes).toString('utf8'));
});
