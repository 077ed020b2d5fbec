/**
 * Issue 12, the fuzz suite at CI size: 2,000 mutants of the fixtures (byte
 * flips, truncations, length corruption, tag and VR swaps, sequence nesting,
 * chunk insertions and deletions, deflate streams; test/support/fuzz) through
 * parseDicom, deidentify and verifyDeidentified in two worker processes with a
 * per-file time budget. Nothing crashes or hangs, memory stays bounded, and no
 * published output carries an identifying value of its input, by the oracle's
 * own byte search. `npm run bench fuzz` runs 100,000. Fixed seed: a failure
 * replays by its index (mutantOf(FUZZ_SEED, index)).
 */
import { runFuzz } from '../../support/fuzz/pool';

const FUZZ_SEED = 20261206;
const COUNT = 2_000;

describe('fuzz suite', () => {
  it('runs 2,000 mutants with no crash, no hang, no leak and bounded memory', async () => {
    const report = await runFuzz({ count: COUNT, runSeed: FUZZ_SEED, workers: 2, budgetMs: 20_000 });

    expect(report.total).toBe(COUNT);
    expect(report.findings).toEqual([]);
    expect(report.byClass.crash + report.byClass.hang + report.byClass.leak).toBe(0);
    // Every kind reached the pipeline and some of each were published (the mutator is not only making junk).
    for (const counts of Object.values(report.byKind)) expect(counts['ok-published'] + counts['ok-refused']).toBeGreaterThan(100);
    expect(report.byClass['ok-published']).toBeGreaterThan(COUNT / 4);
    expect(report.peakWorkerRssBytes).toBeLessThan(1024 * 1024 * 1024);
  }, 300_000);
});
