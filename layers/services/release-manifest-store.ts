/**
 * A release's objects in the released bucket: the manifest of every object
 * (JSON lines, gzip), the frozen search snapshot and the Parquet export. All are
 * written before the release item, and never rewritten after it exists.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { manifestLines, parseManifestLines, type ManifestRow } from '../catalog/manifest';
import { buckets, objects } from './commons-context';

export const releaseManifestKey = (release: number) => `catalog/releases/${release}/manifest.jsonl.gz`;

export async function writeReleaseManifest(release: number, rows: readonly ManifestRow[]): Promise<string> {
  const key = releaseManifestKey(release);
  await objects().put(buckets.released(), key, gzipSync(Buffer.from(manifestLines(rows), 'utf8')), { contentType: 'application/gzip' });
  return key;
}

const cache = new Map<string, ManifestRow[]>();

/** A release manifest (immutable, so cached: the last two stay in memory). */
export async function readReleaseManifest(key: string): Promise<ManifestRow[]> {
  const cached = cache.get(key);
  if (cached) return cached;
  const bytes = await objects().getBytes(buckets.released(), key);
  if (!bytes) throw new Error('a release manifest object is missing');
  const rows = parseManifestLines(gunzipSync(bytes).toString('utf8'));
  cache.set(key, rows);
  while (cache.size > 2) cache.delete(cache.keys().next().value as string);
  return rows;
}
