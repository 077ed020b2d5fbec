/**
 * Buffers the S3 emulator's direct object path reads whole objects into, kept and lent again once an answer
 * is sent. A fresh 10 MB buffer per GET (a radiograph) cost this machine ~20-30 ms of CPU beyond the read
 * itself: the kernel faulting its pages in, in the thread pool's read, and the garbage collections its
 * external memory started in the S3 thread; a kept buffer's pages are already in.
 */

export interface ReadBuffers {
  /** A buffer of at least `length` bytes, lent until `giveBack`; a new one if none kept fits. */
  borrow(length: number): Buffer;
  /** Takes back a buffer `borrow` lent, once nothing reads it any more (its answer was sent or dropped). */
  giveBack(buffer: Buffer): void;
  /** Buffers allocated so far (what a test of reuse counts). */
  readonly allocated: number;
}

export interface ReadBufferOptions {
  /** Most buffers kept between answers; beyond it the smallest is let go (default 4). */
  readonly keep?: number;
  /** Sizes are rounded up to a multiple of this, so a buffer fits objects of about the same size (default 1 MiB). */
  readonly granularity?: number;
}

export function createReadBuffers(options: ReadBufferOptions = {}): ReadBuffers {
  const keep = options.keep ?? 4;
  const granularity = options.granularity ?? 1024 * 1024;
  // Ascending by size: the first that fits is the smallest that does.
  const kept: Buffer[] = [];
  let allocated = 0;
  return {
    borrow(length) {
      const at = kept.findIndex((b) => b.length >= length);
      if (at >= 0) return kept.splice(at, 1)[0] as Buffer;
      allocated += 1;
      // Slow: a buffer of its own, never a slice of Node's shared pool.
      return Buffer.allocUnsafeSlow(Math.max(granularity, Math.ceil(length / granularity) * granularity));
    },
    giveBack(buffer) {
      const at = kept.findIndex((b) => b.length >= buffer.length);
      kept.splice(at < 0 ? kept.length : at, 0, buffer);
      if (kept.length > keep) kept.shift();
    },
    get allocated() {
      return allocated;
    },
  };
}
