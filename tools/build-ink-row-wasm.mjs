/**
 * Compiles layers/ingest/burned-in/ink-row.wat into ink-row-wasm.ts beside it (the module's bytes as base64),
 * so that bundles (Lambda, the CLI's workers, a browser) carry the module without reading a file at run time.
 * Run after editing the .wat: `npm run ink-row-wasm`; test/unit/ingest/burned-in-ink-wasm.test.ts
 * fails while the two differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabt from 'wabt';

const here = join(dirname(fileURLToPath(import.meta.url)), '..', 'layers', 'ingest', 'burned-in');
const source = readFileSync(join(here, 'ink-row.wat'), 'utf8');
const compiler = await wabt();
const parsed = compiler.parseWat('ink-row.wat', source, { simd: true });
parsed.validate();
const { buffer } = parsed.toBinary({ log: false, write_debug_names: false });
parsed.destroy();

const base64 = Buffer.from(buffer).toString('base64');
const lines = base64.match(/.{1,120}/g) ?? [];
writeFileSync(
  join(here, 'ink-row-wasm.ts'),
  [
    '/**',
    ' * Generated from ink-row.wat by tools/build-ink-row-wasm.mjs (wabt): do not edit, run',
    ' * `node tools/build-ink-row-wasm.mjs`. The WebAssembly module of ink-row-simd.ts, base64.',
    ' */',
    'export const INK_ROW_WASM =',
    ...lines.map((line, i) => `  '${line}'${i === lines.length - 1 ? ';' : ' +'}`),
    '',
  ].join('\n'),
);
console.log(`ink-row-wasm.ts: ${buffer.length} bytes of WebAssembly`);
