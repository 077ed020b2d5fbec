// Worker-thread entry of the local S3 emulator (s3-thread.ts): workers start a fresh module
// system, so TypeScript support is registered here before the worker's own code loads.
// Works the same under `hilum start`, the bench and jest.
require('tsx/cjs');
require('./s3-worker-main.ts');
