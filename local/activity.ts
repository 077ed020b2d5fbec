/**
 * Counts work in flight (events being delivered, executions running) so tests can
 * wait for the commons to settle: `idle()` resolves when nothing is in flight, and
 * work that starts while waiting (an execution that puts an event that starts
 * another execution) is awaited too.
 */
export class ActivityTracker {
  private active = 0;
  private waiters: Array<() => void> = [];

  /** Marks one unit of work as started; call the returned function (once) when it ends. */
  begin(): () => void {
    this.active += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.active -= 1;
      if (this.active === 0) {
        const waiters = this.waiters;
        this.waiters = [];
        for (const w of waiters) w();
      }
    };
  }

  get inFlight(): number {
    return this.active;
  }

  async idle(): Promise<void> {
    for (;;) {
      if (this.active > 0) {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        continue;
      }
      // Let callbacks queued by the work that just ended (an S3 event, an HTTP response) run first.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.active === 0) return;
    }
  }
}
