/**
 * A function's reserved concurrency, as the local Lambda host keeps it: at most `limit` invocations run
 * at once, later ones wait their turn in arrival order. Lambda refuses an invocation beyond the reserve
 * (TooManyRequestsException, which the workflows retry with backoff); waiting instead keeps the local
 * runtime simple and gives the same picture: without it a backlog of objects all ran at once, each holding
 * its file in memory, and every invocation's measured duration was mostly the others' work.
 */
export class ConcurrencyGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('a concurrency limit is a whole number of at least 1');
  }

  /** Resolves when the caller may run; the function it resolves with gives the place back (once). */
  async enter(): Promise<() => void> {
    if (this.running < this.limit) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const next = this.waiting.shift();
      // The place passes straight to the next in line, so a newcomer cannot overtake it.
      if (next) next();
      else this.running--;
    };
  }

  /** Invocations running and waiting now. */
  get load(): { readonly running: number; readonly waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}
