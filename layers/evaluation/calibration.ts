/**
 * Calibration of scores read as probabilities: the expected calibration error over
 * equal-width bins of [0, 1] and the reliability diagram's points.
 */
import type { ScoredCase } from './roc';

export interface ReliabilityBin {
  /** The bin's score range [lower, upper) (the last bin includes 1). */
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Mean score and observed positive fraction; null in an empty bin or one below the minimum size. */
  readonly meanScore: number | null;
  readonly observedRate: number | null;
}

export interface Calibration {
  /** ECE = sum over bins of (bin count / N) * |mean score - observed positive rate|. */
  readonly expectedCalibrationError: number;
  readonly bins: readonly ReliabilityBin[];
}

/**
 * Null when some score lies outside [0, 1] (the model's output is not a probability) or
 * there are no cases. Bins holding fewer than `minimumBinSize` cases keep their count but
 * not their means, which would be a few cases' scores and labels.
 */
export function calibration(
  cases: readonly ScoredCase[],
  options: { readonly bins: number; readonly minimumBinSize: number },
): Calibration | null {
  if (cases.length === 0 || cases.some((c) => !(c.score >= 0 && c.score <= 1))) return null;
  const count = new Array<number>(options.bins).fill(0);
  const scoreSum = new Array<number>(options.bins).fill(0);
  const positives = new Array<number>(options.bins).fill(0);
  for (const c of cases) {
    const bin = Math.min(Math.floor(c.score * options.bins), options.bins - 1);
    count[bin]! += 1;
    scoreSum[bin]! += c.score;
    if (c.label) positives[bin]! += 1;
  }
  let error = 0;
  const bins: ReliabilityBin[] = [];
  for (let b = 0; b < options.bins; b += 1) {
    const n = count[b]!;
    if (n > 0) error += (n / cases.length) * Math.abs(scoreSum[b]! / n - positives[b]! / n);
    const shown = n > 0 && n >= options.minimumBinSize;
    bins.push({
      lower: b / options.bins,
      upper: (b + 1) / options.bins,
      count: n,
      meanScore: shown ? scoreSum[b]! / n : null,
      observedRate: shown ? positives[b]! / n : null,
    });
  }
  return { expectedCalibrationError: error, bins };
}
