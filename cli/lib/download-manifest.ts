import { readFile } from 'node:fs/promises';

/** One object of a manifest: what to fetch and how to check it. */
export interface ManifestObject {
  readonly objectId: string;
  readonly studyUid: string;
  readonly seriesUid: string;
  readonly sopUid: string;
  readonly size: number;
  readonly sha256: string;
}

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

const UID = /^[0-9]+(\.[0-9]+)*$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** Reads a cohort manifest: hilum's JSON (`hilum-manifest/1`) or its CSV (object_id,study_uid,series_uid,sop_uid,size,sha256). */
export async function readManifest(path: string): Promise<ManifestObject[]> {
  const text = await readFile(path, 'utf8');
  const trimmed = text.trimStart();
  const rows = trimmed.startsWith('{') ? fromJson(trimmed) : fromCsv(text);
  rows.forEach(check);
  const ids = new Set<string>();
  return rows.filter((r) => (ids.has(r.objectId) ? false : (ids.add(r.objectId), true)));
}

function fromJson(text: string): ManifestObject[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ManifestError('the manifest is not valid JSON');
  }
  const objects = (parsed as { objects?: unknown }).objects;
  if (!Array.isArray(objects)) throw new ManifestError('the manifest has no objects list (expected hilum-manifest/1)');
  return objects as ManifestObject[];
}

function fromCsv(text: string): ManifestObject[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim());
  const at = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new ManifestError(`the CSV manifest has no ${name} column`);
    return i;
  };
  const cols = {
    id: at('object_id'),
    study: at('study_uid'),
    series: at('series_uid'),
    sop: at('sop_uid'),
    size: at('size'),
    sha: at('sha256'),
  };
  return lines.map((line) => {
    const v = line.split(',').map((x) => x.trim());
    return {
      objectId: v[cols.id] ?? '',
      studyUid: v[cols.study] ?? '',
      seriesUid: v[cols.series] ?? '',
      sopUid: v[cols.sop] ?? '',
      size: Number(v[cols.size]),
      sha256: v[cols.sha] ?? '',
    };
  });
}

/** Manifest values become file paths: only UIDs and hex digests pass. */
function check(row: ManifestObject, index: number): void {
  const where = `manifest object ${index + 1}`;
  if (!UID.test(row.studyUid) || !UID.test(row.seriesUid) || !UID.test(row.sopUid))
    throw new ManifestError(`${where}: UIDs must be dotted digits`);
  if (typeof row.objectId !== 'string' || row.objectId.length === 0) throw new ManifestError(`${where}: no object id`);
  if (!Number.isSafeInteger(row.size) || row.size < 0) throw new ManifestError(`${where}: size must be a whole number`);
  if (!SHA256.test(row.sha256)) throw new ManifestError(`${where}: sha256 must be 64 hex digits`);
}
