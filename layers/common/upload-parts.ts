/** S3 allows at most 10,000 parts, each at least 5 MiB except the last. */
const MAX_PARTS = 10_000;
const MIN_PART_BYTES = 8 * 1024 * 1024;
const MIB = 1024 * 1024;

export interface PartPlan {
  readonly partSize: number;
  readonly parts: readonly { partNumber: number; offset: number; size: number }[];
}

/** Splits an object into equal parts (the last one shorter) within S3's limits. */
export function planParts(size: number): PartPlan {
  const partSize = Math.max(MIN_PART_BYTES, Math.ceil(size / MAX_PARTS / MIB) * MIB);
  const parts = [];
  for (let offset = 0, partNumber = 1; offset < size; offset += partSize, partNumber += 1) {
    parts.push({ partNumber, offset, size: Math.min(partSize, size - offset) });
  }
  return { partSize, parts };
}
