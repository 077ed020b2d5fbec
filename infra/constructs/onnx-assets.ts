/**
 * What a Lambda bundle that runs an evaluator's ONNX model (layers/adapters/onnx) carries beside
 * index.js: onnxruntime-node stays outside the bundle (its worker thread requires it by name, and it
 * loads its native binding by a path built from the platform and architecture at run time,
 * `bin/napi-v6/<platform>/<arch>/`) and is copied
 * into node_modules/ with its one runtime dependency, onnxruntime-common (CommonJS build only), and
 * only the linux/arm64 binaries: the functions run on ARM64 (hilum-function.ts), so the other
 * platforms' binaries (about 100 MB together) are left behind. Only bundles whose code requires
 * onnxruntime-node get them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package esbuild leaves out of every bundle (a require of it stays a require). */
export const ONNX_EXTERNAL_MODULES = ['onnxruntime-node'];

/** The one native build a function needs: Lambda's ARM64 Linux. */
export const ONNX_BINARY_DIR = 'bin/napi-v6/linux/arm64';

/** A package's root: onnxruntime-common's exports map hides its package.json, so walk up from its entry point. */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  while (
    !existsSync(join(dir, 'package.json')) ||
    (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name !== name
  ) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`hilum: the package ${name} has no package.json above its entry point`);
    dir = parent;
  }
  return dir;
}

export function onnxAssetCommands(outputDir: string): string[] {
  const modules = join(outputDir, 'node_modules');
  const runtime = packageDir('onnxruntime-node');
  const common = packageDir('onnxruntime-common');
  const copies = [
    `mkdir -p "${modules}/onnxruntime-node/${ONNX_BINARY_DIR}" "${modules}/onnxruntime-common/dist"`,
    `cp "${runtime}/package.json" "${modules}/onnxruntime-node/"`,
    `cp -R "${runtime}/dist" "${modules}/onnxruntime-node/"`,
    `cp "${runtime}/${ONNX_BINARY_DIR}/"* "${modules}/onnxruntime-node/${ONNX_BINARY_DIR}/"`,
    `cp "${common}/package.json" "${modules}/onnxruntime-common/"`,
    `cp -R "${common}/dist/cjs" "${modules}/onnxruntime-common/dist/"`,
  ];
  // The model runs in a worker whose source is a string in the bundle (layers/adapters/onnx/model-session.ts): match the name, not a require.
  return [`if grep -q 'onnxruntime-node' "${outputDir}/index.js"; then ${copies.join(' && ')}; fi`];
}
