/**
 * The local S3 emulator runs in a worker thread by default (local/emulators/s3-thread.ts); its
 * bundled entry needs no TypeScript loader, so the parent's tsx flags are not passed on to it.
 */
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
    const argv = [
      '--cpu-prof',
      '--cpu-prof-dir=/tmp/prof',
      '--max-old-space-size=4096',
      '--require',
      './polyfill.js',
      '--import=./setup.mjs',
    ];
    expect(withoutTsxLoader(argv)).toEqual(argv);
  });
});
