/**
 * A release's objects in the released bucket: the manifest of every object
 * (JSON lines, gzip), the frozen search snapshot and the Parquet export. The manifest
 * and the snapshot are written before the release item, under keys of the cut's own
 * attempt that the item names; the export after it. None is rewritten after it exists.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { manifestLines, parseManifestLines, type ManifestRow } from '../catalog/manifest';
import { keepingRecent } from '../common/recent-cache';
import { buckets, objects } from './commons-context';

/** Where a release's manifest and frozen snapshot live (each cut attempt under its own keys). */
export const releaseObjectsPrefix = (release: number) => `catalog/releases/${release}/`;
export const releaseManifestKey = (release: number, attempt: string) => `${releaseObjectsPrefix(release)}manifest-${attempt}.jsonl.gz`;

export async function writeReleaseManifest(release: number, attempt: string, rows: readonly ManifestRow[]): Promise<string> {
  const key = releaseManifestKey(release, attempt);
  await objects().put(buckets.released(), key, gzipSync(Buffer.from(manifestLines(rows), 'utf8')), { contentType: 'application/gzip' });
  return key;
}

/** A release manifest (immutable, so cached: the last two stay in memory). */
export const readReleaseManifest = keepingRecent(2, async (key: string): Promise<ManifestRow[]> => {
  const bytes = await objects().getBytes(buckets.released(), key);
  if (!bytes) throw new Error('a release manifest object is missing');
  return parseManifestLines(gunzipSync(bytes).toString('utf8'));
});
