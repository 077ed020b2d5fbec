import { spawnSync } from 'node:child_process';
import { childrenCpuSeconds, childrenCpuSecondsOfStat } from '../../../bench/children-cpu';

describe("the reaped children's CPU time (the bench's upload client figure)", () => {
  it('reads cutime and cstime even when the command name holds spaces and parentheses', () => {
    const rest = 'S 1 2 3 0 -1 4194304 101 0 0 0 7 8 250 130 20 0 1 0 6116638 6184960 386';
    expect(childrenCpuSecondsOfStat(`4242 (node) ${rest}`)).toBeCloseTo(3.8);
    expect(childrenCpuSecondsOfStat(`4242 (a (b) c) ${rest}`)).toBeCloseTo(3.8);
  });

  it('refuses a line that is not a stat line', () => {
    expect(() => childrenCpuSecondsOfStat('no parentheses here')).toThrow();
    expect(() => childrenCpuSecondsOfStat('1 (x) S 1 2')).toThrow();
  });

  it('grows by the CPU a child spent once it is reaped (Linux; elsewhere there is no figure)', () => {
    if (process.platform !== 'linux') return expect(childrenCpuSeconds()).toBeUndefined();
    const before = childrenCpuSeconds()!;
    spawnSync(process.execPath, ['-e', 'const end = Date.now() + 300; while (Date.now() < end);']);
    expect(childrenCpuSeconds()! - before).toBeGreaterThan(0.1);
  });
});
