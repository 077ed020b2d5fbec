import { keepingRecent } from '../../../layers/common/recent-cache';

describe('keepingRecent', () => {
  const counting = () => {
    const loads: string[] = [];
    const load = keepingRecent(2, async (key: string) => {
      loads.push(key);
      return { key };
    });
    return { loads, load };
  };

  it('loads a key once while it is among the most recently loaded', async () => {
    const { loads, load } = counting();
    const first = await load('a');
    expect(await load('a')).toBe(first);
    await load('b');
    expect(await load('a')).toBe(first);
    expect(loads).toEqual(['a', 'b']);
  });

  it('keeps only the `size` most recently loaded values: the oldest load goes first, even if it was read since', async () => {
    const { loads, load } = counting();
    await load('a');
    await load('b');
    await load('a');
    await load('c');
    await load('b');
    await load('a');
    expect(loads).toEqual(['a', 'b', 'c', 'a']);
  });

  it('keeps nothing that failed to load', async () => {
    let fail = true;
    const load = keepingRecent(2, async (key: string) => {
      if (fail) throw new Error(`no ${key}`);
      return key;
    });
    await expect(load('a')).rejects.toThrow('no a');
    fail = false;
    await expect(load('a')).resolves.toBe('a');
  });
});
