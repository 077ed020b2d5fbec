import { ReusedMemory, type Lease } from '../common/reused-memory';
import type { CopyMemory } from '../ingest/process-instance';
import { INGEST_BATCH_MAX_OBJECTS } from '../pipeline/ingest-states';

/**
 * The memory an ingest reads each original into and joins each de-identified copy into, kept from object to object
 * in this container (locally: this function thread) instead of two new 10 MB buffers per radiograph. Memory new to a
 * process costs a page fault per 4 KB page and, on a virtual machine whose host takes freed memory back, the host's
 * work to hand it over again (~2 ms per MB on the bench's machine: docs/ingest-scale.md, session 17).
 *
 * A batch's copies wait together for their staging, while its originals are read one at a time and given back once
 * their copy is verified: a batch holds at most its copies and one original. Locally two batches may share a function
 * thread (the Lambda host's byte budget admits them), so twice that is kept; an object larger than a batched one is
 * expected to be (16 MiB) gets memory of its own.
 */
export const keptObjectMemory = new ReusedMemory({ keep: 2 * (INGEST_BATCH_MAX_OBJECTS + 1), largest: 16 * 1024 * 1024 });

/** One object's memory: `original` for its read, `copy` for the de-identify step's join, each given back when done with. */
export interface ObjectMemory {
  readonly original: (length: number) => Uint8Array;
  readonly copy: CopyMemory;
  /**
   * Gives the original's memory back once only the copy is read on (verified, hashed, checked), unless `copy` views
   * the original's memory (a file kept as received is its own copy): then it goes at release(). Every view of the
   * original reads as empty from then on.
   */
  readonly releaseOriginal: (copy: Uint8Array) => void;
  /**
   * Gives everything still lent back: when the object ends before its staging (held by QA, a file error: nothing of
   * the copy was sent), or once its PUT was answered and the staging read it. Every view of either reads as empty
   * from then on. A second call does nothing; memory never asked for (a handled object) is not taken.
   */
  readonly release: () => void;
}

export function objectMemory(): ObjectMemory {
  let original: Lease | undefined;
  let copy: Lease | undefined;
  const lent = (length: number) => keptObjectMemory.lease(length);
  return {
    original: (length) => {
      // One read per object: a second would leave the first lease to the garbage collector, never lend it twice.
      original = lent(length);
      return original.bytes;
    },
    copy: (length) => {
      copy = lent(length);
      return copy.bytes;
    },
    releaseOriginal: (bytes) => {
      if (!original || bytes.buffer === original.bytes.buffer) return;
      original.release();
      original = undefined;
    },
    release: () => {
      original?.release();
      copy?.release();
      original = copy = undefined;
    },
  };
}
