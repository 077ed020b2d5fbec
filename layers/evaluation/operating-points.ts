/**
 * Sensitivity and specificity at a declared threshold: a case is called positive when its
 * score is at or above the threshold.
 */
import type { ScoredCase } from './roc';

export interface OperatingPoint {
  readonly threshold: number;
  /** True positive rate; null without positive cases. */
  readonly sensitivity: number | null;
  /** True negative rate; null without negative cases. */
  readonly specificity: number | null;
}

export function operatingPoint(cases: readonly ScoredCase[], threshold: number): OperatingPoint {
  let truePositives = 0;
  let positives = 0;
  let trueNegatives = 0;
  let negatives = 0;
  for (const c of cases) {
    const calledPositive = c.score >= threshold;
    if (c.label) {
      positives += 1;
      if (calledPositive) truePositives += 1;
    } else {
      negatives += 1;
      if (!calledPositive) trueNegatives += 1;
    }
  }
  return {
    threshold,
    sensitivity: positives === 0 ? null : truePositives / positives,
    specificity: negatives === 0 ? null : trueNegatives / negatives,
  };
}
