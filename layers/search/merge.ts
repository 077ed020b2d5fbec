import { StudyRow } from './model';

/**
 * The incremental rebuild: the previous snapshot's rows with the changed studies
 * replaced (same UID) or added. A study keeps the first release it was given,
 * whatever the replacement says, because releases never drop a study.
 */
export function mergeRows(previous: readonly StudyRow[], changed: readonly StudyRow[]): StudyRow[] {
  const byUid = new Map(previous.map((r) => [r.studyUid, r]));
  for (const row of changed) {
    const before = byUid.get(row.studyUid);
    const firstRelease = before?.firstRelease ?? row.firstRelease;
    byUid.set(row.studyUid, firstRelease === undefined ? withoutRelease(row) : { ...row, firstRelease });
  }
  return [...byUid.values()];
}

function withoutRelease(row: StudyRow): StudyRow {
  const { firstRelease: _r, ...rest } = row;
  return rest;
}
