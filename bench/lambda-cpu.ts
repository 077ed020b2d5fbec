/**
 * The CPU time a run's Lambda functions spent, out of the commons' process's: the bill's lower end for Lambda
 * duration. Locally one process hosts the functions and the emulators of the services AWS bills by request: the
 * main thread runs API Gateway, Step Functions, EventBridge, SQS and Pipes (their requests, transitions and
 * events are priced on their own lines), the S3 thread is S3 (priced by request). Their CPU is not a function's,
 * so it is taken out. V8's platform threads and libuv's pool serve every thread of the process; they stay in
 * whole, which leans towards the functions' side (some of that collector and file work is the emulators').
 */
export interface ProcessCpuSplit {
  /** The whole process, every thread. */
  readonly processSeconds: number;
  readonly mainThreadSeconds: number;
  readonly s3ThreadSeconds: number;
  /** The function worker threads together; 0 when the handlers ran on the main thread. */
  readonly functionThreadsSeconds: number;
}

export function lambdaCpuSeconds(cpu: ProcessCpuSplit): number {
  // Handlers on the main thread: their CPU cannot be told from the emulators'; the whole process, as before.
  if (cpu.functionThreadsSeconds <= 0) return cpu.processSeconds;
  return Math.max(cpu.functionThreadsSeconds, cpu.processSeconds - cpu.mainThreadSeconds - cpu.s3ThreadSeconds);
}
