import { spawn, spawnSync } from 'node:child_process';
import { childrenCpuSeconds, processCpuSeconds } from '../../../bench/process-cpu';
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
