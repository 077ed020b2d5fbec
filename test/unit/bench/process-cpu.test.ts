import { spawn, spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { childrenCpuSeconds, processCpuSeconds, threadCpuByName, threadsCpuSeconds } from '../../../bench/process-cpu';
import { cpuSecondsOfProcStat } from '../../../layers/common/proc-stat';

describe('CPU time from a /proc stat line', () => {
  const rest = 'S 1 2 3 0 -1 4194304 101 0 0 0 7 8 250 130 20 0 1 0 6116638 6184960 386';

  it("reads a process's own utime and stime even when the command name holds spaces and parentheses", () => {
    expect(cpuSecondsOfProcStat(`4242 (java) ${rest}`, 'own')).toBeCloseTo(0.15);
    expect(cpuSecondsOfProcStat(`4242 (a (b) c) ${rest}`, 'own')).toBeCloseTo(0.15);
  });

  it("reads its reaped children's cutime and cstime the same way", () => {
    expect(cpuSecondsOfProcStat(`4242 (node) ${rest}`, 'children')).toBeCloseTo(3.8);
    expect(cpuSecondsOfProcStat(`4242 (a (b) c) ${rest}`, 'children')).toBeCloseTo(3.8);
  });

  it('refuses a line that is not a stat line', () => {
    for (const whose of ['own', 'children'] as const) {
      expect(() => cpuSecondsOfProcStat('no parentheses here', whose)).toThrow();
      expect(() => cpuSecondsOfProcStat('1 (x) S 1 2', whose)).toThrow();
    }
  });
});

describe("another process's CPU time (the bench's DynamoDB Local figure)", () => {
  it('has no figure without a pid or for a process that is gone', () => {
    expect(processCpuSeconds(undefined)).toBeUndefined();
    expect(processCpuSeconds(2 ** 22 + 1)).toBeUndefined();
  });

  it('grows by the CPU a running process spends (Linux; elsewhere there is no figure)', async () => {
    // The child spends 300 ms of its own CPU between two lines on stdout, however busy the machine is.
    const spin = 'const s = process.cpuUsage(); while (process.cpuUsage(s).user < 300000);';
    const script = `process.stdout.write('ready\\n'); process.stdin.once('data', () => { ${spin} process.stdout.write('done\\n'); });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'ignore'] });
    const line = (text: string) =>
      new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes(text) && resolve()));
    try {
      await line('ready');
      if (process.platform !== 'linux') return expect(processCpuSeconds(child.pid)).toBeUndefined();
      const before = processCpuSeconds(child.pid)!;
      const done = line('done');
      child.stdin.write('go\n');
      await done;
      expect(processCpuSeconds(child.pid)! - before).toBeGreaterThanOrEqual(0.25);
    } finally {
      child.kill();
    }
  });
});

describe("the reaped children's CPU time (the bench's upload client figure)", () => {
  it('grows by the CPU a child spent once it is reaped (Linux; elsewhere there is no figure)', () => {
    if (process.platform !== 'linux') return expect(childrenCpuSeconds()).toBeUndefined();
    const before = childrenCpuSeconds()!;
    spawnSync(process.execPath, ['-e', 'const end = Date.now() + 300; while (Date.now() < end);']);
    expect(childrenCpuSeconds()! - before).toBeGreaterThan(0.1);
  });
});

describe("this process's CPU by thread name (the bench's V8, libuv and other worker threads)", () => {
  it('sums what each name spent between two readings, a thread started in between counting whole', () => {
    const before = [
      { tid: '10', name: 'node', seconds: 1 },
      { tid: '11', name: 'V8Worker', seconds: 0.5 },
      { tid: '12', name: 'V8Worker', seconds: 0.25 },
      { tid: '13', name: 'WorkerThread', seconds: 2 },
      { tid: '14', name: 'libuv-worker', seconds: 0.1 },
    ];
    const after = [
      { tid: '10', name: 'node', seconds: 1.5 },
      { tid: '11', name: 'V8Worker', seconds: 0.75 },
      { tid: '12', name: 'V8Worker', seconds: 0.5 },
      { tid: '13', name: 'WorkerThread', seconds: 3 },
      { tid: '15', name: 'WorkerThread', seconds: 0.4 }, // started during the set: all of it
    ];
    const byName = threadCpuByName(before, after);
    expect(byName.get('node')).toBeCloseTo(0.5);
    expect(byName.get('V8Worker')).toBeCloseTo(0.5);
    expect(byName.get('WorkerThread')).toBeCloseTo(1.4);
    expect(byName.has('libuv-worker')).toBe(false); // ended: its CPU is only in the process's total
  });

  it("finds a worker thread's CPU under its thread name (Linux; elsewhere there is no figure)", async () => {
    const before = threadsCpuSeconds();
    if (process.platform !== 'linux') {
      expect(before).toBeUndefined();
      return;
    }
    // The worker spends 100 ms of its own CPU, then waits to be ended, so it is still there to be read.
    const worker = new Worker(
      "const s = process.cpuUsage(); while (process.cpuUsage(s).user < 100000); require('node:worker_threads').parentPort.postMessage('done'); setInterval(() => {}, 1000);",
      { eval: true },
    );
    try {
      await new Promise((resolve) => worker.once('message', resolve));
      const spent = threadCpuByName(before!, threadsCpuSeconds()!).get('WorkerThread') ?? 0;
      expect(spent).toBeGreaterThanOrEqual(0.05);
    } finally {
      await worker.terminate();
    }
  });
});
