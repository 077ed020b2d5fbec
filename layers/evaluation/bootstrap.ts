/**
 * A percentile bootstrap CI of the AUC over cases, reproducible from a seed.
 *
 * Resampling is stratified (positives and negatives each drawn with replacement to their
 * own count, as pROC's default), so every resample has both classes and an AUC.
 */
import { rocAuc, type ScoredCase } from './roc';

/** mulberry32: a small seeded PRNG; the same seed gives the same sequence everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BootstrapCi {
  readonly lower: number;
  readonly upper: number;
  readonly resamples: number;
  readonly seed: number;
}

/** The value at quantile q of sorted values, linearly interpolated (R's type 7). */
export function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

export function bootstrapAucCi(
  cases: readonly ScoredCase[],
  options: { readonly resamples: number; readonly seed: number },
): BootstrapCi | null {
  const positives = cases.filter((c) => c.label);
  const negatives = cases.filter((c) => !c.label);
  if (positives.length === 0 || negatives.length === 0 || options.resamples < 1) return null;
  const random = seededRandom(options.seed);
  const draw = (from: readonly ScoredCase[]): ScoredCase[] => from.map(() => from[Math.floor(random() * from.length)]!);
  const aucs: number[] = [];
  for (let r = 0; r < options.resamples; r += 1) {
    aucs.push(rocAuc([...draw(positives), ...draw(negatives)])!);
  }
  aucs.sort((a, b) => a - b);
  return { lower: quantile(aucs, 0.025), upper: quantile(aucs, 0.975), resamples: options.resamples, seed: options.seed };
}
