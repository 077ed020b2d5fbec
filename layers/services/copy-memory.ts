import { ReusedMemory, type Lease } from '../common/reused-memory';
import type { CopyMemory } from '../ingest/process-instance';
import { INGEST_BATCH_MAX_OBJECTS } from '../pipeline/ingest-states';

/**
 * The memory de-identified copies are joined into, kept from object to object in this container (locally: this
 * function thread) instead of a new 10 MB per radiograph. A batch's copies wait together for their staging, so as
 * many buffers are kept as a batch has objects; a copy larger than a batched object (16 MiB) gets memory of its own.
 */
export const keptCopies = new ReusedMemory({ keep: INGEST_BATCH_MAX_OBJECTS, largest: 16 * 1024 * 1024 });

/** One object's copy memory: `into` for the de-identify step, `release` once nothing reads the copy. */
export interface CopyLease {
  readonly into: CopyMemory;
  /**
   * Gives the memory back: when the object ends before its staging (held by QA, a file error: nothing of the copy
   * was sent), or once its PUT was answered and the staging read it. Every view of the copy reads as empty from then
   * on. A second call does nothing; without a call to `into` (a file kept as received) there is nothing to give back.
   */
  readonly release: () => void;
}

export function copyLease(): CopyLease {
  let lease: Lease | undefined;
  return {
    into: (length) => {
      // One copy per object: a second call would leave the first lease to the garbage collector, never lend it twice.
      lease = keptCopies.lease(length);
      return lease.bytes;
    },
    release: () => lease?.release(),
  };
}
