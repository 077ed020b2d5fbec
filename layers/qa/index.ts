/**
 * hilum's quality rules: pure TypeScript over Part 10 bytes and instance facts,
 * used by the ingest and submission workflows, the curator API and `hilum qa`.
 */
export * from './types';
export {
  DEFAULT_QA_CONFIG,
  InvalidQaConfig,
  parseQaConfig,
  qaConfigSchema,
  TRANSFER_SYNTAXES,
  type QaConfig,
  type QaConfigInput,
} from './config';
export { DatasetView } from './dataset-view';
export { headerFactsOfFile, recordedFacts, recordedFactsOf, type HeaderFacts, type InstanceFacts, type RecordedFacts } from './facts';
export { needingPixelDigest, type PixelFingerprint } from './pixel-keys';
export {
  evaluateInstance,
  evaluateStudies,
  evaluateSubmission,
  filesToQuarantine,
  type InstanceEvaluation,
  type InstanceOptions,
} from './engine';
export { ALL_RULES, INSTANCE_RULES, RULE_FOR_ERROR, RULE_IDS, STUDY_RULES, SUBMISSION_RULES, ruleById } from './rules';
export { duplicateSopProblems } from './rules/study/duplicate-sop';
export { pixelRiskOf } from './rules/instance/deid-pixel-review';
export type { SubmissionFacts } from './rules/submission/rule';
export { buildReport, hasQuarantine, REPORT_SCHEMA, type QaReport, type ReportFileInput, type ReportInput } from './report';
export { renderReportMarkdown } from './report-markdown';

import { parseQaConfig as parse } from './config';
import { RULE_IDS as ids } from './rules';
/** Validates a project's QA configuration against hilum's rules. */
export const loadQaConfig = (input: unknown) => parse(input, ids);
