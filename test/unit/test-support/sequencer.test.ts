import TestSequencer from '@jest/test-sequencer';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const SlowTiersFirst = require('../../support/sequencer.js') as typeof TestSequencer;

type Test = Parameters<TestSequencer['sort']>[0][number];

const sizes: Record<string, number> = {
  '/repo/test/unit/dicom/big-table.test.ts': 40_000,
  '/repo/test/integration/chaos.test.ts': 3_000,
  '/repo/test/unit/search/small.test.ts': 1_000,
  '/repo/test/infra/nag.test.ts': 5_000,
  '/repo/test/integration/portal.test.ts': 9_000,
};

function testsOf(cache: boolean): Test[] {
  const context = { config: { cache, cacheDirectory: '/nonexistent', id: 'speed' }, hasteFS: { getSize: (p: string) => sizes[p] } };
  return Object.keys(sizes).map((path) => ({ path, context }) as unknown as Test);
}

const order = async (sequencer: TestSequencer, tests: Test[]) =>
  (await sequencer.sort(tests)).map((t) => t.path.replace('/repo/test/', ''));

describe('the test sequencer', () => {
  it('runs integration and infra files before unit files when jest has no timing (a fresh CI machine), each largest first', async () => {
    expect(await order(new SlowTiersFirst({} as never), testsOf(false))).toEqual([
      'integration/portal.test.ts',
      'infra/nag.test.ts',
      'integration/chaos.test.ts',
      'unit/dicom/big-table.test.ts',
      'unit/search/small.test.ts',
    ]);
  });

  it("keeps jest's order where jest has timing: failed first, then untimed files, then the longest", async () => {
    const tests = testsOf(true);
    const sequencer = new SlowTiersFirst({} as never);
    // jest's timing cache, as its cacheResults writes it: [0 failed | 1 passed, ms].
    (sequencer as unknown as { _cache: Map<unknown, unknown> })._cache.set(tests[0]!.context, {
      '/repo/test/unit/search/small.test.ts': [0, 100],
      '/repo/test/integration/chaos.test.ts': [1, 70_000],
      '/repo/test/unit/dicom/big-table.test.ts': [1, 90_000],
    });
    expect(await order(sequencer, tests)).toEqual([
      'unit/search/small.test.ts',
      'integration/portal.test.ts',
      'infra/nag.test.ts',
      'unit/dicom/big-table.test.ts',
      'integration/chaos.test.ts',
    ]);
  });
});
