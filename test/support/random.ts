/** mulberry32's words, 0 .. 2^32 - 1: small and seedable, so the same seed gives the same data on every machine. */
export function rngWords(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** mulberry32 in [0, 1) (tests and benchmarks). */
export function rng(seed: number): () => number {
  const words = rngWords(seed);
  return () => words() / 4294967296;
}
