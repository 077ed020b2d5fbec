import type { CaseClinical } from '../../../clinical';
import type { RuleMeta } from '../../types';

/** What the submission-level rules see: the announced files' states and the clinical cases, if any. */
export interface SubmissionFacts {
  readonly files: readonly { readonly fileId: string; readonly status: string }[];
  readonly studyUids: readonly string[];
  /**
   * The clinical case (its pseudonym) of each study that has one, from the project's cases
   * (`layers/services/submission-cases.ts`); empty or undefined (offline, where no cases
   * are known) when no study has a case.
   */
  readonly casesByStudy?: ReadonlyMap<string, string>;
  /** The clinical records of those cases, by case pseudonym (absent offline). */
  readonly clinicalByCase?: ReadonlyMap<string, CaseClinical>;
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
