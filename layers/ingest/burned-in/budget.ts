/**
 * What one image's burned-in text check may spend. The budget is CPU time, so a machine busy with
 * other work does not hold a radiograph as ocr-timeout when it would have been read in time on a core
 * of its own: the check's own threads where they can be measured (threadsClock: the calling thread,
 * which decodes and renders, and the tesseract.js worker thread, which reads), so that other threads
 * of the process (the local commons' handlers in worker threads, a busy test suite) are not charged
 * to it; else the whole process's (PROCESS_CLOCK: in a Lambda container nothing else runs). A
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

/** CPU milliseconds of the calling thread (process.threadCpuUsage, Node 23.9 and later), or undefined where there is none. */
function callingThreadCpuMs(): number | undefined {
  const usage = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage?.();
  return usage ? (usage.user + usage.system) / 1000 : undefined;
}

/**
 * The CPU of the calling thread plus that of the threads it hands work to (`helpers`: their CPU
 * milliseconds so far, undefined when they cannot be read). Decided at the first reading: when either
 * cannot be read then, the clock is the process's (PROCESS_CLOCK) for its whole life, so one check
 * never mixes the two. A helper that goes away (a terminated worker) keeps the CPU it had spent.
 */
export function threadsClock(helpers: () => number | undefined): CheckClock {
  let own: boolean | undefined;
  let helped = 0;
  return {
    cpuMs: () => {
      own ??= callingThreadCpuMs() !== undefined && helpers() !== undefined;
      if (!own) return PROCESS_CLOCK.cpuMs();
      helped = Math.max(helped, helpers() ?? helped);
      return callingThreadCpuMs()! + helped;
    },
    wallMs: PROCESS_CLOCK.wallMs,
  };
}

/** A check is given up after this much wall-clock time however little CPU it spent: a multiple of its CPU budget, at least a minute. */
export function wallCeilingMs(budgetMs: number): number {
  return Math.max(60_000, 4 * budgetMs);
}

export class CheckBudget {
  private readonly cpuStart: number;
  private readonly wallStart: number;
  private excludedCpu = 0;
  private excludedWall = 0;

  constructor(
    readonly budgetMs: number,
    private readonly clock: CheckClock = PROCESS_CLOCK,
  ) {
    this.cpuStart = clock.cpuMs();
    this.wallStart = clock.wallMs();
  }

  /** CPU milliseconds spent since the check began. */
  cpuSpentMs(): number {
    return this.clock.cpuMs() - this.cpuStart - this.excludedCpu;
  }

  /** Wall-clock milliseconds since the check began (what the check reports as its `ms`). */
  wallSpentMs(): number {
    return this.clock.wallMs() - this.wallStart - this.excludedWall;
  }

  /** Runs `work` without charging its CPU or wall-clock time to the check: the OCR worker's start, once per process. */
  async excluding<T>(work: () => Promise<T>): Promise<T> {
    const [cpu, wall] = [this.clock.cpuMs(), this.clock.wallMs()];
    try {
      return await work();
    } finally {
      this.excludedCpu += this.clock.cpuMs() - cpu;
      this.excludedWall += this.clock.wallMs() - wall;
    }
  }

  /** True once the check has spent its CPU budget, or waited out the wall-clock ceiling. */
  overrun(): boolean {
    return this.cpuSpentMs() >= this.budgetMs || this.wallSpentMs() >= wallCeilingMs(this.budgetMs);
  }
}
