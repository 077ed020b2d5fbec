import type { Case, SnapshotPointer } from '../catalog/commons-entities';
import { studyRowOf } from '../catalog/search-rows';
import type { StudyRow } from '../search';
import { projectRepository, publicationRepository } from './commons-context';
import { publishMergedLive } from './snapshot-store';

/**
 * The live search snapshot with these studies added or refreshed from the catalog
 * (only published ones: a hidden study never reaches search), written as a new
 * version. Used after a submission is published and after a file admitted from
 * quarantine publishes a study outside any workflow. `retries` rebuilds on top of a
 * concurrent winner that many times before the SnapshotMoved reaches the caller
 * (a workflow passes 0: its Retry does the same).
 */
export async function refreshLiveStudies(studyUids: Iterable<string>, retries = 0): Promise<{ pointer: SnapshotPointer; changed: number }> {
  // Studies and their cases are read a hundred to a request (a submission of single-image studies has as many as files).
  const studies = await publicationRepository().getStudies(studyUids);
  const changed = [...studies.values()].filter((study) => study.status === 'published');
  const casesOf = new Map<string, Map<string, Case>>();
  for (const project of new Set(changed.map((study) => study.project))) {
    const pseudonyms = changed.flatMap((study) => (study.project === project && study.patientPseudonym ? [study.patientPseudonym] : []));
    casesOf.set(project, await projectRepository().getCases(project, pseudonyms));
  }
  const fresh: StudyRow[] = changed.map((study) =>
    studyRowOf(study, study.patientPseudonym ? casesOf.get(study.project)?.get(study.patientPseudonym) : undefined, undefined),
  );
  return { pointer: await publishMergedLive(fresh, retries), changed: fresh.length };
}
