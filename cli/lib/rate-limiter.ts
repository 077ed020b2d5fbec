/**
 * A byte-rate cap shared by all transfers of a run, so a site can keep an upload
 * from saturating its hospital link (`--max-rate`). Zero or undefined: no cap.
 */
export class RateLimiter {
  private nextFree = Date.now();

  constructor(private readonly bytesPerSecond?: number) {}

  async take(bytes: number): Promise<void> {
    if (!this.bytesPerSecond) return;
    const now = Date.now();
    const start = Math.max(now, this.nextFree);
    this.nextFree = start + (bytes / this.bytesPerSecond) * 1000;
    const wait = this.nextFree - now;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
