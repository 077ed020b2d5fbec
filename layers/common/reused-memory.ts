/**
 * Memory lent for one object's large buffer and taken back for the next object's, so that a thread making a
 * multi-megabyte buffer per object (a radiograph's de-identified copy: 10 MB) touches pages it already has instead
 * of new ones: each new 4 KB page costs a page fault (2-13 us on the bench's virtual machine, by its state), and
 * each new 10 MB of array buffers brings V8's next full collection closer.
 *
 * A lease is explicit and never lets one object's bytes reach another's holder: `release()` moves the memory into
 * a new ArrayBuffer (`detached`, without copying), which detaches the one the lease's bytes view. Every view anyone kept of the released bytes (the bytes, a subarray, a Buffer or DataView
 * over them) has length 0 from then on: it reads as empty, never as the next lease's contents. A lease's contents
 * are whatever the memory last held: the borrower overwrites every byte it reads.
 */

export interface Lease {
  /** `length` bytes of lent memory, their contents left from an earlier lease until written. */
  readonly bytes: Uint8Array;
  /** Takes the memory back; every view of `bytes` is detached (length 0) from here on. A second call does nothing. */
  release(): void;
}

export interface ReusedMemoryOptions {
  /** Most buffers kept between leases: as many as leases held at once, at most. */
  readonly keep: number;
  /** A lease longer than this gets memory of its own, not kept after its release. */
  readonly largest: number;
  /** Buffers are allocated in multiples of this, so one serves objects of about the same size (default 1 MiB). */
  readonly granularity?: number;
}

export class ReusedMemory {
  /** Kept buffers, ascending by size: the first that fits a lease is the smallest that does. */
  private readonly kept: ArrayBuffer[] = [];
  private allocations = 0;

  constructor(private readonly options: ReusedMemoryOptions) {}

  /** Buffers allocated so far, kept or not (what a test of reuse counts). */
  get allocated(): number {
    return this.allocations;
  }

  lease(length: number): Lease {
    if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`a lease of ${length} bytes`);
    const at = this.kept.findIndex((memory) => memory.byteLength >= length);
    const memory = at >= 0 ? this.kept.splice(at, 1)[0]! : this.allocate(length);
    let released = false;
    return {
      bytes: new Uint8Array(memory, 0, length),
      release: () => {
        if (released) return;
        released = true;
        const moved = detached(memory);
        if (moved.byteLength <= this.options.largest) this.keepFor(moved);
      },
    };
  }

  private allocate(length: number): ArrayBuffer {
    this.allocations += 1;
    const { largest, granularity = 1024 * 1024 } = this.options;
    if (length > largest) return new ArrayBuffer(length);
    return new ArrayBuffer(Math.min(largest, Math.max(granularity, Math.ceil(length / granularity) * granularity)));
  }

  private keepFor(memory: ArrayBuffer): void {
    const at = this.kept.findIndex((other) => other.byteLength >= memory.byteLength);
    this.kept.splice(at < 0 ? this.kept.length : at, 0, memory);
    // Over the bound, the smallest goes: the larger serve every lease the smaller would.
    if (this.kept.length > this.options.keep) this.kept.shift();
  }
}

/**
 * `memory`'s bytes moved into a new ArrayBuffer, without a copy, and `memory` detached (length 0, every view of it
 * empty): `transfer()` where the runtime has it (Node 21 and later), else structuredClone's transfer (Node 20, which
 * a development machine may run the CLI on).
 */
export function detached(memory: ArrayBuffer): ArrayBuffer {
  return typeof memory.transfer === 'function' ? memory.transfer() : structuredClone(memory, { transfer: [memory] });
}
