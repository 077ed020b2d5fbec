#!/bin/sh
":" //; n=${0%/*}/../../node_modules/.bin/node; [ -x "$n" ] || n=node; exec "$n" "$0" "$@"
// The two lines above are both shell and JavaScript: run as a program, the shell starts node on this
// same file; node reads the second line as a string and a comment. Which node: the one `npm ci` pinned
// (package.json; the Lambda functions run the same major), found from this file as cli/bin/hilum.js and
// as node_modules/.bin/hilum alike, else the PATH's (npx and npm scripts put the pinned one first there).
// A start on any other node re-runs on the pinned one (onPinnedNode below).
// The hilum CLI runs its TypeScript sources through tsx, so `npm ci` is the only build step.
// `hilum deid` takes a faster road: an esbuild bundle of the command and its worker, built on
// first use into node_modules/.cache/hilum and keyed by a hash of its sources (bundle-cache.js),
// so its start-up and its workers' skip tsx. HILUM_DEID_BUNDLE=0 turns that off. `hilum upload` takes
// the same road (uploadFromBundle); HILUM_UPLOAD_BUNDLE=0 turns that off.
const path = require('node:path');

const argv = process.argv.slice(2);

/**
 * The cached bundle of `command` (bundle-cache.js) when it is the command run, unless HILUM_<COMMAND>_BUNDLE=0;
 * undefined otherwise, or when it cannot be built (the command then runs through tsx).
 */
async function commandBundle(command, options) {
  if (argv[0] !== command || process.env[`HILUM_${command.toUpperCase()}_BUNDLE`] === '0') return undefined;
  const root = path.join(__dirname, '..', '..');
  return require('./bundle-cache').loadBundle({
    root,
    cacheDir: path.join(root, 'node_modules', '.cache', 'hilum'),
    name: command,
    ...options,
  });
}

async function deidFromBundle() {
  const bundle = await commandBundle('deid', {
    // deid-worker.js sits next to deid-cli.js, where cli/lib/deid-batch.ts looks for its worker.
    entries: { 'deid-cli': 'cli/lib/deid-cli.ts', 'deid-worker': 'cli/lib/deid-worker-main.ts' },
    external: ['dcmjs'],
  });
  if (!bundle) return undefined;
  const early = startWorkerEarly(bundle.dir);
  // (The batch turns V8's optimizing compiler off once its worker threads are up: cli/lib/deid-batch.ts.)
  const { runDeid } = require(path.join(bundle.dir, 'deid-cli.js'));
  return runDeid(argv.slice(1), early);
}

/**
 * `hilum upload` from its bundle: a site runs it once per folder, but under tsx its start alone cost
 * about a second of CPU. The packages that find their own files at run time stay outside the bundle
 * (tesseract.js starts its worker script from its package, its traineddata package resolves a path).
 */
async function uploadFromBundle() {
  const bundle = await commandBundle('upload', {
    // check-worker.js sits next to upload-cli.js, where cli/lib/check-lanes.ts looks for the check's worker.
    entries: { 'upload-cli': 'cli/lib/upload-cli.ts', 'check-worker': 'cli/lib/check-worker-main.ts' },
    external: ['dcmjs', 'tesseract.js', '@tesseract.js-data/eng', 'onnxruntime-node'],
  });
  if (!bundle) return undefined;
  const { runUpload } = require(path.join(bundle.dir, 'upload-cli.js'));
  return runUpload(argv.slice(1));
}

/** Options of `hilum deid` that take a value (the rest are flags): enough to find the input folder. */
const DEID_VALUE_OPTIONS = new Set(['--profile', '--secret-file', '--project', '--site', '--jobs']);

/**
 * A worker thread takes ~30 ms to boot; started here, it boots while the main
 * thread loads the command and scans the input, instead of after. Only when a
 * batch will likely want it: a folder as input and more than one lane
 * (--jobs absent or at least 2, and more than one core). A worker the batch
 * does not want (a small batch) is stopped; see runDeidBatch's startedWorkers.
 */
function startWorkerEarly(bundleDir) {
  const args = argv.slice(1);
  if (args.includes('--help') || args.includes('-h')) return [];
  let input;
  let jobs;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    const [name, inline] = arg.split(/=(.*)/s);
    if (DEID_VALUE_OPTIONS.has(name)) {
      const value = inline ?? args[(i += 1)];
      if (name === '--jobs') jobs = Number(value);
    } else if (!arg.startsWith('-') && input === undefined) input = arg;
  }
  const os = require('node:os');
  const fs = require('node:fs');
  // --jobs 0, like no --jobs, means one lane per core.
  if (input === undefined || os.availableParallelism() < 2 || (jobs !== undefined && jobs !== 0 && !(jobs >= 2))) return [];
  try {
    if (!fs.statSync(input).isDirectory()) return [];
    // A small flat folder runs on the main thread alone: the estimate of runDeidBatch (cli/lib/deid-batch.ts,
    // lanesFor: ~0.6 ms a file and ~1 ms a MB, alone under 150 ms), checked only where it can hold.
    if (fs.readdirSync(input).length * 0.6 < 150) {
      const entries = fs.readdirSync(input, { withFileTypes: true });
      if (!entries.some((entry) => entry.isDirectory())) {
        const files = entries.filter((entry) => entry.isFile() && !entry.name.startsWith('.'));
        const bytes = files.reduce((n, entry) => n + fs.statSync(path.join(input, entry.name)).size, 0);
        if (files.length * 0.6 + bytes / (1024 * 1024) < 150) return [];
      }
    }
  } catch {
    return [];
  }
  const { Worker } = require('node:worker_threads');
  return [new Worker(path.join(bundleDir, 'deid-worker.js'))];
}

/**
 * `node cli/bin/hilum.js` run by a node other than the pinned one: runs the same
 * command on the pinned node and returns its exit code, or ends by the signal that
 * ended it (undefined when this is the pinned node, or none is installed). One
 * realpath when it is the right one.
 *
 * A SIGTERM or SIGHUP sent to this process alone (kill PID, a process manager) is
 * passed on: else this process would die and leave the command running without it
 * (a `hilum start` holding its port). Ctrl-C is not passed on: the terminal sends
 * SIGINT to the whole process group, the command included, and a second one would
 * cut short its graceful stop (`hilum gateway` stops on the first, dies on the next).
 */
async function onPinnedNode() {
  const fs = require('node:fs');
  let pinned;
  try {
    pinned = fs.realpathSync(path.join(__dirname, '..', '..', 'node_modules', '.bin', 'node'));
  } catch {
    return undefined;
  }
  if (pinned === process.execPath) return undefined;
  const child = require('node:child_process').spawn(pinned, [...process.execArgv, __filename, ...argv], { stdio: 'inherit' });
  const passOn = (signal) => child.kill(signal);
  const handlers = { SIGINT: () => {}, SIGTERM: passOn, SIGHUP: passOn };
  for (const [name, handler] of Object.entries(handlers)) process.on(name, handler);
  let code;
  let signal;
  try {
    [code, signal] = await require('node:events').once(child, 'exit');
  } finally {
    for (const [name, handler] of Object.entries(handlers)) process.off(name, handler);
  }
  if (signal) process.kill(process.pid, signal);
  return code ?? 1;
}

async function main() {
  const rerun = await onPinnedNode();
  if (rerun !== undefined) return rerun;
  const fast = (await deidFromBundle()) ?? (await uploadFromBundle());
  if (fast !== undefined) return fast;
  require('tsx/cjs');
  return require('../main.ts').run(argv);
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error) => {
    console.error(`hilum: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
