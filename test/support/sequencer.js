/**
 * Jest's order of test files, changed only where jest has no timing for them (a fresh machine, as
 * in CI): there it runs the largest files first, and file size says little here (chaos.test.ts is
 * short and runs a minute, many unit files are long and take a second). Integration and infra
 * files start local commons or synthesize the stack and take 5-70 s each, so they go first and the
 * short unit files fill the workers at the end instead of one worker waiting for a late slow file.
 * Files with timing keep jest's own order (failed first, then longest first).
 */
const Sequencer = require('@jest/test-sequencer').default;

const SLOW_TIERS = /[\\/]test[\\/](integration|infra)[\\/]/;

class SlowTiersFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const untimed = (test) => test.duration == null && !this.hasFailed(test);
    // jest's untimed files, largest first, regrouped: the slow tiers' files, then the rest, each in jest's order.
    const regrouped = [
      ...sorted.filter((test) => untimed(test) && SLOW_TIERS.test(test.path)),
      ...sorted.filter((test) => untimed(test) && !SLOW_TIERS.test(test.path)),
    ];
    let next = 0;
    return sorted.map((test) => (untimed(test) ? regrouped[next++] : test));
  }
}

module.exports = SlowTiersFirst;
