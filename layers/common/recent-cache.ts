/**
 * A loader of immutable objects (a release's frozen snapshot, its manifest) that keeps the
 * `size` most recently loaded values in memory: a warm function does not read them again,
 * and its memory stays bounded however many releases it is asked about.
 */
export function keepingRecent<V>(size: number, load: (key: string) => Promise<V>): (key: string) => Promise<V> {
  const kept = new Map<string, V>();
  return async (key) => {
    const cached = kept.get(key);
    if (cached !== undefined) return cached;
    const value = await load(key);
    kept.set(key, value);
    while (kept.size > size) kept.delete(kept.keys().next().value as string);
    return value;
  };
}
