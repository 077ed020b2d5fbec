/**
 * Jensen-Shannon divergence and distance between two distributions given as counts (or
 * weights) per category. Base 2, so the divergence lies in 0..1; the distance is its square
 * root (a metric, also 0..1). Categories absent from one side count as zero there.
 */

/** Counts per category; values need not sum to 1 (they are normalized here). */
export type Distribution = Readonly<Record<string, number>>;

/** The Jensen-Shannon divergence, base 2 (0 for identical distributions, 1 for disjoint ones); undefined if either side is empty. */
export function jsDivergence(p: Distribution, q: Distribution): number | undefined {
  const pTotal = total(p);
  const qTotal = total(q);
  if (pTotal <= 0 || qTotal <= 0) return undefined;
  let divergence = 0;
  for (const category of new Set([...Object.keys(p), ...Object.keys(q)])) {
    const pi = (p[category] ?? 0) / pTotal;
    const qi = (q[category] ?? 0) / qTotal;
    const mi = (pi + qi) / 2;
    if (pi > 0) divergence += 0.5 * pi * Math.log2(pi / mi);
    if (qi > 0) divergence += 0.5 * qi * Math.log2(qi / mi);
  }
  // Rounding may leave a hair below 0 or above 1.
  return Math.min(1, Math.max(0, divergence));
}

/** The Jensen-Shannon distance: the square root of the base-2 divergence (0..1); undefined if either side is empty. */
export function jsDistance(p: Distribution, q: Distribution): number | undefined {
  const divergence = jsDivergence(p, q);
  return divergence === undefined ? undefined : Math.sqrt(divergence);
}

function total(d: Distribution): number {
  let sum = 0;
  for (const value of Object.values(d)) {
    if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError('a distribution holds a negative or non-finite weight');
    sum += value;
  }
  return sum;
}
