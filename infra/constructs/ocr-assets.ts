/**
 * What a Lambda bundle that runs the burned-in text OCR (layers/ingest/burned-in) carries beside
 * index.js: tesseract.js stays outside the bundle (its Node worker is a script file it starts by
 * path, so it cannot be inlined) and is copied with its runtime dependencies into node_modules/,
 * with the WebAssembly builds of tesseract.js-core (not their inlined .wasm.js twins), and the
 * English traineddata into tessdata/ (OCR_LANG_DIR), so nothing is fetched at run time. Only bundles
 * whose code requires tesseract.js get them.
 */
import { dirname, join } from 'node:path';
import { OCR_LANG_DIR } from '../../layers/ingest/burned-in/ocr';

/** The package esbuild leaves out of every bundle (a require of it stays a require). */
export const OCR_EXTERNAL_MODULES = ['tesseract.js'];

/** tesseract.js and what it requires at run time in Node (its package.json dependencies, transitively; no install script). */
const RUNTIME_PACKAGES = [
  'tesseract.js',
  'bmp-js',
  'is-url',
  'node-fetch',
  'whatwg-url',
  'tr46',
  'webidl-conversions',
  'regenerator-runtime',
  'wasm-feature-detect',
  'zlibjs',
];
const CORE_FILES = [
  'package.json',
  'index.js',
  // tesseract.js 7 loads the variant of the engine mode it starts with (the default, then LSTM only): both are carried.
  ...['', '-simd', '-relaxedsimd'].flatMap((v) =>
    ['', '-lstm'].flatMap((m) => [`tesseract-core${v}${m}.js`, `tesseract-core${v}${m}.wasm`]),
  ),
];

const packageDir = (name: string): string => dirname(require.resolve(`${name}/package.json`));

export function ocrAssetCommands(outputDir: string): string[] {
  const modules = join(outputDir, 'node_modules');
  const core = packageDir('tesseract.js-core');
  const traineddata = join((require('@tesseract.js-data/eng') as { langPath: string }).langPath, 'eng.traineddata.gz');
  const copies = [
    `mkdir -p "${modules}/tesseract.js-core" "${outputDir}/${OCR_LANG_DIR}"`,
    ...RUNTIME_PACKAGES.map((name) => `cp -R "${packageDir(name)}" "${modules}/"`),
    ...CORE_FILES.map((file) => `cp "${join(core, file)}" "${modules}/tesseract.js-core/"`),
    `cp "${traineddata}" "${outputDir}/${OCR_LANG_DIR}/"`,
  ];
  return [`if grep -q '"tesseract.js"' "${outputDir}/index.js"; then ${copies.join(' && ')}; fi`];
}
