/**
 * The local S3 emulator runs in a worker thread by default (local/emulators/s3-thread.ts); its
 * bundled entry needs no TypeScript loader, so the parent's tsx flags are not passed on to it.
 */
import { Worker } from 'node:worker_threads';
import { s3ThreadOf } from '../../../local/emulators/s3';
import { withoutTsxLoader } from '../../../local/emulators/s3-thread';

describe('the S3 emulator’s thread', () => {
  it('is a worker unless HILUM_S3_THREAD says main, and a misspelt value is refused', () => {
    expect(s3ThreadOf(undefined)).toBe('worker');
    expect(s3ThreadOf('')).toBe('worker');
    expect(s3ThreadOf('worker')).toBe('worker');
    expect(s3ThreadOf('main')).toBe('main');
    expect(() => s3ThreadOf('mian')).toThrow(/HILUM_S3_THREAD/);
  });
});

describe('the worker’s Node options', () => {
  it('drop the tsx loader in every spelling npx tsx, --import tsx and -r tsx/cjs give it', () => {
    expect(
      withoutTsxLoader([
        '--require',
        '/repo/node_modules/tsx/dist/preflight.cjs',
        '--import',
        'file:///repo/node_modules/tsx/dist/loader.mjs',
        '--import=tsx',
        '-r',
        'tsx/cjs',
        '--loader',
        'tsx',
      ]),
    ).toEqual([]);
  });

  it('keep every other option, other preloads included', () => {
    const argv = ['--cpu-prof', '--cpu-prof-dir=/tmp/prof', '--require', './polyfill.js', '--import=./setup.mjs', '--enable-source-maps'];
    expect(withoutTsxLoader(argv)).toEqual(argv);
  });

  it("leave out V8's flags and the process's own, which a worker has anyway and Node refuses in its execArgv", () => {
    const argv = [
      '--max-old-space-size=4096',
      '--heap-growing-percent=300',
      '--trace-gc',
      '--no-opt',
      '--stack-trace-limit',
      '50',
      '--expose-gc',
      '--title=hilum',
      '--enable-source-maps',
    ];
    expect(withoutTsxLoader(argv)).toEqual(['--enable-source-maps']);
  });

  it('start a worker thread from the options of a process started with V8 flags', async () => {
    const execArgv = withoutTsxLoader(['--max-old-space-size=4096', '--max-semi-space-size=16', '--trace-gc', '--enable-source-maps']);
    const worker = new Worker('require("node:worker_threads").parentPort.postMessage("up")', { eval: true, execArgv });
    await expect(new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject))).resolves.toBe('up');
    await worker.terminate();
  });
});
