/** Scales of the portal's SVG charts: counts to pixel lengths with a round top and ticks a person reads easily. */

/** The smallest "nice" number (1, 2, 2.5, 5 times a power of ten) at or above `max`; 1 for an empty chart. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** Maps [0, domainMax] linearly onto [0, rangeMax]; values outside are clamped. */
export function linearScale(domainMax: number, rangeMax: number): (value: number) => number {
  const top = niceMax(domainMax);
  return (value) => (Math.min(Math.max(value, 0), top) / top) * rangeMax;
}

/** Up to `count` + 1 evenly spaced tick values from 0 to niceMax(max), whole numbers only (counts are whole). */
export function ticks(max: number, count = 4): number[] {
  const top = niceMax(max);
  const step = Math.max(1, Math.ceil(top / count));
  const out: number[] = [];
  for (let t = 0; t <= top; t += step) out.push(t);
  if (out[out.length - 1] !== top && top % step !== 0) out.push(top);
  return out;
}

/** Bars in a given order of labels (an age histogram in band order), zero where the API left a label out. */
export function barsInOrder(
  counts: readonly { value: string; count: number }[],
  order: readonly string[],
): { value: string; count: number }[] {
  const byValue = new Map(counts.map((c) => [c.value, c.count]));
  const known = order.map((value) => ({ value, count: byValue.get(value) ?? 0 }));
  const rest = counts.filter((c) => !order.includes(c.value));
  return [...known, ...rest];
}
