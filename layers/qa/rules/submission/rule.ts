import type { RuleMeta } from '../../types';

/** What the submission-level rules see: the announced files' states and the clinical cases, if any. */
export interface SubmissionFacts {
  readonly files: readonly { readonly fileId: string; readonly status: string }[];
  readonly studyUids: readonly string[];
  /**
   * Case ids by study, from the catalog's `casesForSubmission` hook; undefined
   * when the site provided no clinical data for the submission.
   */
  readonly casesByStudy?: ReadonlyMap<string, string>;
}

export interface SubmissionProblem {
  readonly message: string;
  readonly fileId?: string;
  readonly studyUid?: string;
}

export interface SubmissionRule extends RuleMeta {
  readonly level: 'submission';
  check(facts: SubmissionFacts): readonly SubmissionProblem[];
}
