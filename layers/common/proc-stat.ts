/**
 * CPU time from a Linux /proc stat line (`/proc/<pid>/stat`, `/proc/self/task/<tid>/stat`): a process's or
 * thread's own (utime + stime), or its reaped children's (cutime + cstime). One parser for the burned-in text
 * check's budget (its OCR thread) and the benchmarks (DynamoDB Local's JVM, the upload client).
 */
import { readFileSync } from 'node:fs';

/** /proc reports times in USER_HZ clock ticks, 100 per second on every Linux architecture Node and Lambda run on. */
const USER_HZ = 100;

/** Whose CPU a stat line is read for: its own (fields 14 and 15, counted from 1) or its reaped children's (16 and 17). */
export type ProcCpu = 'own' | 'children';

/**
 * The CPU seconds of a stat line. The command name (field 2, in parentheses) may hold spaces and
 * parentheses: fields are counted after its last ')'. Throws on a line that is not a stat line.
 */
export function cpuSecondsOfProcStat(stat: string, whose: ProcCpu): number {
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new Error('not a /proc stat line');
  // After ") " come field 3 (state) onwards: field n is at index n - 3.
  const fields = stat
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const first = whose === 'own' ? 14 : 16;
  const user = Number(fields[first - 3]);
  const system = Number(fields[first + 1 - 3]);
  if (!Number.isFinite(user) || !Number.isFinite(system)) throw new Error(`a /proc stat line without field ${first + 1}`);
  return (user + system) / USER_HZ;
}

/** The CPU seconds of the stat file at `path`; undefined where there is no /proc (not Linux), or it cannot be read. */
export function readProcCpuSeconds(path: string, whose: ProcCpu): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return cpuSecondsOfProcStat(readFileSync(path, 'latin1'), whose);
  } catch {
    return undefined;
  }
}
