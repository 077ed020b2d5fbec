/**
 * The aggregate report of one evaluation: what leaves the commons. It holds figures over
 * the whole set and over subgroups of at least the minimum size; never a case, its score
 * or its identifier, and the ROC curve carries no thresholds (they would be scores).
 */
import { bootstrapAucCi, type BootstrapCi } from './bootstrap';
import { calibration, type Calibration } from './calibration';
import { operatingPoint, type OperatingPoint } from './operating-points';
import { aucWithDelongCi, rocCurve, type AucWithCi, type RocPoint } from './roc';
import { SUBGROUP_ATTRIBUTES, subgroupTable, type EvaluatedCase, type SubgroupTable } from './subgroups';

export interface ReportOptions {
  readonly thresholds: readonly number[];
  readonly minimumSubgroupSize: number;
  readonly calibrationBins: number;
  readonly bootstrapResamples: number;
  readonly bootstrapSeed: number;
}

export const DEFAULT_REPORT_OPTIONS = {
  minimumSubgroupSize: 10,
  calibrationBins: 10,
  bootstrapResamples: 1000,
  bootstrapSeed: 20,
} as const;

export interface EvaluationReport {
  readonly cases: number;
  readonly positives: number;
  readonly negatives: number;
  readonly auc: AucWithCi;
  readonly bootstrap: BootstrapCi;
  readonly operatingPoints: readonly OperatingPoint[];
  readonly roc: readonly RocPoint[];
  /** Null when the model's scores are not all in [0, 1]. */
  readonly calibration: Calibration | null;
  readonly minimumSubgroupSize: number;
  readonly subgroups: readonly SubgroupTable[];
}

export type ReportOutcome = { readonly ok: true; readonly report: EvaluationReport } | { readonly ok: false; readonly reason: string };

export function evaluationReport(cases: readonly EvaluatedCase[], options: ReportOptions): ReportOutcome {
  if (cases.length < options.minimumSubgroupSize) {
    return { ok: false, reason: 'the evaluation set holds fewer cases than the minimum subgroup size' };
  }
  const auc = aucWithDelongCi(cases);
  const bootstrap = bootstrapAucCi(cases, { resamples: options.bootstrapResamples, seed: options.bootstrapSeed });
  if (auc === null || bootstrap === null) {
    return { ok: false, reason: 'the evaluation set lacks positive or negative cases' };
  }
  const positives = cases.filter((c) => c.label).length;
  const subgroupOptions = {
    minimumSize: options.minimumSubgroupSize,
    thresholds: options.thresholds,
    calibrationBins: options.calibrationBins,
  };
  return {
    ok: true,
    report: {
      cases: cases.length,
      positives,
      negatives: cases.length - positives,
      auc,
      bootstrap,
      operatingPoints: options.thresholds.map((t) => operatingPoint(cases, t)),
      roc: rocCurve(cases),
      calibration: calibration(cases, { bins: options.calibrationBins, minimumBinSize: options.minimumSubgroupSize }),
      minimumSubgroupSize: options.minimumSubgroupSize,
      subgroups: SUBGROUP_ATTRIBUTES.map((attribute) => subgroupTable(attribute, cases, subgroupOptions)),
    },
  };
}
