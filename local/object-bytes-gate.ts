/**
 * The local commons' budget per function thread: with two threads, three batches of ten 10 MB radiographs (~100 MB
 * each) run at once and a fourth waits, so a thread whose batch ends has the next already under way and the last
 * two of a set share the threads rather than one finishing alone (at 128 MB, two at once: the 50-radiograph set's
 * fifth batch ran on one thread for ~0.9 s while the other had nothing, 7-8% slower); batches of ten 0.5 MB CT
 * slices fit by the dozen (~70 with two threads, past IngestBatch's reserve of 50), more than the threads keep busy.
 */
export const OBJECT_BYTES_PER_FUNCTION_THREAD = 192 * 1024 * 1024;

/**
 * The intake bytes the local Lambda host lets its invocations hold at once. In AWS every concurrent invocation has
 * a sandbox and memory of its own; locally they all share the few function worker threads and one heap, so fifty
 * radiograph batches admitted at once (the reserve IngestBatch has) held ~100 MB each in one process while two
 * threads worked through them: the same CPU work, spread over every batch, with ~20 times the memory in flight,
 * every buffer new to the process and every original still stored when the next PUT wanted a file
 * (docs/ingest-scale.md, "Intake bytes in flight in the local Lambda host"). Invocations whose event names its
 * objects' sizes (intakeEventBytes) wait here, in arrival order, until what runs leaves room for them; one always
 * runs, however large, so nothing waits for ever. Batches of small objects (CT slices) fit by the dozen and still
 * overlap one another's requests.
 */
export class ObjectBytesGate {
  private runningBytes = 0;
  private running = 0;
  private readonly waiting: Array<{ readonly bytes: number; readonly admit: () => void }> = [];

  constructor(readonly budget: number) {
    if (!Number.isSafeInteger(budget) || budget < 1) throw new RangeError('a byte budget is a whole number of at least 1');
  }

  /** Resolves when an invocation holding `bytes` may run; the function it resolves with gives them back (once). */
  async enter(bytes: number): Promise<() => void> {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError('an invocation holds a whole number of bytes');
    if (this.waiting.length === 0 && this.fits(bytes)) this.take(bytes);
    else await new Promise<void>((admit) => this.waiting.push({ bytes, admit }));
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.runningBytes -= bytes;
      this.running -= 1;
      this.admitWaiting();
    };
  }

  /** Invocations running and waiting now, and the bytes those running hold. */
  get load(): { readonly running: number; readonly waiting: number; readonly bytes: number } {
    return { running: this.running, waiting: this.waiting.length, bytes: this.runningBytes };
  }

  private fits(bytes: number): boolean {
    return this.running === 0 || this.runningBytes + bytes <= this.budget;
  }

  private take(bytes: number): void {
    this.runningBytes += bytes;
    this.running += 1;
  }

  /** The first in line goes when it fits, then the next: none overtakes it, so a large batch is not starved by small ones. */
  private admitWaiting(): void {
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.bytes)) {
      const next = this.waiting.shift()!;
      this.take(next.bytes);
      next.admit();
    }
  }
}
