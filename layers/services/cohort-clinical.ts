/**
 * The clinical records of a cohort's cases, only those the caller may see: the cases of the
 * cohort's studies the caller may download (the same studies its manifest lists: counted in
 * the caller's scope, then open, granted or granted through this cohort), one node at a time.
 */
import type { Caller } from '../access/caller';
import { decideStudy, type Level } from '../access';
import type { ClinicalRecord } from '../clinical';
import type { Cohort, Release } from '../catalog/commons-entities';
import type { ManifestRow } from '../catalog/manifest';
import { accessContext } from './access-context';
import { countScopeOf } from './caller-scope';
import { loadCohortFor, memberUids } from './cohort-access';
import { clinicalRepository, publicationRepository } from './commons-context';
import { readReleaseManifest } from './release-manifest-store';

export async function cohortClinicalRecords(
  caller: Caller,
  level: Level,
  cohortId: string,
  node: string,
): Promise<{ readonly cohortId: string; readonly cases: number; readonly records: ClinicalRecord[] }> {
  const { cohort, rows } = await cohortDownloadableObjects(caller, level, cohortId);
  const allowedStudies = new Set(rows.map((r) => r.studyUid));
  const casesByProject = new Map<string, Set<string>>();
  for (const uid of allowedStudies) {
    const study = await publicationRepository().getStudy(uid);
    if (!study?.patientPseudonym) continue;
    const set = casesByProject.get(study.project) ?? new Set<string>();
    set.add(study.patientPseudonym);
    casesByProject.set(study.project, set);
  }
  const records: ClinicalRecord[] = [];
  for (const [project, cases] of casesByProject)
    records.push(...(await clinicalRepository().listNode(project, node)).filter((r) => cases.has(r.casePseudonym)));
  return { cohortId: cohort.cohortId, cases: [...casesByProject.values()].reduce((n, s) => n + s.size, 0), records };
}

/**
 * The release manifest's rows of a cohort's studies that the caller may download: counted in the
 * caller's scope, then open, granted or granted through this cohort. What the cohort's manifest,
 * clinical tables and FHIR export all start from.
 */
export async function cohortDownloadableObjects(
  caller: Caller,
  level: Level,
  cohortId: string,
): Promise<{ readonly cohort: Cohort; readonly release: Release; readonly rows: ManifestRow[] }> {
  const { cohort, release, snapshot } = await loadCohortFor(caller, level, cohortId);
  const selected = memberUids(snapshot, cohort, await countScopeOf(caller, snapshot.facets.project.values));
  const ctx = await accessContext(caller, snapshot.facets.project.values);
  const decided = new Map<string, boolean>();
  const rows = (await readReleaseManifest(release.manifestKey)).filter((row) => {
    if (!selected.has(row.studyUid)) return false;
    let ok = decided.get(row.studyUid);
    if (ok === undefined) decided.set(row.studyUid, (ok = decideStudy(ctx, row).allowed));
    return ok;
  });
  return { cohort, release, rows };
}
