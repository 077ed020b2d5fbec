import { ObjectBytesGate } from '../../../local/object-bytes-gate';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Enters the gate for each size in order; `admitted` lists the indexes let in, `leave[i]` gives i's bytes back. */
function enterAll(gate: ObjectBytesGate, sizes: readonly number[]) {
  const admitted: number[] = [];
  const leave: Array<() => void> = [];
  const entries = sizes.map((bytes, i) =>
    gate.enter(bytes).then((release) => {
      admitted.push(i);
      leave[i] = release;
    }),
  );
  return { admitted, leave, entries };
}

describe('the intake bytes the local Lambda host lets its invocations hold at once', () => {
  it('admits invocations while their bytes fit the budget, the rest in arrival order as bytes come back', async () => {
    const gate = new ObjectBytesGate(250);
    const { admitted, leave, entries } = enterAll(gate, [100, 100, 100, 40]);
    await tick();
    // 100 + 100 fit; the third would make 300; the fourth (40) would fit but does not overtake the third.
    expect(admitted).toEqual([0, 1]);
    expect(gate.load).toEqual({ running: 2, waiting: 2, bytes: 200 });
    leave[0]!();
    await tick();
    // 100 + 100 + 40 = 240: both waiting ones fit now, in order.
    expect(admitted).toEqual([0, 1, 2, 3]);
    expect(gate.load).toEqual({ running: 3, waiting: 0, bytes: 240 });
    leave[0]!(); // a second call gives nothing back twice
    expect(gate.load.bytes).toBe(240);
    for (const i of [1, 2, 3]) leave[i]!();
    await Promise.all(entries);
    expect(gate.load).toEqual({ running: 0, waiting: 0, bytes: 0 });
  });

  it('always runs one invocation, however large, so none waits for ever', async () => {
    const gate = new ObjectBytesGate(100);
    const { admitted, leave } = enterAll(gate, [500, 10, 700]);
    await tick();
    expect(admitted).toEqual([0]);
    leave[0]!();
    await tick();
    // The small one runs; the large one waits for it, then runs alone.
    expect(admitted).toEqual([0, 1]);
    leave[1]!();
    await tick();
    expect(admitted).toEqual([0, 1, 2]);
    expect(gate.load).toEqual({ running: 1, waiting: 0, bytes: 700 });
    leave[2]!();
  });

  it('lets small batches run by the dozen under a budget that holds two large ones', async () => {
    const gate = new ObjectBytesGate(256 * 1024 * 1024);
    const slice = 526_000;
    const { admitted, leave } = enterAll(
      gate,
      Array.from({ length: 40 }, () => 10 * slice),
    );
    await tick();
    expect(admitted).toHaveLength(40);
    leave.forEach((release) => release());
    const radiograph = 10_240_000;
    const large = enterAll(gate, [10 * radiograph, 10 * radiograph, 10 * radiograph]);
    await tick();
    expect(large.admitted).toEqual([0, 1]);
    large.leave[0]!();
    await tick();
    expect(large.admitted).toEqual([0, 1, 2]);
    large.leave[1]!();
    large.leave[2]!();
  });

  it('refuses a budget or a size that is not a whole number of bytes', async () => {
    expect(() => new ObjectBytesGate(0)).toThrow(RangeError);
    expect(() => new ObjectBytesGate(1.5)).toThrow(RangeError);
    const gate = new ObjectBytesGate(10);
    await expect(gate.enter(-1)).rejects.toThrow(RangeError);
    await expect(gate.enter(Number.NaN)).rejects.toThrow(RangeError);
    expect(gate.load).toEqual({ running: 0, waiting: 0, bytes: 0 });
  });
});
