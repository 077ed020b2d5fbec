#!/bin/sh
":" //; [ "$1" = deid ] && unset NODE_EXTRA_CA_CERTS; exec node "$0" "$@"
// The two lines above are both shell and JavaScript: run as a program, the shell starts node on this
// same file; node reads the second line as a string and a comment. Why the shell: Node 20 reads the
// whole NODE_EXTRA_CA_CERTS bundle (and builds its root store) as the process starts, 20-35 ms before any
// script runs, and `hilum deid` never opens a network connection, so it starts without it. Every other
// command keeps it (uploads and downloads through a TLS-inspecting proxy need it).
// The hilum CLI runs its TypeScript sources through tsx, so `npm ci` is the only build step.
// `hilum deid` takes a faster road: an esbuild bundle of the command and its worker, built on
// first use into node_modules/.cache/hilum and keyed by a hash of its sources (bundle-cache.js),
// so its start-up and its workers' skip tsx. HILUM_DEID_BUNDLE=0 turns that off.
const path = require('node:path');

const argv = process.argv.slice(2);

async function deidFromBundle() {
  if (argv[0] !== 'deid' || process.env.HILUM_DEID_BUNDLE === '0') return undefined;
  const root = path.join(__dirname, '..', '..');
  const bundle = await require('./bundle-cache').loadBundle({
    root,
    cacheDir: path.join(root, 'node_modules', '.cache', 'hilum'),
    name: 'deid',
    // deid-worker.js sits next to deid-cli.js, where cli/lib/deid-batch.ts looks for its worker.
    entries: { 'deid-cli': 'cli/lib/deid-cli.ts', 'deid-worker': 'cli/lib/deid-worker-main.ts' },
    external: ['dcmjs'],
  });
  if (!bundle) return undefined;
  // (The batch turns V8's optimizing compiler off once its worker threads are up: cli/lib/deid-batch.ts.)
  const { runDeid } = require(path.join(bundle.dir, 'deid-cli.js'));
  return runDeid(argv.slice(1));
}

async function main() {
  const fast = await deidFromBundle();
  if (fast !== undefined) return fast;
  require('tsx/cjs');
  return require('../main.ts').run(argv);
}

main()
  .then((code) => { process.exitCode = code; })
  .catch((error) => {
    console.error(`hilum: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
