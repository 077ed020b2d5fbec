/**
 * CPU milliseconds of the best of a few runs, interleaved after a warm-up: CPU time
 * and the best run are what other work on a loaded machine disturbs least, so
 * timing tests compare a ratio of these between two sizes, never an absolute time.
 */
export function bestCpuMs(runs: Array<() => void>, rounds = 5): number[] {
  for (const run of runs) run();
  const best = runs.map(() => Number.POSITIVE_INFINITY);
  for (let round = 0; round < rounds; round += 1) {
    runs.forEach((run, i) => {
      const start = process.cpuUsage();
      run();
      const used = process.cpuUsage(start);
      best[i] = Math.min(best[i] as number, (used.user + used.system) / 1000);
    });
  }
  return best;
}
