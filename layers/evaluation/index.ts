export { midranks } from './ranks';
export { aucWithDelongCi, rocAuc, rocCurve, Z_95, type AucWithCi, type RocPoint, type ScoredCase } from './roc';
export { bootstrapAucCi, quantile, seededRandom, type BootstrapCi } from './bootstrap';
export { operatingPoint, type OperatingPoint } from './operating-points';
export { calibration, type Calibration, type ReliabilityBin } from './calibration';
export {
  AGE_BINS,
  SUBGROUP_ATTRIBUTES,
  UNKNOWN_SUBGROUP,
  ageBin,
  subgroupTable,
  suppressedValues,
  type EvaluatedCase,
  type FairnessMeasure,
  type SubgroupAttribute,
  type SubgroupMetrics,
  type SubgroupTable,
} from './subgroups';
export { DEFAULT_REPORT_OPTIONS, evaluationReport, type EvaluationReport, type ReportOptions, type ReportOutcome } from './report';
export { evaluationSpec, MAX_MODEL_BYTES, TASK_LABELS, type EvaluationSpec } from './spec';
export { modelInput, windowed, type ModelImage } from './preprocess';
export {
  MINIMUM_SUBGROUP_SIZE_CEILING,
  MINIMUM_SUBGROUP_SIZE_FLOOR,
  MINIMUM_SUBGROUP_SIZE_SETTING,
  minimumSubgroupSizeOf,
  minimumSubgroupSizeProblem,
} from './settings';
export {
  DEFAULT_EVALUATION_QUOTA,
  evaluationQuotaOf,
  freeQuotaSlot,
  quotaPeriodStart,
  quotaReachedReason,
  quotaRefusal,
  type EvaluationQuota,
  type QuotaSlotClaim,
} from './quota';
export {
  EVALUATION_STATUSES,
  EVALUATIONS_PREFIX,
  evaluationAuditSummary,
  evaluationCasesKey,
  evaluationModelKey,
  evaluationScoreKey,
  type Evaluation,
  type EvaluationStatus,
} from './record';
export { caseLabel, chooseInstance, evaluationCase, type CandidateInstance, type EvaluationCase, type SequesteredCase } from './cases';
