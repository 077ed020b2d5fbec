import { mostCommon, type Instance } from '../catalog/entities';
import { projectRepository } from './commons-context';

/**
 * The clinical case of each study (study UID -> case pseudonym), for the `submission.cases`
 * rule. Cases and studies meet on the patient pseudonym: a cases.csv row's case id is the
 * PatientID of the patient's studies, and both are pseudonymized with the same key
 * (docs/catalog.md, "Cases"). A study's patient is its instances' pseudonym, the most common
 * one as indexing takes it (study QA runs before indexing, so the study record may not have
 * it yet). Every case of the project counts, also one an earlier submission of the site sent.
 * A study without a pseudonym, or whose pseudonym has no case, is left out.
 */
export async function casesByStudy(project: string, instances: readonly Instance[]): Promise<ReadonlyMap<string, string>> {
  const patientOf = new Map<string, string>();
  for (const studyUid of new Set(instances.map((i) => i.studyUid))) {
    const pseudonym = mostCommon(instances.filter((i) => i.studyUid === studyUid).map((i) => i.patientPseudonym));
    if (pseudonym !== undefined) patientOf.set(studyUid, pseudonym);
  }
  const hasCase = new Map<string, boolean>();
  for (const pseudonym of new Set(patientOf.values()))
    hasCase.set(pseudonym, (await projectRepository().getCase(project, pseudonym)) !== undefined);
  return new Map([...patientOf].filter(([, pseudonym]) => hasCase.get(pseudonym)));
}
