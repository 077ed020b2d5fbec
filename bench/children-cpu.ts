/**
 * CPU time of this process's reaped children (Linux: /proc/self/stat, cutime + cstime). The bench reads it
 * before spawning `hilum upload` and after the child exited: the difference is the upload client's CPU,
 * every thread of it, start-up included. A child counts only once it is reaped (Node reaps before 'exit').
 */
import { readFileSync } from 'node:fs';

/** /proc reports times in USER_HZ clock ticks, 100 per second on every Linux architecture Node runs on. */
const USER_HZ = 100;

/**
 * cutime + cstime (fields 16 and 17, counted from 1) of a /proc/<pid>/stat line, in seconds. The second
 * field, the command name in parentheses, may itself hold spaces and parentheses: fields are counted after
 * its last closing parenthesis.
 */
export function childrenCpuSecondsOfStat(stat: string): number {
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new Error('not a /proc stat line');
  // After ") " come field 3 (state) onwards: field n is at index n - 3.
  const fields = stat
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const cutime = Number(fields[16 - 3]);
  const cstime = Number(fields[17 - 3]);
  if (!Number.isFinite(cutime) || !Number.isFinite(cstime)) throw new Error('a /proc stat line without cutime and cstime');
  return (cutime + cstime) / USER_HZ;
}

/** The reaped children's CPU seconds so far; undefined where /proc is not there (not Linux). */
export function childrenCpuSeconds(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return childrenCpuSecondsOfStat(readFileSync('/proc/self/stat', 'latin1'));
  } catch {
    return undefined;
  }
}
