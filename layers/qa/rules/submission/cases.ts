import type { SubmissionRule } from './rule';

/** Every study has a clinical case; a submission without clinical data passes with a warning. */
export const everyStudyHasCase: SubmissionRule = {
  id: 'submission.cases',
  level: 'submission',
  defaultSeverity: 'warn',
  description: 'Every study of the submission has a clinical case (warns "no clinical data" when none was provided)',
  overridable: true,
  offline: false,
  check: ({ studyUids, casesByStudy }) => {
    if (studyUids.length === 0) return [];
    if (!casesByStudy || casesByStudy.size === 0) return [{ message: 'no clinical data was provided for this submission' }];
    return studyUids.filter((uid) => !casesByStudy.has(uid)).map((studyUid) => ({ studyUid, message: 'the study has no clinical case' }));
  },
};
