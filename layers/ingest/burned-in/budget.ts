/**
 * What one image's burned-in text check may spend. The budget is CPU time of this process (decode
 * and render on the calling thread, OCR in the tesseract.js worker thread: process.cpuUsage counts
 * every thread), so a machine busy with other work does not hold a radiograph as ocr-timeout when
 * it would have been read in time on a core of its own. Checks run one at a time per process (see
 * detect.ts), so the CPU spent while a check runs is that check's, give or take what else the
 * process does (in a Lambda container: nothing; in the local commons: its other handlers). A
 * wall-clock ceiling still ends a check that spends no CPU at all (a stalled worker).
 */

/** Milliseconds of CPU time and of wall-clock time since some fixed point. */
export interface CheckClock {
  cpuMs(): number;
  wallMs(): number;
}

export const PROCESS_CLOCK: CheckClock = {
  cpuMs: () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  },
  wallMs: () => performance.now(),
};

/** A check is given up after this much wall-clock time however little CPU it spent: a multiple of its CPU budget, at least a minute. */
export function wallCeilingMs(budgetMs: number): number {
  return Math.max(60_000, 4 * budgetMs);
}

export class CheckBudget {
  private readonly cpuStart: number;
  private readonly wallStart: number;

  constructor(
    readonly budgetMs: number,
    private readonly clock: CheckClock = PROCESS_CLOCK,
  ) {
    this.cpuStart = clock.cpuMs();
    this.wallStart = clock.wallMs();
  }

  /** CPU milliseconds spent since the check began. */
  cpuSpentMs(): number {
    return this.clock.cpuMs() - this.cpuStart;
  }

  /** Wall-clock milliseconds since the check began (what the check reports as its `ms`). */
  wallSpentMs(): number {
    return this.clock.wallMs() - this.wallStart;
  }

  /** True once the check has spent its CPU budget, or waited out the wall-clock ceiling. */
  overrun(): boolean {
    return this.cpuSpentMs() >= this.budgetMs || this.wallSpentMs() >= wallCeilingMs(this.budgetMs);
  }
}
