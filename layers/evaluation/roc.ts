/**
 * ROC AUC and its DeLong confidence interval.
 *
 * The AUC is the Mann-Whitney statistic: the probability that a positive case scores above
 * a negative one, ties counting one half. DeLong, DeLong & Clarke-Pearson (1988) give its
 * variance from the structural components V10 (per positive) and V01 (per negative); Sun &
 * Xu (2014) compute both from midranks in O(N log N) instead of comparing every pair.
 */
import { midranks } from './ranks';

/** One case as the metrics see it: a model score and the true binary label. */
export interface ScoredCase {
  readonly score: number;
  readonly label: boolean;
}

export interface AucWithCi {
  readonly auc: number;
  /** DeLong standard error. */
  readonly standardError: number;
  /** 95% interval, AUC +/- 1.96 SE, clipped to [0, 1]. */
  readonly lower: number;
  readonly upper: number;
}

/** The two-sided 95% standard normal quantile. */
export const Z_95 = 1.959963984540054;

function split(cases: readonly ScoredCase[]): { positives: number[]; negatives: number[] } {
  const positives: number[] = [];
  const negatives: number[] = [];
  for (const c of cases) (c.label ? positives : negatives).push(c.score);
  return { positives, negatives };
}

function sampleVariance(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  return values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1);
}

/** The AUC, or null when either class is absent (it is undefined then). */
export function rocAuc(cases: readonly ScoredCase[]): number | null {
  return aucWithDelongCi(cases)?.auc ?? null;
}

/** AUC with DeLong's 95% CI (Sun & Xu's fast algorithm); null when either class is absent. */
export function aucWithDelongCi(cases: readonly ScoredCase[]): AucWithCi | null {
  const { positives, negatives } = split(cases);
  const m = positives.length;
  const n = negatives.length;
  if (m === 0 || n === 0) return null;
  const withinPositives = midranks(positives);
  const withinNegatives = midranks(negatives);
  const combined = midranks([...positives, ...negatives]);
  // V10_i: the share of negatives below positive i (ties one half) = (its rank among all
  // minus its rank among positives) / n. V01_j likewise: the share of positives above j.
  const v10 = positives.map((_, i) => (combined[i]! - withinPositives[i]!) / n);
  const v01 = negatives.map((_, j) => 1 - (combined[m + j]! - withinNegatives[j]!) / m);
  const auc = v10.reduce((sum, v) => sum + v, 0) / m;
  const variance = sampleVariance(v10) / m + sampleVariance(v01) / n;
  const standardError = Math.sqrt(variance);
  return {
    auc,
    standardError,
    lower: Math.max(0, auc - Z_95 * standardError),
    upper: Math.min(1, auc + Z_95 * standardError),
  };
}

export interface RocPoint {
  readonly fpr: number;
  readonly tpr: number;
}

/**
 * The empirical ROC curve from (0,0) to (1,1), one point per distinct score. Thresholds are
 * left out on purpose: with them the curve would list every case's score.
 */
export function rocCurve(cases: readonly ScoredCase[]): RocPoint[] {
  const { positives, negatives } = split(cases);
  if (positives.length === 0 || negatives.length === 0) return [];
  const sorted = [...cases].sort((a, b) => b.score - a.score);
  const points: RocPoint[] = [{ fpr: 0, tpr: 0 }];
  let truePositives = 0;
  let falsePositives = 0;
  for (let i = 0; i < sorted.length; i += 1) {
    if (sorted[i]!.label) truePositives += 1;
    else falsePositives += 1;
    if (i + 1 === sorted.length || sorted[i + 1]!.score !== sorted[i]!.score) {
      points.push({ fpr: falsePositives / negatives.length, tpr: truePositives / positives.length });
    }
  }
  return points;
}
