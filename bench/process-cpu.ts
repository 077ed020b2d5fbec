/**
 * CPU time of another running process (Linux: /proc/<pid>/stat, utime + stime). The bench reads DynamoDB
 * Local's JVM before and after each set: the difference is what the emulator spent on that set, every
 * thread of it (request handling, its compilers and its garbage collector), which competes with the
 * commons for the same cores.
 */
import { readFileSync } from 'node:fs';

/** /proc reports times in USER_HZ clock ticks, 100 per second on every Linux architecture Node runs on. */
const USER_HZ = 100;

/**
 * utime + stime (fields 14 and 15, counted from 1) of a /proc/<pid>/stat line, in seconds. The command name
 * (field 2, in parentheses) may hold spaces and parentheses: fields are counted after its last ')'.
 */
export function processCpuSecondsOfStat(stat: string): number {
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new Error('not a /proc stat line');
  // After ") " come field 3 (state) onwards: field n is at index n - 3.
  const fields = stat
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('a /proc stat line without utime and stime');
  return (utime + stime) / USER_HZ;
}

/** The process's CPU seconds so far; undefined without a pid, where /proc is not there (not Linux) or once it exited. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined || process.platform !== 'linux') return undefined;
  try {
    return processCpuSecondsOfStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return undefined;
  }
}
