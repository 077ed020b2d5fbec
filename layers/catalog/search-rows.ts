/**
 * Catalog records -> search rows. The case (cases.csv) is the truth for
 * demographics; DICOM's PatientSex / PatientAge fill in where the site sent no
 * case. The case's clinical records give the condition facet and the COVID-19 test result. "Unknown" / "Not Reported" answers count as `unknown`.
 */
import { sliceThicknessBand, type StudyRow } from '../search/model';
import type { Case } from './commons-entities';
import type { Study } from './entities';

const NOT_AN_ANSWER = new Set(['Unknown', 'Not Reported']);

/** A positive COVID-19 test on record says Yes whatever the case sheet says; a negative one answers only where the sheet is silent. */
function covid19Of(caseRecord: Case | undefined): string | undefined {
  if (caseRecord?.covid19Tested === 'Positive') return 'Yes';
  const stated = caseRecord?.covid19Positive && !NOT_AN_ANSWER.has(caseRecord.covid19Positive) ? caseRecord.covid19Positive : undefined;
  return stated ?? (caseRecord?.covid19Tested === 'Negative' ? 'No' : undefined);
}

export function studyRowOf(study: Study, caseRecord: Case | undefined, firstRelease: number | undefined): StudyRow {
  const answer = (value: string | undefined) => (value && !NOT_AN_ANSWER.has(value) ? value : undefined);
  const row: Record<string, unknown> = {
    studyUid: study.studyUid,
    project: study.project,
    site: study.site,
    firstRelease,
    modalities: [...study.modalities],
    bodyParts: [...(study.bodyParts ?? [])],
    manufacturers: [...(study.manufacturers ?? [])],
    viewPositions: [...(study.viewPositions ?? [])],
    sliceThicknessBands: [...new Set((study.sliceThicknesses ?? []).map(sliceThicknessBand))],
    sex: answer(caseRecord?.sex) ?? answer(study.patientSex),
    age: caseRecord?.ageAtIndex ?? study.patientAge,
    race: answer(caseRecord?.race),
    ethnicity: answer(caseRecord?.ethnicity),
    covid19: covid19Of(caseRecord),
    conditions: caseRecord?.conditions?.length ? [...caseRecord.conditions] : undefined,
    studyYear: study.studyYear,
    description: study.studyDescription,
    publishedAt: study.publishedAt ?? study.indexedAt,
  };
  for (const key of Object.keys(row)) if (row[key] === undefined) delete row[key];
  return row as unknown as StudyRow;
}
