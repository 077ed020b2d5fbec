import { mapBounded } from '../../../layers/common/bounded-map';

/** A call that resolves when the test says so, to see how many are in flight. */
function gated() {
  const waiting: { item: number; resolve: (v: number) => void; reject: (e: Error) => void }[] = [];
  let inFlight = 0;
  let most = 0;
  const started: number[] = [];
  const fn = (item: number) =>
    new Promise<number>((resolve, reject) => {
      started.push(item);
      inFlight += 1;
      most = Math.max(most, inFlight);
      const settle = () => (inFlight -= 1);
      waiting.push({
        item,
        resolve: (v) => (settle(), resolve(v)),
        reject: (e) => (settle(), reject(e)),
      });
    });
  const tick = () => new Promise((r) => setImmediate(r));
  return { fn, waiting, started, tick, most: () => most };
}

describe('mapBounded', () => {
  it('answers in the items order with at most the limit in flight, starting the next as one ends', async () => {
    const g = gated();
    const all = mapBounded([1, 2, 3, 4, 5], 2, g.fn);
    await g.tick();
    expect(g.started).toEqual([1, 2]);
    // The second ends first: the third starts in its place; answers still land by index.
    g.waiting.splice(1, 1)[0]!.resolve(20);
    await g.tick();
    expect(g.started).toEqual([1, 2, 3]);
    while (g.waiting.length > 0) {
      const call = g.waiting.shift()!;
      call.resolve(call.item * 10);
      await g.tick();
    }
    await expect(all).resolves.toEqual([10, 20, 30, 40, 50]);
    expect(g.most()).toBe(2);
  });

  it('rejects with the first error and starts nothing after it', async () => {
    const g = gated();
    const all = mapBounded([1, 2, 3, 4], 2, g.fn);
    await g.tick();
    g.waiting.shift()!.reject(Object.assign(new Error('boom'), { name: 'TransientError' }));
    await expect(all).rejects.toMatchObject({ name: 'TransientError' });
    g.waiting.shift()!.resolve(2);
    await g.tick();
    expect(g.started).toEqual([1, 2]);
  });

  it('runs every item of a list shorter than the limit at once, and an empty list to an empty answer', async () => {
    const g = gated();
    const all = mapBounded([1, 2], 8, g.fn);
    await g.tick();
    expect(g.started).toEqual([1, 2]);
    for (const call of g.waiting.splice(0)) call.resolve(call.item);
    await expect(all).resolves.toEqual([1, 2]);
    await expect(mapBounded([], 8, g.fn)).resolves.toEqual([]);
  });

  it('refuses a limit that is not a whole number of at least 1', async () => {
    await expect(mapBounded([1], 0, async (x) => x)).rejects.toThrow(RangeError);
    await expect(mapBounded([1], 1.5, async (x) => x)).rejects.toThrow(RangeError);
  });
});
