// Worker-thread entry of the offline check (cli/lib/check-lanes.ts): workers start a fresh module system, so
// TypeScript support is registered here before the worker's own code loads (as cli/lib/deid-worker.js does).
// `hilum upload` from its bundle starts the bundled check-worker.js instead (cli/bin/hilum.js).
require('tsx/cjs');
require('./check-worker-main.ts');
