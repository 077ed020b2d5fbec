// Worker-thread entry of the local commons' function workers (local/function-workers.ts): a worker
// thread starts a fresh module system, so TypeScript support is registered here (as
// cli/lib/deid-worker.js does) before the worker's own code loads. Works the same under
// `hilum start`, the benches (tsx) and jest (@swc/jest, whose transform does not reach a thread).
require('tsx/cjs');
require('./function-worker-main.ts');
