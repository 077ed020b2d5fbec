/**
 * What the evaluation report page shows, from `GET /evaluations/{id}` as the API answers it
 * (layers/evaluation/report.ts): sentences, table rows and chart points. Only aggregates
 * exist in the answer, so only aggregates can be shown; suppressed subgroups are words,
 * never figures.
 */
import type { Calibration, EvaluationReport, EvaluationSpec, EvaluationStatus, SubgroupTable } from '../../../layers/evaluation';
import { formatFigure } from './plot';

/** The body of GET /evaluations/{id} (functions/api/evaluation-get.ts). */
export interface EvaluationAnswer {
  readonly evaluationId: string;
  readonly project: string;
  readonly status: EvaluationStatus;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly modelSha256: string;
  readonly spec: EvaluationSpec;
  readonly report?: EvaluationReport;
  readonly failure?: string;
}

const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  sex: 'Sex',
  race: 'Race',
  ethnicity: 'Ethnicity',
  ageBin: 'Age',
  site: 'Site',
  manufacturer: 'Manufacturer',
};

/** A subgroup attribute as a person reads it (`ageBin` is "Age"). */
export function attributeName(attribute: string): string {
  return ATTRIBUTE_NAMES[attribute] ?? attribute;
}

/** The whole set's AUC with both 95% intervals, in one sentence (the ROC chart's text equivalent starts with it). */
export function aucSentence(report: EvaluationReport): string {
  const { auc, bootstrap } = report;
  return (
    `AUC ${formatFigure(auc.auc)} (DeLong 95% CI ${formatFigure(auc.lower)} to ${formatFigure(auc.upper)}; ` +
    `bootstrap 95% CI ${formatFigure(bootstrap.lower)} to ${formatFigure(bootstrap.upper)}, ${bootstrap.resamples} resamples) ` +
    `over ${report.cases} cases (${report.positives} positive, ${report.negatives} negative)`
  );
}

/** The ROC curve as chart points (FPR across, TPR up); the API gives no thresholds, and neither does the page. */
export function rocPoints(report: EvaluationReport): { x: number; y: number }[] {
  return report.roc.map((p) => ({ x: p.fpr, y: p.tpr }));
}

export type SubgroupBar =
  | {
      readonly kind: 'auc';
      readonly label: string;
      readonly cases: number;
      readonly auc: number;
      readonly lower: number;
      readonly upper: number;
    }
  | { readonly kind: 'no-auc'; readonly label: string; readonly cases: number; readonly why: string };

/** One bar per shown subgroup (most cases first, as the API orders them); a subgroup of one class has no AUC. */
export function subgroupBars(table: SubgroupTable): SubgroupBar[] {
  return table.shown.map((s) =>
    s.auc
      ? { kind: 'auc', label: s.value, cases: s.cases, auc: s.auc.auc, lower: s.auc.lower, upper: s.auc.upper }
      : { kind: 'no-auc', label: s.value, cases: s.cases, why: s.positives === 0 ? 'no positive case' : 'no negative case' },
  );
}

/**
 * What the page says of an attribute's hidden subgroups: how many, and why, never their values
 * or figures. A subgroup may be hidden though it is large enough, so that a lone small one
 * cannot be recovered by subtracting the shown ones from the whole set.
 */
export function suppressedNote(table: SubgroupTable, minimumSubgroupSize: number): string | undefined {
  if (table.suppressedSubgroups === 0) return undefined;
  const n = table.suppressedSubgroups;
  return `${n} ${n === 1 ? 'subgroup' : 'subgroups'}: suppressed (fewer than ${minimumSubgroupSize} cases, or hidden with such a subgroup so that it cannot be recovered by subtraction)`;
}

/** A subgroup chart's text alternative: every bar in words. */
export function subgroupDescription(table: SubgroupTable, minimumSubgroupSize: number): string {
  const bars = subgroupBars(table).map((b) =>
    b.kind === 'auc'
      ? `${b.label} (${b.cases} cases): AUC ${formatFigure(b.auc)}, 95% CI ${formatFigure(b.lower)} to ${formatFigure(b.upper)}`
      : `${b.label} (${b.cases} cases): no AUC, ${b.why}`,
  );
  const note = suppressedNote(table, minimumSubgroupSize);
  return [...bars, ...(note ? [note] : [])].join('; ') || 'no subgroup shown';
}

export interface ReliabilityRow {
  readonly range: string;
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Null for an empty bin or one below the minimum size (its means would be a few cases' scores). */
  readonly meanScore: number | null;
  readonly observedRate: number | null;
  readonly note?: string;
}

export function reliabilityRows(calibration: Calibration, minimumSubgroupSize: number): ReliabilityRow[] {
  return calibration.bins.map((b) => {
    const base = {
      range: `${b.lower.toFixed(1)} to ${b.upper.toFixed(1)}`,
      lower: b.lower,
      upper: b.upper,
      count: b.count,
      meanScore: b.meanScore,
      observedRate: b.observedRate,
    };
    if (b.count === 0) return { ...base, note: 'empty' };
    if (b.observedRate === null || b.meanScore === null) return { ...base, note: `fewer than ${minimumSubgroupSize} cases: count only` };
    return base;
  });
}

export interface FairnessRow {
  readonly key: string;
  readonly subgroup: string;
  readonly threshold: number | undefined;
  readonly aucDifference: number | null;
  readonly equalOpportunityDifference: number | null;
  readonly averageAbsoluteOddsDifference: number | null;
}

/** The fairness measures of one attribute, one row per subgroup and operating point, against the reference subgroup. */
export function fairnessRows(table: SubgroupTable): FairnessRow[] {
  return table.fairness.flatMap((f): FairnessRow[] =>
    f.atOperatingPoints.length === 0
      ? [
          {
            key: f.value,
            subgroup: f.value,
            threshold: undefined,
            aucDifference: f.aucDifference,
            equalOpportunityDifference: null,
            averageAbsoluteOddsDifference: null,
          },
        ]
      : f.atOperatingPoints.map((p) => ({
          key: `${f.value}@${p.threshold}`,
          subgroup: f.value,
          threshold: p.threshold,
          aucDifference: f.aucDifference,
          equalOpportunityDifference: p.equalOpportunityDifference,
          averageAbsoluteOddsDifference: p.averageAbsoluteOddsDifference,
        })),
  );
}
