import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';

/**
 * V8's flags for a check that allocates a file's worth of buffers per file on a machine of `cores` cores.
 *
 * Why: each 10 MB radiograph the site-side check reads costs V8 two full collections (they start whenever
 * another 64 MB of array buffers was allocated: the de-identified copy, the burned-in check's images), and V8
 * marks the heap for them on worker threads alongside the main one. On two cores those threads compete with
 * the check itself (and, locally, with the commons), and measured here they cost more than they save: 60-80 ms
 * of worker CPU per radiograph, where marking on the main thread alone added ~30 ms there and took ~30 ms less
 * CPU in all (docs/ingest-scale.md, "The upload client's CPU per radiograph"). With more cores the markers run
 * beside the check and shorten its wall time, so they stay.
 */
export function gcFlagsFor(cores: number): string[] {
  return cores <= 2 ? ['--no-concurrent-marking'] : [];
}

/**
 * Applies gcFlagsFor this machine to this process, before its first file. Process-wide and one-way: for a
 * CLI command only. (--no-concurrent-marking is one of the GC flags V8 takes after its start; the parallel
 * marking flags are not: V8 aborts.)
 */
export function markOnTheMainThreadOnSmallMachines(cores = availableParallelism()): void {
  for (const flag of gcFlagsFor(cores)) setFlagsFromString(flag);
}
