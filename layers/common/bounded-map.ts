/**
 * `fn` over `items` with at most `limit` calls in flight, the answers in the items' order (Promise.all's, without
 * starting every call at once). For request loops whose requests do not depend on each other: one after another
 * they wait a round trip each, and a task that makes fifty of them waits fifty; unbounded, a large list would open
 * as many connections at once. The first rejection rejects the whole, as Promise.all's does; calls already started
 * still run to their end, none is started after it.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a concurrency limit is a whole number of at least 1, not ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]!, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
