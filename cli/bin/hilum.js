#!/usr/bin/env node
// The hilum CLI runs its TypeScript sources through tsx, so `npm ci` is the only build step.
require('tsx/cjs');
require('../main.ts')
  .run(process.argv.slice(2))
  .then((code) => { process.exitCode = code; })
  .catch((error) => {
    console.error(`hilum: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
