/**
 * CPU time of other processes, for the bench's figures (Linux; undefined elsewhere):
 * - another running process (utime + stime): DynamoDB Local's JVM, read before and after each set, every
 *   thread of it (request handling, its compilers and its garbage collector), which competes with the commons
 *   for the same cores;
 * - this process's reaped children (cutime + cstime): read before spawning `hilum upload` and after the child
 *   exited, the upload client's CPU, start-up included. A child counts only once it is reaped (Node reaps
 *   before 'exit');
 * - this process's threads by name (/proc/self/task/<tid>/stat), for the commons' CPU outside the threads that
 *   measure their own: V8's platform threads (`V8Worker`: garbage collection helpers, concurrent marking and
 *   sweeping, the optimizing compilers, WebAssembly compilation) and libuv's pool (`libuv-worker`: file system
 *   calls, some crypto).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpuSecondsOfProcStat, readProcCpuSeconds } from '../layers/common/proc-stat';

/** The process's CPU seconds so far; undefined without a pid, where /proc is not there or once it exited. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  return pid === undefined ? undefined : readProcCpuSeconds(`/proc/${pid}/stat`, 'own');
}

/** The reaped children's CPU seconds so far; undefined where /proc is not there. */
export function childrenCpuSeconds(): number | undefined {
  return readProcCpuSeconds('/proc/self/stat', 'children');
}

/** One thread of this process: its name (the kernel's comm, at most 15 characters) and CPU seconds so far. */
export interface ThreadCpu {
  readonly tid: string;
  readonly name: string;
  readonly seconds: number;
}

/** The thread name of a /proc stat line: field 2, between the first '(' and the last ')'. */
function threadNameOfStat(stat: string): string {
  return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
}

/** Every thread of this process with its CPU so far; undefined where /proc is not there. A thread that ends while read is left out. */
export function threadsCpuSeconds(): ThreadCpu[] | undefined {
  if (process.platform !== 'linux') return undefined;
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
  const threads: ThreadCpu[] = [];
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'latin1');
      threads.push({ tid, name: threadNameOfStat(stat), seconds: cpuSecondsOfProcStat(stat, 'own') });
    } catch {
      // ended between the listing and the read
    }
  }
  return threads;
}

/**
 * CPU seconds spent between two readings, summed by thread name: a thread in `after` only (started in between)
 * counts whole. A thread that ended in between is in neither sum (its CPU stays in the process's total).
 */
export function threadCpuByName(before: readonly ThreadCpu[], after: readonly ThreadCpu[]): Map<string, number> {
  const earlier = new Map(before.map((t) => [t.tid, t.seconds] as const));
  const byName = new Map<string, number>();
  for (const t of after) byName.set(t.name, (byName.get(t.name) ?? 0) + t.seconds - (earlier.get(t.tid) ?? 0));
  return byName;
}
