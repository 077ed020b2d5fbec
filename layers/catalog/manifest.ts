/**
 * Manifests: one row per released object, the portable input of `hilum download`.
 *
 * The object id is `hilum:` + the SOP Instance UID. It is stable: the same
 * instance has the same id in every release and every manifest, and hilum's UIDs
 * are keyed remappings (unique across projects), so the id needs no registry. A
 * download tool resolves it through the API (GA4GH DRS later) and checks the
 * bytes against `sha256`.
 */
import type { Instance } from './entities';

export interface ManifestRow {
  readonly objectId: string;
  readonly studyUid: string;
  readonly seriesUid: string;
  readonly sopUid: string;
  readonly project: string;
  readonly objectKey: string;
  readonly size: number;
  readonly sha256: string;
}

export const objectIdOf = (i: Pick<Instance, 'sopUid'>) => `hilum:${i.sopUid}`;

export function manifestRowOf(i: Instance): ManifestRow {
  return {
    objectId: objectIdOf(i),
    studyUid: i.studyUid,
    seriesUid: i.seriesUid,
    sopUid: i.sopUid,
    project: i.project,
    objectKey: i.objectKey,
    size: i.size,
    sha256: i.sha256,
  };
}

/** JSON lines, one object per line (the stored release manifest). */
export function manifestLines(rows: readonly ManifestRow[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}

export function parseManifestLines(text: string): ManifestRow[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ManifestRow);
}

export const MANIFEST_CSV_COLUMNS = ['object_id', 'study_uid', 'series_uid', 'sop_uid', 'size', 'sha256'] as const;

/** What a researcher receives: no storage keys (the object id is the handle). */
export function manifestCsv(rows: readonly ManifestRow[]): string {
  // UIDs, ids and hex digests never contain commas or quotes.
  return (
    [MANIFEST_CSV_COLUMNS.join(','), ...rows.map((r) => [r.objectId, r.studyUid, r.seriesUid, r.sopUid, r.size, r.sha256].join(','))].join(
      '\n',
    ) + '\n'
  );
}
