// Worker-thread entry for `hilum deid`: workers start a fresh module system, so
// TypeScript support is registered here (as cli/bin/hilum.js does) before the
// worker's own code loads. Works the same under `npx hilum`, jest and the bench.
require('tsx/cjs');
require('./deid-worker-main.ts');
