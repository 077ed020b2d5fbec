import {
  HEAP_GROWING_PERCENT,
  HEAP_GROWING_PERCENT_VARIABLE,
  applyHeapGrowth,
  heapGrowingFlag,
} from '../../../layers/adapters/heap-growth';

describe('the V8 heap growth of a handler process', () => {
  it('makes the V8 flag of a whole percent from 1 to 1000', () => {
    expect(heapGrowingFlag('300')).toBe('--heap-growing-percent=300');
    expect(heapGrowingFlag('1')).toBe('--heap-growing-percent=1');
    expect(heapGrowingFlag('1000')).toBe('--heap-growing-percent=1000');
  });

  it('takes nothing else: unset, zero, negative, fractional, too large, or anything appended to the flag', () => {
    for (const value of [undefined, '', '0', '-5', '2.5', '1001', '99999', '300 --expose-gc', '300\n', 'abc', '030']) {
      expect(heapGrowingFlag(value)).toBeUndefined();
    }
  });

  it("sets the flag from the function's variable, once per call, and nothing without it", () => {
    const set: string[] = [];
    expect(applyHeapGrowth({ [HEAP_GROWING_PERCENT_VARIABLE]: String(HEAP_GROWING_PERCENT) }, (flags) => set.push(flags))).toBe(true);
    expect(set).toEqual(['--heap-growing-percent=300 --external-memory-accounted-in-global-limit']);
    expect(applyHeapGrowth({}, (flags) => set.push(flags))).toBe(false);
    expect(applyHeapGrowth({ [HEAP_GROWING_PERCENT_VARIABLE]: 'lots' }, (flags) => set.push(flags))).toBe(false);
    expect(set).toHaveLength(1);
  });
});
