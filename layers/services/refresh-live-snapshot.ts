import type { SnapshotPointer } from '../catalog/commons-entities';
import type { Study } from '../catalog/entities';
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
  const changed = new Map<string, Study>();
  for (const studyUid of studyUids) {
    const study = await publicationRepository().getStudy(studyUid);
    if (study?.status === 'published') changed.set(studyUid, study);
  }
  const fresh: StudyRow[] = [];
  for (const study of changed.values()) {
    const caseRecord = study.patientPseudonym ? await projectRepository().getCase(study.project, study.patientPseudonym) : undefined;
    fresh.push(studyRowOf(study, caseRecord, undefined));
  }
  return { pointer: await publishMergedLive(fresh, retries), changed: fresh.length };
}
