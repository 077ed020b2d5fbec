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
