/**
 * The pixel codecs work from a Lambda bundle: the same esbuild options as HilumFunction
 * (one minified CommonJS file for node24), the same after-bundling commands (the codecs'
 * .wasm files copied beside it), then run by plain Node in a directory with no node_modules,
 * outside jest. Every compressed syntax decodes to what the code decodes in jest.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { codecAssetCommands } from '../../infra/constructs/codec-assets';
import { ESBUILD_TARGET } from '../../infra/constructs/hilum-function';
import { digests } from '../support/pixel-bundle-probe';
import { encapsulate, fixture, htj2kFrames, runTool, syntheticImage } from '../support/reference-decode';

const REPO_ROOT = path.resolve(__dirname, '../..');
const ESBUILD = path.join(REPO_ROOT, 'node_modules/.bin/esbuild');

function bundle(entry: string, outDir: string): void {
  const run = spawnSync(
    ESBUILD,
    [
      entry,
      '--bundle',
      `--target=${ESBUILD_TARGET}`,
      '--platform=node',
      '--format=cjs',
      '--minify',
      '--log-level=error',
      `--outfile=${path.join(outDir, 'index.js')}`,
    ],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`esbuild failed: ${run.stderr}`);
  for (const command of codecAssetCommands(outDir)) {
    const hook = spawnSync('bash', ['-c', command], { encoding: 'utf8' });
    if (hook.status !== 0) throw new Error(`after-bundling command failed: ${hook.stderr}`);
  }
}

describe('pixel codecs in a bundle', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'hilum-codec-bundle-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('decodes every compressed transfer syntax outside jest as it does inside', async () => {
    const images: Record<string, Uint8Array> = {
      'jpeg-lossless.dcm': fixture('ct/CT_small_jpeg_lossless.dcm'),
      'jpeg-ls.dcm': fixture('transfer-syntax/MR_small_jpeg_ls_lossless.dcm'),
      'jpeg2000.dcm': fixture('transfer-syntax/MR_small_jp2klossless.dcm'),
      'rle.dcm': fixture('transfer-syntax/MR_small_RLE.dcm'),
      'jpeg-baseline.dcm': runTool('dcmcjpeg', ['+eb'], syntheticImage({ samplesPerPixel: 3 })),
    };
    const native = syntheticImage({ bitsAllocated: 16, frames: 2 });
    images['htj2k.dcm'] = encapsulate(native, '1.2.840.10008.1.2.4.201', await htj2kFrames(native, { lossless: true }));
    const files = Object.entries(images).map(([name, bytes]) => {
      const file = path.join(work, name);
      writeFileSync(file, bytes);
      return file;
    });

    const outDir = path.join(work, 'bundle');
    bundle(path.join(REPO_ROOT, 'test/support/pixel-bundle-probe.ts'), outDir);
    expect(readdirSync(outDir).sort()).toEqual([
      'charlswasm_decode.wasm',
      'index.js',
      'libjpegturbowasm_decode.wasm',
      'openjpegwasm_decode.wasm',
      'openjphjs.wasm',
    ]);

    const run = spawnSync(process.execPath, [path.join(outDir, 'index.js'), ...files], {
      cwd: outDir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual(await digests(files));
  });

  it('leaves the codecs and the .wasm out of a bundle that decodes no pixels', () => {
    const entry = path.join(work, 'no-pixels.ts');
    writeFileSync(entry, `import { parseDicom } from '${path.join(REPO_ROOT, 'layers/dicom')}';\nconsole.log(typeof parseDicom);\n`);
    const outDir = path.join(work, 'no-pixels');
    bundle(entry, outDir);
    expect(readdirSync(outDir)).toEqual(['index.js']);
  });
});
