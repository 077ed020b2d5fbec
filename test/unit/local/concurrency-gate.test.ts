import { ConcurrencyGate } from '../../../local/concurrency-gate';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("a function's reserved concurrency in the local Lambda host", () => {
  it('lets the limit run at once and the rest wait, in arrival order', async () => {
    const gate = new ConcurrencyGate(2);
    const order: number[] = [];
    const leave: Array<() => void> = [];
    const entries = [1, 2, 3, 4].map((n) =>
      gate.enter().then((release) => {
        order.push(n);
        leave[n] = release;
      }),
    );
    await tick();
    expect(order).toEqual([1, 2]);
    expect(gate.load).toEqual({ running: 2, waiting: 2 });
    leave[2]!();
    await tick();
    expect(order).toEqual([1, 2, 3]);
    leave[1]!();
    leave[1]!(); // twice gives one place back, not two
    await tick();
    expect(order).toEqual([1, 2, 3, 4]);
    expect(gate.load).toEqual({ running: 2, waiting: 0 });
    leave[3]!();
    leave[4]!();
    await Promise.all(entries);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses a limit that is not a whole number of at least 1', () => {
    expect(() => new ConcurrencyGate(0)).toThrow(RangeError);
    expect(() => new ConcurrencyGate(1.5)).toThrow(RangeError);
  });
});
