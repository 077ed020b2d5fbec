import { jsDistance, jsDivergence } from '../../../../layers/catalog/sequestration';

describe('Jensen-Shannon divergence and distance (base 2)', () => {
  it('is 0 for identical distributions, however they are scaled', () => {
    expect(jsDivergence({ a: 1, b: 3 }, { a: 10, b: 30 })).toBeCloseTo(0, 12);
    expect(jsDistance({ a: 1, b: 3 }, { a: 10, b: 30 })).toBeCloseTo(0, 6);
  });

  it('is 1 for disjoint distributions', () => {
    // P = (1, 0), Q = (0, 1), M = (1/2, 1/2): KL(P||M) = 1 x log2(1 / 0.5) = 1, KL(Q||M) = 1; JSD = (1 + 1) / 2 = 1.
    expect(jsDivergence({ a: 5 }, { b: 2 })).toBeCloseTo(1, 12);
    expect(jsDistance({ a: 5 }, { b: 2 })).toBeCloseTo(1, 12);
  });

  it('matches a hand computation on (1/2, 1/2) against (1, 0)', () => {
    // M = (3/4, 1/4).
    // KL(P||M) = 1/2 log2((1/2)/(3/4)) + 1/2 log2((1/2)/(1/4)) = 1/2 (-0.5849625007) + 1/2 (1) = 0.2075187496
    // KL(Q||M) = 1 log2(1/(3/4)) = 0.4150374993
    // JSD = (0.2075187496 + 0.4150374993) / 2 = 0.3112781245; distance = sqrt = 0.5579230453
    expect(jsDivergence({ x: 1, y: 1 }, { x: 4 })).toBeCloseTo(0.3112781245, 9);
    expect(jsDistance({ x: 1, y: 1 }, { x: 4 })).toBeCloseTo(0.5579230453, 9);
  });

  it('matches a hand computation on three categories', () => {
    // P = (0.5, 0.3, 0.2), Q = (0.2, 0.3, 0.5), M = (0.35, 0.3, 0.35).
    // KL(P||M) = 0.5 log2(0.5/0.35) + 0.3 log2(1) + 0.2 log2(0.2/0.35)
    //          = 0.5 (0.5145731728) + 0 + 0.2 (-0.8073549221) = 0.2572865864 - 0.1614709844 = 0.0958156020
    // KL(Q||M) is the same by symmetry; JSD = 0.0958156020; distance = 0.3095409537
    expect(jsDivergence({ a: 5, b: 3, c: 2 }, { a: 2, b: 3, c: 5 })).toBeCloseTo(0.095815602, 8);
    expect(jsDistance({ a: 5, b: 3, c: 2 }, { a: 2, b: 3, c: 5 })).toBeCloseTo(0.3095409537, 8);
  });

  it('is symmetric', () => {
    const p = { a: 7, b: 1, c: 2 };
    const q = { a: 1, c: 9 };
    expect(jsDistance(p, q)).toBeCloseTo(jsDistance(q, p)!, 12);
  });

  it('is undefined when a side is empty, and refuses negative weights', () => {
    expect(jsDistance({}, { a: 1 })).toBeUndefined();
    expect(jsDistance({ a: 0 }, { a: 1 })).toBeUndefined();
    expect(() => jsDistance({ a: -1, b: 2 }, { a: 1 })).toThrow(RangeError);
  });
});
