/**
 * Midranks (ties share the mean of the ranks they span), 1-based: the one primitive that
 * the Mann-Whitney AUC and DeLong's structural components are built from (Sun & Xu 2014).
 */
export function midranks(values: readonly number[]): number[] {
  const order = values.map((_, index) => index).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1]!] === values[order[start]!]) end += 1;
    // Positions start..end (0-based) hold equal values: each gets the mean of ranks start+1..end+1.
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k += 1) ranks[order[k]!] = rank;
    start = end + 1;
  }
  return ranks;
}
