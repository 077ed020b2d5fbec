/**
 * An evaluation's catalog record: who asked, on which project, with which declared spec and
 * model (its SHA-256), its status and, once done, the aggregate report. Per-case scores are
 * never in it: they stay in the commons' private location (`evaluationScoreKey`).
 */
import type { EvaluationReport } from './report';
import type { EvaluationSpec } from './spec';

export const EVALUATION_STATUSES = ['awaiting-model', 'running', 'succeeded', 'failed'] as const;
export type EvaluationStatus = (typeof EVALUATION_STATUSES)[number];

export interface Evaluation {
  readonly evaluationId: string;
  /** The evaluator's subject. */
  readonly owner: string;
  readonly project: string;
  readonly spec: EvaluationSpec;
  readonly status: EvaluationStatus;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly report?: EvaluationReport;
  /** Why it failed, value-free. */
  readonly failure?: string;
}

/** The private location, in the released bucket, under a prefix no route serves. */
export const EVALUATIONS_PREFIX = 'evaluations/';
export const evaluationModelKey = (evaluationId: string): string => `${EVALUATIONS_PREFIX}${evaluationId}/model.onnx`;
export const evaluationCasesKey = (evaluationId: string): string => `${EVALUATIONS_PREFIX}${evaluationId}/cases.json`;
export const evaluationScoreKey = (evaluationId: string, caseIndex: number): string =>
  `${EVALUATIONS_PREFIX}${evaluationId}/scores/${caseIndex}.json`;

/** What the audit log keeps of a finished evaluation: enough to see repeated probing, no case. */
export function evaluationAuditSummary(evaluation: Evaluation): Record<string, unknown> {
  const report = evaluation.report;
  return {
    project: evaluation.project,
    modelSha256: evaluation.spec.model.sha256,
    status: evaluation.status,
    ...(report
      ? {
          cases: report.cases,
          auc: report.auc.auc,
          aucLower: report.auc.lower,
          aucUpper: report.auc.upper,
          expectedCalibrationError: report.calibration?.expectedCalibrationError ?? null,
        }
      : {}),
  };
}
