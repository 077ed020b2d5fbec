import { planParts } from '../../../layers/common/upload-parts';

describe('planParts', () => {
  it('covers the object exactly with parts of at least 8 MiB, the last one shorter', () => {
    const size = 100 * 1024 * 1024 + 17;
    const plan = planParts(size);
    expect(plan.partSize).toBe(8 * 1024 * 1024);
    expect(plan.parts.reduce((sum, p) => sum + p.size, 0)).toBe(size);
    expect(plan.parts.map((p) => p.partNumber)).toEqual(plan.parts.map((_, i) => i + 1));
    expect(plan.parts.at(-1)!.size).toBe(size - (plan.parts.length - 1) * plan.partSize);
  });

  it('stays within 10,000 parts for a 5 TiB object', () => {
    const plan = planParts(5 * 1024 ** 4);
    expect(plan.parts.length).toBeLessThanOrEqual(10_000);
    expect(plan.partSize % (1024 * 1024)).toBe(0);
  });
});
