/** Which frames a rendered request names, and which instance stands for a study or series in a thumbnail. */

export class InvalidFrameList extends Error {
  override readonly name = 'InvalidFrameList';
}

/** Most frame numbers one request may name. */
export const MAX_FRAME_LIST = 1000;

/** `1,3,5` (PS3.18 10.4.1.1.1: a comma-separated list of 1-based frame numbers), in the order given. */
export function parseFrameList(text: string): number[] {
  const fields = text.split(',').map((f) => f.trim());
  if (fields.length > MAX_FRAME_LIST) throw new InvalidFrameList(`at most ${MAX_FRAME_LIST} frame numbers`);
  return fields.map((field) => {
    if (!/^[0-9]{1,9}$/.test(field) || Number(field) < 1)
      throw new InvalidFrameList('frame numbers are positive integers, comma-separated');
    return Number(field);
  });
}

/**
 * Instances (already in series and instance order) in the order a thumbnail tries them:
 * the middle instance of each series first, series by series, so that a series without
 * pixels (an SR, a presentation state) costs one try; then the other instances.
 */
export function representativeOrder<T>(sorted: readonly T[], seriesOf: (item: T) => string): T[] {
  const groups = new Map<string, T[]>();
  for (const item of sorted) {
    const key = seriesOf(item);
    const group = groups.get(key) ?? [];
    group.push(item);
    groups.set(key, group);
  }
  const middles = [...groups.values()].map((group) => group[Math.floor((group.length - 1) / 2)] as T);
  const chosen = new Set(middles);
  return [...middles, ...sorted.filter((item) => !chosen.has(item))];
}
