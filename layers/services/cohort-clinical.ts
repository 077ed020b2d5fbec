/**
 * The clinical records of a cohort's cases, only those the caller may see: the cases of the
 * cohort's studies the caller may download (the same studies its manifest lists: counted in
 * the caller's scope, then open, granted or granted through this cohort), one node at a time.
 */
import type { Caller } from '../access/caller';
import { decideStudy, type Level } from '../access';
import type { ClinicalRecord } from '../clinical';
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
  const { cohort, release, snapshot } = await loadCohortFor(caller, level, cohortId);
  const selected = memberUids(snapshot, cohort, await countScopeOf(caller, snapshot.facets.project.values));
  const ctx = await accessContext(caller, snapshot.facets.project.values);
  const allowedStudies = new Set<string>();
  const decided = new Set<string>();
  for (const row of await readReleaseManifest(release.manifestKey)) {
    if (!selected.has(row.studyUid) || decided.has(row.studyUid)) continue;
    decided.add(row.studyUid);
    if (decideStudy(ctx, row).allowed) allowedStudies.add(row.studyUid);
  }
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
