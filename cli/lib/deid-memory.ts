/**
 * Peak memory of one `hilum deid` lane (the main thread or a worker): V8 heap
 * used + external + array buffers, as before.
 *
 * process.memoryUsage() waits for V8's concurrent sweepers to finish; called
 * after every file it cost more than the engine on small files. It is sampled
 * whenever a file is the largest so far (the input buffer grows then, and with
 * it the peak) and otherwise at most every SAMPLE_EVERY_MS.
 */
const SAMPLE_EVERY_MS = 25;

export class MemorySampler {
  private peak = 0;
  private lastSample = 0;
  private largestInput = -1;

  /** After a file of `bytesIn` bytes. */
  afterFile(bytesIn: number, now = Date.now()): void {
    if (bytesIn <= this.largestInput && now - this.lastSample < SAMPLE_EVERY_MS) return;
    this.largestInput = Math.max(this.largestInput, bytesIn);
    this.sample(now);
  }

  sample(now = Date.now()): void {
    this.lastSample = now;
    const m = process.memoryUsage();
    this.peak = Math.max(this.peak, m.heapUsed + m.external + m.arrayBuffers);
  }

  get peakBytes(): number {
    return this.peak;
  }
}
