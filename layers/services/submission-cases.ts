import { mostCommon, type Instance } from '../catalog/entities';
import {
  BASE_DICTIONARY,
  CASE_LEVEL_NODES,
  caseClinicalOnIndexTimeline,
  hasDateProperties,
  projectClinicalDictionary,
  type CaseClinical,
} from '../clinical';
import { clinicalRepository, projectRepository } from './commons-context';

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
  const cases = await projectRepository().getCases(project, patientOf.values());
  return new Map([...patientOf].filter(([, pseudonym]) => cases.has(pseudonym)));
}

/** The clinical records of each case (by pseudonym), with its age at index where known and not capped: what the rule checks for consistency. */
export async function clinicalOfCases(project: string, pseudonyms: Iterable<string>): Promise<ReadonlyMap<string, CaseClinical>> {
  const out = new Map<string, CaseClinical>();
  const nodes = BASE_DICTIONARY.nodes.filter((n) => !CASE_LEVEL_NODES.has(n.node));
  // A shifted-dates project's records carry dates: read on the days-from-index timeline of the case's (shifted) index date.
  const dictionary = projectClinicalDictionary(await projectRepository().getProject(project));
  const dated = dictionary.nodes.some(hasDateProperties);
  for (const pseudonym of new Set(pseudonyms)) {
    const found = await projectRepository().getCase(project, pseudonym);
    const records = [];
    for (const n of nodes) records.push(...(await clinicalRepository().listCaseNode(project, n.node, pseudonym)));
    const age = found?.ageAtIndex !== undefined && !found.ageCapped ? { ageAtIndex: found.ageAtIndex } : {};
    const indexDate = dated ? (await clinicalRepository().listCaseNode(project, 'case', pseudonym))[0]?.values.index_date : undefined;
    out.set(pseudonym, caseClinicalOnIndexTimeline(dictionary, { ...age, records }, typeof indexDate === 'string' ? indexDate : undefined));
  }
  return out;
}
