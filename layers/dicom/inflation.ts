/**
 * How far a Deflated Explicit VR Little Endian data set may inflate. Deflate
 * reaches about 1000:1, so a 1 MB upload can claim a gigabyte of memory in every
 * step that reads it; each inflation in hilum is therefore bounded before it
 * starts (docs/deidentification.md, "Deflated files").
 *
 * Two limits:
 * - the ceiling, for every reader (pipeline steps, verifier, QA, DICOMweb, CLI):
 *   what a 1 GB task can hold three times over (the engine keeps the inflated
 *   input, its de-identified copy and the deflate working set);
 * - the intake policy of a project, applied by Parse to what a site sends:
 *   a ratio to the object's declared size (above a floor) and a byte cap at most
 *   the ceiling. A project sets it in its QA configuration (`inflation`).
 */
const MIB = 1024 * 1024;

export interface InflationPolicy {
  /** The most bytes the data set may inflate to; never above INFLATION_CEILING_BYTES. */
  readonly maxBytes: number;
  /** The most inflated bytes per byte of the object, for data sets above INFLATION_FLOOR_BYTES. */
  readonly maxRatio: number;
}

/** No inflated data set is ever larger, whatever a project configures. */
export const INFLATION_CEILING_BYTES = 256 * MIB;

/** Up to this size the ratio does not matter: a blank image deflates 1000:1 and costs nothing to hold. */
export const INFLATION_FLOOR_BYTES = 16 * MIB;

/** Deflate's own best ratio is about 1032:1; a ratio cap above it would cap nothing. */
export const MAX_INFLATION_RATIO = 1032;

/** A project's intake policy when it configures none. */
export const DEFAULT_INFLATION_POLICY: InflationPolicy = { maxBytes: 128 * MIB, maxRatio: 100 };

/** The ceiling alone: readers of data sets that already passed intake, and offline tools. */
export const CEILING_ONLY: InflationPolicy = { maxBytes: INFLATION_CEILING_BYTES, maxRatio: Number.POSITIVE_INFINITY };

/** The inflated size a data set of an object of `objectBytes` may reach under `policy`. */
export function inflationLimit(objectBytes: number, policy: InflationPolicy): number {
  const byRatio = Math.max(INFLATION_FLOOR_BYTES, Math.ceil(objectBytes * policy.maxRatio));
  return Math.max(1, Math.min(policy.maxBytes, INFLATION_CEILING_BYTES, byRatio));
}
