/**
 * CPU time of other processes, for the bench's figures (Linux; undefined elsewhere):
 * - another running process (utime + stime): DynamoDB Local's JVM, read before and after each set, every
 *   thread of it (request handling, its compilers and its garbage collector), which competes with the commons
 *   for the same cores;
 * - this process's reaped children (cutime + cstime): read before spawning `hilum upload` and after the child
 *   exited, the upload client's CPU, start-up included. A child counts only once it is reaped (Node reaps
 *   before 'exit').
 */
import { readProcCpuSeconds } from '../layers/common/proc-stat';

/** The process's CPU seconds so far; undefined without a pid, where /proc is not there or once it exited. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  return pid === undefined ? undefined : readProcCpuSeconds(`/proc/${pid}/stat`, 'own');
}

/** The reaped children's CPU seconds so far; undefined where /proc is not there. */
export function childrenCpuSeconds(): number | undefined {
  return readProcCpuSeconds('/proc/self/stat', 'children');
}
