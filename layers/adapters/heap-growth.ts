import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets a function's old generation grow after each full collection: the new limit is this much
 * above the live heap (300: four times the live heap), set on every function by the house construct
 * (infra/constructs/hilum-function.ts) and by the local commons for all its threads.
 *
 * Why (docs/ingest-scale.md, "What starts V8's major collections"): V8 sizes the limit from how fast it
 * collects against how fast the function allocates, and for a handler's heap (~16-36 MB live, collected
 * quickly) that came to only 8-47 MB above the live heap. V8 starts marking as soon as the room left below
 * the limit is less than its young generation's target capacity, so with that little room it started again at
 * once after each collection: 1.1-1.8 major collections per 10 MB radiograph in the ingest thread and ~2 in
 * the S3 emulator's, each marked on V8's helper threads, though each freed little. With the limit at four times
 * the live heap (room of three times the live heap beyond V8's own margin) they come at the pace the heap really
 * fills. The external memory of the 10 MB buffers started its own collections (V8's 64 MB rule) until session
 * 14: with the percent, applyHeapGrowth counts it in the same limit (EXTERNAL_MEMORY_IN_THE_LIMIT, below).
 *
 * A variable and not a flag on node's command line: Lambda starts node itself, and NODE_OPTIONS admits no
 * such V8 flag. This one V8 reads at every collection, so setting it while the process runs takes effect.
 */
export const HEAP_GROWING_PERCENT = 300;

/** The variable the handlers' process reads it from (a house variable of every function, as NODE_OPTIONS). */
export const HEAP_GROWING_PERCENT_VARIABLE = 'V8_HEAP_GROWING_PERCENT';

/** The largest percent taken: beyond it one function's heap could grow toward its memory before a collection. */
const MAX_PERCENT = 1000;

/** The V8 flag for a variable's value; undefined when it is unset or not a whole percent from 1 to MAX_PERCENT. */
export function heapGrowingFlag(value: string | undefined): string | undefined {
  if (value === undefined || !/^[1-9]\d{0,3}$/.test(value)) return undefined;
  const percent = Number(value);
  return percent <= MAX_PERCENT ? `--heap-growing-percent=${percent}` : undefined;
}

/**
 * Sets V8's heap growing percent for this process (every thread's heap) from `env`; true if it was set.
 * Once per process is enough: handlers call it at module scope, the local commons before it starts its threads.
 */
export function applyHeapGrowth(env: NodeJS.ProcessEnv = process.env, setFlags: (flags: string) => void = setFlagsFromString): boolean {
  const flag = heapGrowingFlag(env[HEAP_GROWING_PERCENT_VARIABLE]);
  if (flag) setFlags(`${flag} ${EXTERNAL_MEMORY_IN_THE_LIMIT}`);
  return flag !== undefined;
}

/**
 * Set with the growing percent: buffers' memory (ArrayBuffers: a radiograph's GET body, its copy, the socket's chunks)
 * counted in the same limit as the heap, so that the limit grows with them as with the heap, instead of V8's fixed
 * rule of a full collection for every 64 MB of new external memory. A function thread that holds a 10 MB radiograph
 * and its copy brought a full collection every radiograph or two under that rule, each marking its whole ~35 MB heap
 * on V8's helper threads (~40 ms of CPU per radiograph): bench ingest's radiograph set, two alternated pairs,
 * V8's threads 41, 42 -> 18, 18 ms per radiograph, the commons 209, 200 -> 169, 163 ms (docs/ingest-scale.md,
 * session 14). Like the growing percent, V8 reads it as it runs: a handler's init sets it for its isolate.
 */
const EXTERNAL_MEMORY_IN_THE_LIMIT = '--external-memory-accounted-in-global-limit';
