import { clinicalInconsistencies } from '../../../clinical';
import type { SubmissionProblem, SubmissionRule } from './rule';

/**
 * Every study has a clinical case, and the case's clinical records agree with each other (none
 * before the patient's birth, ages at imaging matching the age at index and the days between,
 * vaccine doses in order). A submission without clinical data passes with a warning.
 */
export const everyStudyHasCase: SubmissionRule = {
  id: 'submission.cases',
  level: 'submission',
  defaultSeverity: 'warn',
  description:
    'Every study of the submission has a clinical case whose clinical records are consistent (warns "no clinical data" when none was provided)',
  overridable: true,
  offline: false,
  check: ({ studyUids, casesByStudy, clinicalByCase }) => {
    if (studyUids.length === 0) return [];
    if (!casesByStudy || casesByStudy.size === 0) return [{ message: 'no clinical data was provided for this submission' }];
    const problems: SubmissionProblem[] = [];
    for (const studyUid of studyUids) {
      const pseudonym = casesByStudy.get(studyUid);
      if (pseudonym === undefined) {
        problems.push({ studyUid, message: 'the study has no clinical case' });
        continue;
      }
      const clinical = clinicalByCase?.get(pseudonym);
      if (clinical) for (const message of clinicalInconsistencies(clinical)) problems.push({ studyUid, message: `its case: ${message}` });
    }
    return problems;
  },
};
